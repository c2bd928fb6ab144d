"""Retention and erasure of direct identifiers.

A closed case keeps its identifiers RETENTION_DAYS (default 365) after
closing, then loses them: names, phones, UNHCR number, perpetrator detail set
to NULL and the blind-index rows deleted. Everything counted in figures
(kind, place, dates, categories, victims, outcome) stays. An admin can also
erase one case's identifiers at once, on the person's request.

The description and the timeline's notes go too: they are free text about the
same people. The timeline itself (who did what, when) stays.

The audit log records both, with the case reference and never a name.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from ... import clock, permissions
from ...errors import Forbidden, NotFound
from ...extensions import db
from ...models import Case, CaseEvent, User
from ..cases import name_index
from . import audit

BATCH = 500
ERASED = (*Case.IDENTIFIERS, "description")


def check_erase(actor: User, case: Case) -> None:
    if not permissions.can_view(actor, case):
        raise NotFound()
    if not permissions.can_erase_identifiers(actor):
        raise Forbidden()


def erase_identifiers(actor: User, case: Case) -> Case:
    """On request: the case's direct identifiers go now (the listener in
    name_index drops its index rows). Erasing twice changes nothing more."""
    check_erase(actor, case)
    erased = [name for name in ERASED if getattr(case, name) is not None]
    for name in ERASED:
        setattr(case, name, None)
    _forget_notes([case.id])
    case.identifiers_erased_at = case.identifiers_erased_at or clock.now()
    audit.record(actor, "case.erase_identifiers", case.ref, fields=erased)
    db.session.commit()
    return case


def run_retention(now: datetime | None = None, batch: int = BATCH) -> int:
    """Erases the identifiers of every case closed longer ago than the
    retention time; each batch is its own transaction, so a long run holds no
    long lock and an interrupted one resumes. Returns how many cases."""
    now = now or clock.now()
    days = current_app.config["RETENTION_DAYS"]
    cutoff = now - timedelta(days=days)
    due = (Case.status == "closed", Case.closed_at < cutoff, Case.identifiers_erased_at.is_(None))
    total = 0
    while True:
        ids = list(db.session.scalars(select(Case.id).where(*due).order_by(Case.id).limit(batch)))
        if not ids:
            break
        # The conditions again: a case reopened since the SELECT keeps its identifiers.
        done = list(db.session.scalars(
            update(Case).where(Case.id.in_(ids), *due)
            .values({**{name: None for name in ERASED}, "identifiers_erased_at": now})
            .returning(Case.id)))
        name_index.forget(db.session.connection(), done)
        _forget_notes(done)
        db.session.commit()
        total += len(done)
    audit.record(None, "retention.run", None, cases=total, days=days)
    db.session.commit()
    return total


def _forget_notes(case_ids: list[int]) -> None:
    if case_ids:
        db.session.execute(update(CaseEvent).where(CaseEvent.case_id.in_(case_ids), CaseEvent.note.is_not(None))
                           .values(note=None))
