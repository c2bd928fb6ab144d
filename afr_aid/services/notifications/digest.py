"""The daily digest: everything a user chose to receive "in a daily digest",
gathered into one message.

Held rows (status `digest`) are attached to one new outbox row of kind
`digest` whose idempotency key names the user and the day, so two beat
processes gathering at once produce one digest: the second insert fails on
the unique key and changes nothing.
"""
from __future__ import annotations

from datetime import date

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ... import clock
from ...extensions import db
from ...models import Notification, User
from . import mailer
from .delivery import case_context, message_id, subject_for
from .notify import queue


def local_today() -> date:
    return clock.today(current_app.config["SUMMARY_TIMEZONE"])


def gather_all(day: date | None = None) -> int:
    """One digest per user with held notifications; returns how many were made."""
    day = day or local_today()
    user_ids = list(db.session.scalars(select(Notification.user_id).where(Notification.status == "digest")
                                       .distinct().order_by(Notification.user_id)))
    db.session.commit()
    return sum(1 for user_id in user_ids if gather(user_id, day) is not None)


def gather(user_id: int, day: date) -> int | None:
    held = list(db.session.scalars(select(Notification.id).where(
        Notification.user_id == user_id, Notification.status == "digest").order_by(Notification.id)))
    if not held:
        db.session.commit()
        return None
    user = db.session.get(User, user_id)
    digest = queue(user, "digest", None, f"digest:{user_id}:{day.isoformat()}")
    try:
        db.session.flush()
    except IntegrityError:
        # Today's digest exists already (another beat, or an earlier run today):
        # what is held now goes out tomorrow.
        db.session.rollback()
        return None
    db.session.execute(update(Notification)
                       .where(Notification.id.in_(held), Notification.status == "digest")
                       .values(status="digested", digest_id=digest.id))
    db.session.commit()
    return digest.id


def items_of(digest: Notification) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.digest_id == digest.id)
                                   .order_by(Notification.id)))


def render_digest(note: Notification):
    user = note.user
    with force_locale(user.locale or "en"):
        items = []
        for item in items_of(note):
            context = case_context(item.case)
            if context is not None:
                items.append({"subject": subject_for(item.kind, context), **context})
        subject = "[AFR Aid] " + ngettext("Your daily digest: %(num)d notification",
                                          "Your daily digest: %(num)d notifications", len(items))
        settings_link = f"{current_app.config['BASE_URL']}/notifications/preferences"
        text = render_template("email/digest.txt", subject=subject, items=items, settings_link=settings_link)
        html = render_template("email/digest.html", subject=subject, items=items, settings_link=settings_link)
    return mailer.build(user.email, subject, text, html, message_id=message_id(note))
