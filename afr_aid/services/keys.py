"""Key rotation for the encrypted identifiers (crypto.py).

`rotate` puts a fresh key first in the key file (unless the keys come from
the environment, where the operator has already done so and restarted), then
re-encrypts every stored identifier with it, in batches, each committed.
Rows are read and written as ciphertext, never as plain text. Other
processes notice the new key file within crypto.RELOAD_SECONDS; anything they
wrote with the old key meanwhile is caught by a second pass.
"""
from __future__ import annotations

from sqlalchemy import Text, column, select, table, update

from .. import crypto
from ..extensions import db
from ..models import Case

BATCH = 1000
MAX_PASSES = 5
# The columns as stored: plain Text here, so nothing decrypts on the way.
_raw = table("cases", column("id"), *(column(name, Text) for name in Case.IDENTIFIERS))


def _pass(ring: crypto.KeyRing, batch: int) -> int:
    """Re-encrypts what is not under the newest key; returns values changed."""
    last_id, changed = 0, 0
    while True:
        rows = db.session.execute(select(_raw).where(_raw.c.id > last_id).order_by(_raw.c.id).limit(batch)).all()
        if not rows:
            db.session.commit()
            return changed
        for row in rows:
            values = {name: ring.rotate(getattr(row, name)) for name in Case.IDENTIFIERS
                      if getattr(row, name) is not None and not ring.is_current(getattr(row, name))}
            if values:
                db.session.execute(update(_raw).where(_raw.c.id == row.id).values(**values))
                changed += len(values)
        db.session.commit()
        last_id = rows[-1].id


def stale_values(batch: int = BATCH) -> int:
    """How many stored values are not encrypted with the newest key."""
    ring, last_id, stale = crypto.keyring(), 0, 0
    while True:
        rows = db.session.execute(select(_raw).where(_raw.c.id > last_id).order_by(_raw.c.id).limit(batch)).all()
        if not rows:
            db.session.commit()  # a read, but SQLite's transactions here hold the write lock
            return stale
        stale += sum(1 for row in rows for name in Case.IDENTIFIERS
                     if getattr(row, name) is not None and not ring.is_current(getattr(row, name)))
        last_id = rows[-1].id


def rotate(new_key: bool = True, batch: int = BATCH) -> int:
    """Returns the number of values re-encrypted."""
    if new_key:
        crypto.prepend_new_key()
    ring = crypto.keyring()
    ring.reload_if_changed(force=True)
    total = 0
    for _ in range(MAX_PASSES):
        changed = _pass(ring, batch)
        total += changed
        if not changed:
            break
    return total
