"""A small per-process cache for what is derived from a kept weekly summary
(which never changes once kept): its figures, its chart, its rendered text.
Bounded, thread-safe; losing it costs only time."""
from __future__ import annotations

import threading
from collections import OrderedDict

SIZE = 128
_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()


def cached(key, make):
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = make()  # outside the lock: two threads may both make it, harmlessly
    with _lock:
        _cache[key] = value
        while len(_cache) > SIZE:
            _cache.popitem(last=False)
    return value
