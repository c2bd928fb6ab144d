"""Writing to the audit log. Entries join the caller's transaction, so a change
and its audit line are committed together or not at all.

The log is a hash chain: each entry stores the hash of the entry before it
and its own hash over both (see `entry_hash`), so `verify_chain` finds a row
that was edited or removed afterwards. Writers append one at a time: each
locks the chain head (audit_chain_head) until it commits, so two concurrent
writers never chain onto the same entry (PostgreSQL: SELECT ... FOR UPDATE;
SQLite: the INSERT is a write, so it runs under the one write lock, taken
there at the latest, and reads the head as the last writer left it; see
infra/database.py).
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from sqlalchemy import JSON, Integer, String, cast, func, insert, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ... import clock, permissions
from ...errors import Forbidden
from ...extensions import db
from ...models import AuditChainHead, AuditEntry, User
from ...models.types import UTCDateTime

GENESIS = "0" * 64


def client_ip() -> str | None:
    # ProxyFix (configured for production) has already resolved X-Forwarded-For.
    return request.remote_addr if has_request_context() else None


def entry_hash(entry: AuditEntry, prev_hash: str) -> str:
    """SHA-256 over a canonical JSON form of the entry's fields and the hash
    before it. Every field counts: who, when, what, on what, from where."""
    canonical = json.dumps(
        [prev_hash, entry.at.astimezone(timezone.utc).isoformat(timespec="microseconds"), entry.actor_id,
         entry.action, entry.target, entry.ip, entry.detail],
        sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _chain_tail(entry_fields: list) -> str:
    """The canonical JSON of `entry_hash` after the previous hash: that hash
    is hex, so the whole text is '["' + prev + '",' + this tail, and the
    database can finish it (and hash it) next to the head it locks."""
    return json.dumps(entry_fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)[1:]


class _Sha256Hex(FunctionElement):
    """Hex SHA-256 of a text, in SQL: PostgreSQL's own, SQLite's from
    infra/database.py (a Python function registered on each connection)."""

    type = String()
    inherit_cache = True


@compiles(_Sha256Hex)
def _sha256_sqlite(element, compiler, **kw):
    return f"afr_sha256({compiler.process(element.clauses, **kw)})"


@compiles(_Sha256Hex, "postgresql")
def _sha256_postgresql(element, compiler, **kw):
    return f"encode(sha256(convert_to({compiler.process(element.clauses, **kw)}, 'UTF8')), 'hex')"


def _ensure_head() -> None:
    """The first entry ever (the migration makes the row; create_all does not)."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(AuditChainHead).values(id=1, last_hash=GENESIS, entries=0).on_conflict_do_nothing())


def record(actor: User | None, action: str, target: str | None = None, **detail) -> None:
    """Appends one entry to the chain, in the caller's transaction: two
    statements. The INSERT reads the head's hash under a row lock (FOR UPDATE
    on PostgreSQL; SQLite's write lock, which the INSERT takes) and hashes in SQL,
    the UPDATE moves the head on; the lock holds to the commit, so no other
    writer chains onto the same entry. Same hash as `entry_hash`."""
    at = clock.now()
    actor_id = actor.id if actor else None
    ip = client_ip()
    detail = detail or None
    tail = _chain_tail([at.isoformat(timespec="microseconds"), actor_id, action, target, ip, detail])
    head = AuditChainHead.__table__
    table = AuditEntry.__table__
    chained = _Sha256Hex(literal('["') + head.c.last_hash + literal('",' + tail))
    values = [(at, UTCDateTime()), (actor_id, Integer()), (action, String()), (target, String()), (ip, String()),
              (detail, JSON())]
    # PostgreSQL takes an untyped parameter in a SELECT list for text: CAST
    # there. Not on SQLite, where CAST AS DATETIME makes a number of a date.
    typed = db.session.get_bind().dialect.name == "postgresql"
    source = (select(*[cast(literal(value, kind), kind) if typed else literal(value, kind) for value, kind in values],
                     head.c.last_hash, chained)
              .where(head.c.id == 1).with_for_update())
    statement = (insert(table).from_select(["at", "actor_id", "action", "target", "ip", "detail", "prev_hash", "hash"],
                                           source).returning(table.c.hash))
    new_hash = db.session.execute(statement).scalar()
    if new_hash is None:
        _ensure_head()
        new_hash = db.session.execute(statement).scalar_one()
    db.session.execute(update(head).where(head.c.id == 1)
                       .values(last_hash=new_hash, entries=head.c.entries + 1))


def record_now(actor: User | None, action: str, target: str | None = None, **detail) -> None:
    """For reads (a case viewed, an export): nothing else to commit with."""
    record(actor, action, target, **detail)
    db.session.commit()


def list_entries(actor: User, filters: dict, before_id: int | None = None, limit: int = 50):
    """The audit log, newest first, for those who may read it: (entries, the
    id to pass as `before_id` for the next page or None). Filters: `actor`
    (email), `action` (exact, or a prefix like `login` for `login.*`),
    `target`, `start` and `end` (dates, inclusive, in the service's time zone)."""
    if not permissions.can_read_audit(actor):
        raise Forbidden()
    query = select(AuditEntry)
    email = (filters.get("actor") or "").strip().lower()
    if email:
        query = query.where(AuditEntry.actor_id.in_(select(User.id).where(User.email == email)))
    action = (filters.get("action") or "").strip()
    if action:
        query = query.where(or_(AuditEntry.action == action,
                                AuditEntry.action.startswith(action + ".", autoescape=True)))
    target = (filters.get("target") or "").strip()
    if target:
        query = query.where(func.lower(AuditEntry.target) == target.lower())
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    if filters.get("start"):
        query = query.where(AuditEntry.at >= datetime.combine(filters["start"], time.min, zone))
    if filters.get("end"):
        query = query.where(AuditEntry.at < datetime.combine(filters["end"] + timedelta(days=1), time.min, zone))
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    rows = list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    next_before = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_before


def verify_chain(batch: int = 5000) -> tuple[int | None, str | None, int]:
    """Walks the whole log in id order: (first bad row id or None, what is
    wrong, entries checked). Reads only; for `flask audit verify`."""
    columns = [AuditEntry.id, AuditEntry.at, AuditEntry.actor_id, AuditEntry.action, AuditEntry.target,
               AuditEntry.ip, AuditEntry.detail, AuditEntry.prev_hash, AuditEntry.hash]
    expected, last_id, checked = GENESIS, 0, 0
    while True:
        rows = db.session.execute(select(*columns).where(AuditEntry.id > last_id)
                                  .order_by(AuditEntry.id).limit(batch)).all()
        for entry in rows:
            checked += 1
            if entry.prev_hash != expected:
                return entry.id, "does not follow the entry before it (that one was removed or changed)", checked
            if entry.hash != entry_hash(entry, entry.prev_hash):
                return entry.id, "was changed after it was written", checked
            expected, last_id = entry.hash, entry.id
        if len(rows) < batch:
            break
    head = db.session.get(AuditChainHead, 1)
    head_hash, head_entries = (head.last_hash, head.entries) if head else (GENESIS, 0)
    if head_hash != expected or head_entries != checked:
        return None, (f"the chain head expects {head_entries} entries, ending elsewhere: entries after "
                      f"id {last_id} were removed"), checked
    return None, None, checked
