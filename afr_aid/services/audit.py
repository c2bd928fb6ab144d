"""Writing to the audit log. Entries join the caller's transaction, so a change
and its audit line are committed together or not at all."""
from __future__ import annotations

from flask import has_request_context, request

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
