"""What admins see of the notification machinery: the delivery log and the
.eml outbox (when no SMTP server is configured)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ... import permissions
from ...errors import Forbidden, NotFound
from ...extensions import db
from ...models import Case, Notification, User
from . import mailer

STATUSES = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "digest": _l("Held for the daily digest"),
    "digested": _l("Sent in a digest"),
    "off": _l("Not sent (switched off)"),
}
MESSAGE_KINDS = {
    "assignment": _l("Assignment"),
    "critical": _l("Critical case filed"),
    "urgent": _l("High-urgency case filed"),
    "critical_unassigned": _l("Critical case unassigned"),
    "unassigned": _l("High-urgency case unassigned"),
    "decline": _l("Declined"),
    "overdue": _l("Overdue"),
    "overdue_escalation": _l("Still overdue"),
    "closed": _l("Closed"),
    "digest": _l("Daily digest"),
    "summary": _l("Weekly summary"),
    "security_enrolled": _l("Two-step sign-in set up"),
    "security_disabled": _l("Two-step sign-in turned off"),
    "security_reset": _l("Two-step sign-in reset"),
    "security_recovery_used": _l("Recovery code used"),
    "security_codes_renewed": _l("New recovery codes"),
}


def _check(actor: User) -> None:
    if not permissions.can_read_delivery_log(actor):
        raise Forbidden()


def list_notifications(actor: User, filters: dict, before_id: int | None = None, limit: int = 50):
    """Newest first: (rows, the id to pass as `before_id` for the next page or None).
    Filters: `status`, `kind` (codes), `recipient` (email), `ref` (case reference)."""
    _check(actor)
    query = select(Notification)
    if filters.get("status"):
        query = query.where(Notification.status == filters["status"])
    if filters.get("kind"):
        query = query.where(Notification.kind == filters["kind"])
    email = (filters.get("recipient") or "").strip().lower()
    if email:
        query = query.where(Notification.user_id.in_(select(User.id).where(User.email == email)))
    ref = (filters.get("ref") or "").strip().upper()
    if ref:
        query = query.where(Notification.case_id.in_(select(Case.id).where(Case.ref == ref)))
    if before_id:
        query = query.where(Notification.id < before_id)
    rows = list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))
    next_before = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_before


def status_counts(actor: User) -> dict[str, int]:
    _check(actor)
    counts = dict(db.session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())
    return {status: counts.get(status, 0) for status in STATUSES}


def outbox_list(actor: User) -> list[dict]:
    """The newest .eml files written while no SMTP server is configured."""
    _check(actor)
    items = []
    for path in mailer.outbox_files():
        message = mailer.read_outbox_file(path.name)
        if message is not None:
            items.append({"name": path.name, "to": message["To"], "subject": message["Subject"],
                          "date": message["Date"]})
    return items


def outbox_message(actor: User, name: str) -> dict:
    _check(actor)
    message = mailer.read_outbox_file(name)
    if message is None:
        raise NotFound()
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return {
        "name": name,
        "headers": [(key, str(value)) for key, value in message.items()],
        "text": text.get_content() if text is not None else "",
        "html": html.get_content() if html is not None else "",
        "parts": [part.get_content_type() for part in message.walk() if not part.is_multipart()],
    }
