"""Alerts raised by the clock (Celery beat), written to the outbox.

- A `critical` case still without an assignee 1 hour after it was filed (or
  reopened), a `high` one after 3 hours: its coordinators, once
  (Case.unassigned_alert_at; reopening clears it).
- An overdue case: its assignee (its coordinators when nobody holds it); if it
  is still overdue after a further min(its urgency's delay, 24 h), its
  coordinators too.

Every row has a deterministic idempotency key (kind, case, the clock that
started the wait, recipient), so two beat processes, or a run repeated after a
crash, never alert twice: the second insert fails on the unique key.
Cases whose wait started more than HORIZON ago are left alone, so that
turning alerts on over an old database does not flood anyone's mailbox.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ... import clock
from ...extensions import db
from ...models import Case, Notification
from ...vocab import OPEN_STATUSES, UNASSIGNED_ALERT_AFTER, URGENCY_DELAY
from . import notify

HORIZON = timedelta(days=7)
ESCALATE_AFTER_MAX = timedelta(hours=24)


def escalate_after(urgency: str) -> timedelta:
    return min(URGENCY_DELAY[urgency], ESCALATE_AFTER_MAX)


def _stamp(moment: datetime) -> str:
    return f"t{int(moment.timestamp())}"


def raise_unassigned_alerts(now: datetime | None = None) -> int:
    """Returns how many cases were flagged to their coordinators."""
    now = now or clock.now()
    flagged = 0
    for urgency, wait in UNASSIGNED_ALERT_AFTER.items():
        # The wait starts when the case was filed or reopened: due_at - its urgency's delay.
        delay = URGENCY_DELAY[urgency]
        ids = list(db.session.scalars(select(Case.id).where(
            Case.urgency == urgency, Case.assignee_id.is_(None), Case.status.in_(OPEN_STATUSES),
            Case.unassigned_alert_at.is_(None),
            Case.due_at <= now + delay - wait, Case.due_at > now + delay - HORIZON).order_by(Case.id)))
        db.session.commit()
        flagged += sum(_flag_unassigned(case_id, now) for case_id in ids)
    return flagged


def _flag_unassigned(case_id: int, now: datetime) -> int:
    # Whoever sets the mark first sends the alert; a second beat finds it set.
    taken = db.session.execute(update(Case).where(
        Case.id == case_id, Case.unassigned_alert_at.is_(None), Case.assignee_id.is_(None))
        .values(unassigned_alert_at=now)).rowcount
    if taken != 1:
        db.session.rollback()
        return 0
    case = db.session.get(Case, case_id)
    db.session.refresh(case)
    started = case.due_at - URGENCY_DELAY[case.urgency]
    kind = "critical_unassigned" if case.urgency == "critical" else "unassigned"

    def write() -> int:
        notify.to_coordinators(case, kind, _stamp(started))
        return 1

    return _once(write)


def raise_overdue_alerts(now: datetime | None = None) -> int:
    """Returns how many outbox rows were written."""
    now = now or clock.now()
    cases = list(db.session.scalars(select(Case).where(
        Case.status.in_(OPEN_STATUSES), Case.due_at < now, Case.due_at > now - HORIZON).order_by(Case.id)))
    if not cases:
        db.session.commit()
        return 0
    sent = set(db.session.scalars(select(Notification.idempotency_key).where(
        Notification.case_id.in_([c.id for c in cases]),
        Notification.kind.in_(("overdue", "overdue_escalation")))))
    plans = [(case.id, _plan_overdue(case, now, sent)) for case in cases]
    db.session.commit()
    return sum(_write_overdue(case_id, plan) for case_id, plan in plans if plan)


def _plan_overdue(case: Case, now: datetime, sent: set[str]) -> list[tuple[int | None, str, str]]:
    """(recipient id or None for the coordinators, kind, key suffix) not yet written."""
    due = _stamp(case.due_at)
    plan = []
    if case.assignee_id is not None:
        if f"overdue:{case.id}:{due}:{case.assignee_id}" not in sent:
            plan.append((case.assignee_id, "overdue", due))
    elif not any(key.startswith(f"overdue:{case.id}:{due}:") for key in sent):
        plan.append((None, "overdue", due))
    if (now >= case.due_at + escalate_after(case.urgency)
            and not any(key.startswith(f"overdue_escalation:{case.id}:{due}:") for key in sent)):
        plan.append((None, "overdue_escalation", due))
    return plan


def _write_overdue(case_id: int, plan) -> int:
    def write() -> int:
        case = db.session.get(Case, case_id)
        written = 0
        for recipient_id, kind, suffix in plan:
            if recipient_id is None:
                written += len(notify.to_coordinators(case, kind, suffix))
            else:
                notify.queue(case.assignee, kind, case, f"{kind}:{case.id}:{suffix}:{recipient_id}")
                written += 1
        return written

    return _once(write)


def _once(write) -> int:
    """Writes and commits; when another beat wrote the same alert first (the
    unique key refuses ours, at the commit or at any flush before it), the
    alert goes out once, from there, and this writes nothing."""
    try:
        written = write()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return 0
    return written
