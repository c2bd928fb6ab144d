"""Delivering outbox notifications, each at most once.

A worker first claims the row (queued → sending) in its own committed
transaction; only the claimer sends. A row left "sending" by a killed worker
is claimed again after LEASE. The Message-ID is derived from the row's
idempotency key, so even that rare resend is recognisable as the same message.
"""
from __future__ import annotations

import hashlib
import logging
import smtplib
from datetime import datetime, timedelta, timezone

from flask import current_app, url_for
from flask_babel import force_locale, gettext as _
from flask import render_template
from sqlalchemy import and_, or_, select, update

from ..extensions import db
from ..models import Notification, Place
from ..vocab import KINDS, URGENCIES, label
from . import mailer

log = logging.getLogger("afr_aid.delivery")
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
SWEEP_GRACE = timedelta(seconds=20)  # leave fresh rows to the task published at commit


def _now() -> datetime:
    return datetime.now(timezone.utc)


def claim(notification_id: int) -> bool:
    now = _now()
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id,
               or_(Notification.status == "queued",
                   and_(Notification.status == "sending", Notification.claimed_at < now - LEASE)))
        .values(status="sending", claimed_at=now, attempts=Notification.attempts + 1))
    db.session.commit()
    return result.rowcount == 1


def deliver(notification_id: int) -> str:
    """Returns "sent", "skipped" (someone else has it, or it is done) or raises
    a transient error after putting the row back in the queue."""
    if not claim(notification_id):
        return "skipped"
    note = db.session.get(Notification, notification_id)
    message = render(note)
    # End the read transaction before talking to the mail server: on SQLite every
    # transaction holds the write lock, and SMTP can be slow.
    db.session.commit()
    try:
        mailer.send(message)
    except (smtplib.SMTPException, OSError) as error:
        note.status = "failed" if note.attempts >= MAX_ATTEMPTS else "queued"
        note.last_error = f"{type(error).__name__}: {getattr(error, 'smtp_code', '')}".strip(": ")
        note.claimed_at = None
        db.session.commit()
        log.warning("notification %s not sent (attempt %s): %s", note.id, note.attempts, note.last_error)
        raise
    note.status, note.sent_at, note.last_error = "sent", _now(), None
    db.session.commit()
    return "sent"


def message_id(note: Notification) -> str:
    digest = hashlib.sha256(note.idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@afr-aid>"


def render(note: Notification):
    """Reference, kind, urgency, province and a link: never a name, phone,
    description or a place below territory."""
    user, case = note.user, note.case
    with force_locale(user.locale or "en"):
        context = {"kind": note.kind, "case": None}
        if case is not None:
            province = _province_name(case.place_path)
            context["case"] = {"ref": case.ref, "kind": label(KINDS, case.kind),
                               "urgency": label(URGENCIES, case.urgency), "province": province,
                               "link": f"{current_app.config['BASE_URL']}/cases/{case.ref}"}
        subject = subject_for(note.kind, context["case"])
        text = render_template("email/notification.txt", subject=subject, **context)
        html = render_template("email/notification.html", subject=subject, **context)
    return mailer.build(user.email, subject, text, html, message_id=message_id(note))


def subject_for(kind: str, case: dict | None) -> str:
    ref = case["ref"] if case else ""
    subjects = {
        "assignment": _("Case %(ref)s was assigned to you", ref=ref),
        "critical": _("Critical case %(ref)s filed in your region", ref=ref),
        "urgent": _("Urgent case %(ref)s filed in your region", ref=ref),
        "decline": _("Case %(ref)s was declined and needs an assignee", ref=ref),
        "closed": _("Case %(ref)s that you filed was closed", ref=ref),
        "unassigned": _("Case %(ref)s is still unassigned", ref=ref),
        "overdue": _("Case %(ref)s is overdue", ref=ref),
    }
    return "[AFR Aid] " + subjects.get(kind, _("Notification about case %(ref)s", ref=ref))


def _province_name(path: str) -> str:
    parts = path.split("/")
    code = parts[1] if len(parts) > 1 else parts[0]
    return db.session.scalar(select(Place.name).where(Place.code == code)) or code


def due_for_sweep(limit: int = 500) -> list[int]:
    now = _now()
    ids = list(db.session.scalars(
        select(Notification.id)
        .where(or_(and_(Notification.status == "queued", Notification.created_at < now - SWEEP_GRACE),
                   and_(Notification.status == "sending", Notification.claimed_at < now - LEASE)))
        .order_by(Notification.id).limit(limit)))
    db.session.commit()  # release the (SQLite) lock before publishing
    return ids
