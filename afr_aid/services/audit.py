"""Writing to the audit log. Entries join the caller's transaction, so a change
and its audit line are committed together or not at all."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from sqlalchemy import func, or_, select

from .. import permissions
from ..errors import Forbidden
from ..extensions import db
from ..models import AuditEntry, User


def client_ip() -> str | None:
    # ProxyFix (configured for production) has already resolved X-Forwarded-For.
    return request.remote_addr if has_request_context() else None


def record(actor: User | None, action: str, target: str | None = None, **detail) -> AuditEntry:
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action, target=target,
                       ip=client_ip(), detail=detail or None)
    db.session.add(entry)
    return entry


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
