"""Delivering outbox notifications, each exactly once as far as SMTP allows.

A worker first claims the row (queued → sending) in its own committed
transaction; only the claimer sends. A row left "sending" by a killed worker
is claimed again after the lease (NOTIFICATION_LEASE_SECONDS).

The one window SMTP leaves open: the server has answered 250 to our message
but this process dies before it commits "sent". The row then looks unsent and
is sent again after the lease. That window is narrowed to the commit itself:
the row is marked sent the moment the server accepts, before QUIT (see
mailer.send). Should it still happen, the copy carries the same Message-ID
(derived from the idempotency key), so mail readers and archives recognise it.
Nothing is ever lost: a crash anywhere else leaves the row to be sent again.
"""
from __future__ import annotations

import hashlib
import logging
import smtplib
from datetime import timedelta
from types import SimpleNamespace

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, or_, select, update

from ... import clock
from ...extensions import db
from ...models import Case, Notification, Place, User, WeeklySummary
from ...vocab import KINDS, URGENCIES, label
from . import mailer

log = logging.getLogger("afr_aid.delivery")
MAX_ATTEMPTS = 8


def lease() -> timedelta:
    return timedelta(seconds=current_app.config.get("NOTIFICATION_LEASE_SECONDS", 120))


def sweep_grace() -> timedelta:
    return timedelta(seconds=current_app.config.get("NOTIFICATION_SWEEP_GRACE_SECONDS", 20))


# Built once: these run for every message, and building a statement (and its
# cache key) costs more than running it.
_CLAIM = (update(Notification)
          .where(Notification.id == bindparam("nid"),
                 or_(Notification.status == "queued",
                     and_(Notification.status == "sending", Notification.claimed_at < bindparam("stale"))))
          .values(status="sending", claimed_at=bindparam("now"), attempts=Notification.attempts + 1)
          .execution_options(synchronize_session=False))
_READ = (select(Notification.id, Notification.kind, Notification.idempotency_key, Notification.summary_id,
                Notification.attempts, User.id, User.email, User.locale, WeeklySummary.computed_at,
                Case.id, Case.ref, Case.kind, Case.urgency, Case.place_path)
         .join(User, User.id == Notification.user_id)
         .outerjoin(WeeklySummary, WeeklySummary.id == Notification.summary_id)
         .outerjoin(Case, Case.id == Notification.case_id)
         .where(Notification.id == bindparam("nid")))
_SENT = (update(Notification).where(Notification.id == bindparam("nid"))
         .values(status="sent", sent_at=bindparam("now"), last_error=None)
         .execution_options(synchronize_session=False))


def claim(notification_id: int) -> SimpleNamespace | None:
    """Takes the row for this worker and reads what rendering needs, in one
    short transaction, as plain values: rendering then runs outside any
    transaction (on SQLite a transaction holds the write lock, and the other
    workers would wait for our templates)."""
    now = clock.now()
    taken = db.session.execute(_CLAIM, {"nid": notification_id, "now": now, "stale": now - lease()})
    note = snapshot(*db.session.execute(_READ, {"nid": notification_id}).one()) if taken.rowcount == 1 else None
    db.session.commit()
    return note


def snapshot(note_id, kind, key, summary_id, attempts, user_id, email, locale, summary_stamp=None,
             case_id=None, ref=None, case_kind=None, urgency=None, place_path=None) -> SimpleNamespace:
    """Everything a message may be built from: there is no name, phone,
    description or place below the case's path to be had here."""
    return SimpleNamespace(
        id=note_id, kind=kind, idempotency_key=key, summary_id=summary_id, summary_stamp=summary_stamp,
        attempts=attempts, user=SimpleNamespace(id=user_id, email=email, locale=locale),
        case=None if case_id is None else SimpleNamespace(id=case_id, ref=ref, kind=case_kind, urgency=urgency,
                                                          place_path=place_path))


def _release(notification_id: int, **values) -> None:
    db.session.rollback()
    db.session.execute(update(Notification).where(Notification.id == notification_id).values(**values))
    db.session.commit()


def deliver(notification_id: int, smtp=None) -> str:
    """Returns "sent", "skipped" (someone else has it, or it is done), "failed"
    (cannot be built) or raises a transient error after putting the row back
    in the queue. `smtp`: an open connection to reuse (see deliver_many)."""
    note = claim(notification_id)
    if note is None:
        return "skipped"
    try:
        message = render(note)
    except Exception as error:  # noqa: BLE001 - a message that cannot be built will not get better
        log.exception("notification %s cannot be rendered", note.id)
        _release(note.id, status="failed", last_error=f"render: {type(error).__name__}")
        return "failed"
    db.session.commit()  # whatever rendering read: no lock held while SMTP talks
    accepted = False

    def mark_sent():
        nonlocal accepted
        accepted = True
        db.session.execute(_SENT, {"nid": notification_id, "now": clock.now()})
        db.session.commit()

    try:
        mailer.send(message, on_accepted=mark_sent, smtp=smtp)
    except (smtplib.SMTPException, OSError) as error:
        if accepted:
            raise  # sent, but not recorded: the lease brings it back (same Message-ID)
        described = _describe(error)
        _release(note.id, status="failed" if note.attempts >= MAX_ATTEMPTS else "queued",
                 last_error=described, claimed_at=None)
        log.warning("notification %s not sent (attempt %s): %s", note.id, note.attempts, described)
        raise
    return "sent"


def deliver_many(notification_ids: list[int]) -> dict[str, int]:
    """Several rows over one SMTP connection, each claimed just before it is
    sent (so no lease runs out while it waits its turn). A dropped connection
    is reopened once; any other error stops the batch, and what was not sent
    stays queued for the retry or the sweep."""
    outcome: dict[str, int] = {}
    pending = list(notification_ids)
    reopened = False
    while pending:
        try:
            with mailer.connection() as smtp:
                while pending:
                    result = deliver(pending[0], smtp)
                    outcome[result] = outcome.get(result, 0) + 1
                    pending.pop(0)
        except smtplib.SMTPServerDisconnected:
            if reopened:
                raise
            reopened = True
    return outcome


def _describe(error: Exception) -> str:
    """For the admins' delivery log: the error class, the SMTP code and the
    server's reply, never the message itself."""
    code = getattr(error, "smtp_code", "")
    reply = getattr(error, "smtp_error", b"")
    reply = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply or "")
    return " ".join(str(p) for p in (f"{type(error).__name__}:", code, reply[:200]) if p).rstrip(":")


def message_id(note: Notification) -> str:
    digest = hashlib.sha256(note.idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@afr-aid>"


def render(note: Notification):
    if note.kind == "summary":
        from .summary_email import render_summary_message

        return render_summary_message(note)
    if note.kind == "digest":
        from .digest import render_digest

        return render_digest(note)
    if note.kind.startswith("security_"):
        from .security_notices import render as render_security_notice

        return render_security_notice(note)
    return render_case_message(note)


def case_context(case) -> dict | None:
    """Reference, kind, urgency, province and a link: never a name, phone,
    description or a place below territory."""
    if case is None:
        return None
    return {"ref": case.ref, "kind": label(KINDS, case.kind), "urgency": label(URGENCIES, case.urgency),
            "province": province_name(case.place_path),
            "link": f"{current_app.config['BASE_URL']}/cases/{case.ref}"}


def render_case_message(note: Notification):
    user = note.user
    with force_locale(user.locale or "en"):
        context = {"kind": note.kind, "case": case_context(note.case)}
        subject = "[AFR Aid] " + subject_for(note.kind, context["case"])
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
        "critical_unassigned": _("Critical case %(ref)s is still unassigned", ref=ref),
        "overdue": _("Case %(ref)s is overdue", ref=ref),
        "overdue_escalation": _("Case %(ref)s is still overdue", ref=ref),
    }
    return subjects.get(kind, _("Notification about case %(ref)s", ref=ref))


def province_name(path: str) -> str:
    parts = path.split("/")
    code = parts[1] if len(parts) > 1 else parts[0]
    return db.session.scalar(select(Place.name).where(Place.code == code)) or code


def due_for_sweep(limit: int = 500) -> list[int]:
    now = clock.now()
    ids = list(db.session.scalars(
        select(Notification.id)
        .where(or_(and_(Notification.status == "queued", Notification.created_at < now - sweep_grace()),
                   and_(Notification.status == "sending", Notification.claimed_at < now - lease())))
        .order_by(Notification.id).limit(limit)))
    db.session.commit()  # end the read transaction before publishing
    return ids
