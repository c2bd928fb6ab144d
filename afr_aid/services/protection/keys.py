"""Key rotation for the encrypted identifiers (infra/crypto.py).

`rotate` puts a fresh key first in the key file (unless the keys come from
the environment, where the operator has already done so and restarted), then
re-encrypts every stored identifier, description and note with it, in batches, each committed.
Rows are read and written as ciphertext, never as plain text. Other
processes notice the new key file within crypto.RELOAD_SECONDS; anything they
wrote with the old key meanwhile is caught by a second pass.
"""
from __future__ import annotations

from sqlalchemy import Text, column, select, table, update

from ...extensions import db
from ...infra import crypto
from ...models import Case

BATCH = 1000
MAX_PASSES = 5
# Every encrypted column, as stored: plain Text here, so nothing decrypts on the way.
ENCRYPTED = {"cases": (*Case.IDENTIFIERS, "description"), "case_events": ("note",)}
_RAW = [(table(name, column("id"), *(column(c, Text) for c in columns)), columns)
        for name, columns in ENCRYPTED.items()]


def _rows(raw, batch: int, lock: bool = False):
    """Every row of one table, in id batches (each batch's transaction ended).
    `lock`: read each batch under the lock (FOR UPDATE; SQLite's write lock),
    so that nothing changes a row between its read and its rewrite (an
    erasure would otherwise come back, re-encrypted)."""
    last_id = 0
    while True:
        query = select(raw).where(raw.c.id > last_id).order_by(raw.c.id).limit(batch)
        rows = db.session.execute(query.with_for_update() if lock else query).all()
        if not rows:
            db.session.commit()
            return
        yield rows
        last_id = rows[-1].id


def _pass(ring: crypto.KeyRing, batch: int) -> int:
    """Re-encrypts what is not under the newest key; returns values changed."""
    changed = 0
    for raw, columns in _RAW:
        for rows in _rows(raw, batch, lock=True):
            for row in rows:
                values = {name: ring.rotate(getattr(row, name)) for name in columns
                          if getattr(row, name) is not None and not ring.is_current(getattr(row, name))}
                if values:
                    db.session.execute(update(raw).where(raw.c.id == row.id).values(**values))
                    changed += len(values)
            db.session.commit()
    return changed


def stale_values(batch: int = BATCH) -> int:
    """How many stored values are not encrypted with the newest key."""
    ring, stale = crypto.keyring(), 0
    for raw, columns in _RAW:
        for rows in _rows(raw, batch):
            stale += sum(1 for row in rows for name in columns
                         if getattr(row, name) is not None and not ring.is_current(getattr(row, name)))
    return stale


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
