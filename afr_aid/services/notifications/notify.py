"""Notification outbox rows, written in the caller's transaction.

Delivery happens after the commit (see tasks/); nothing here sends anything,
so a failing broker or mail server can never lose or block a change.
"""
from __future__ import annotations

from sqlalchemy import select

from ... import permissions
from ...extensions import db
from ...models import Case, Notification, User
from .preferences import mode_for

# A preference decides the row's first status; only "queued" rows are published.
STATUS_FOR_MODE = {"immediate": "queued", "digest": "digest", "off": "off"}


def queue(user: User, kind: str, case: Case | None, key: str) -> Notification:
    note = Notification(user_id=user.id, case_id=case.id if case else None, kind=kind,
                        idempotency_key=key, status=STATUS_FOR_MODE[mode_for(user, kind)])
    db.session.add(note)
    return note


def coordinators_of(case: Case) -> list[User]:
    return list(db.session.scalars(select(User).where(permissions.coordinators_clause(case))
                                   .order_by(User.id)))


def to_coordinators(case: Case, kind: str, key_suffix: str) -> list[Notification]:
    return [queue(user, kind, case, f"{kind}:{case.id}:{key_suffix}:{user.id}")
            for user in coordinators_of(case)]
