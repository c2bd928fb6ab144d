"""Loaded at start-up by every Python process of `make test-clock` (the
Makefile puts this folder on PYTHONPATH, and test processes inherit it), and
by nothing else.

`make test-clock` runs the suite under Debian's libfaketime with the calendar
moved (FAKETIME) and the monotonic clock left alone
(FAKETIME_DONT_FAKE_MONOTONIC=1): durations, timeouts and thread waits stay
real. Faking the monotonic clock too makes every timed wait (Event.wait,
Lock.acquire with a timeout, threading.Timer) sleep for decades, because
Python waits with sem_clockwait, which libfaketime 0.9.10 does not wrap; the
interpreter then hangs at exit joining such a thread. Left real, one call
breaks instead: libfaketime rewrites the absolute monotonic deadline that
Python's time.sleep hands to clock_nanosleep as if it were faked, and the
kernel answers EINVAL. So here time.sleep waits on a lock with a timeout,
which uses the real monotonic clock and is not rewritten.
"""
import os

if os.environ.get("FAKETIME") and os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") == "1":
    import threading
    import time

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        if seconds:
            blocked = threading.Lock()
            blocked.acquire()
            blocked.acquire(timeout=seconds)

    time.sleep = _sleep
