"""Emails to the owner of an account when its keys change: two-step sign-in
set up, turned off or reset by an admin; a recovery code used to sign in; new
recovery codes made.

Why: a person who learns a staff member's password could set up two-step
sign-in on their own phone at the first sign-in, or sign in with a stolen
recovery code, and read the cases of a whole region. The notice reaches the
real owner's inbox, who can tell an admin at once (the admin's "phone lost"
reset ends every session). So these notices have no preference and cannot be
switched off, and, like every email here, they name nothing but the event:
no code, no secret, no case.
"""
from __future__ import annotations

import uuid

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ...models import Notification, User
from . import mailer, notify

SUBJECTS = {
    "security_enrolled": _l("Two-step sign-in was set up on your account"),
    "security_disabled": _l("Two-step sign-in was turned off on your account"),
    "security_reset": _l("An administrator reset your two-step sign-in"),
    "security_recovery_used": _l("A recovery code was used to sign in to your account"),
    "security_codes_renewed": _l("New recovery codes were made for your account"),
}
# What follows from a reset, besides the advice every notice gives.
NEXT_STEP = {
    "security_reset": _l("Every session of your account was ended. You will set up two-step sign-in again "
                         "the next time you sign in."),
}


def send(user: User, kind: str) -> Notification:
    """Queues the notice in the caller's transaction (sent once it commits)."""
    if kind not in SUBJECTS:
        raise ValueError(kind)
    return notify.queue(user, kind, None, f"{kind}:{user.id}:{uuid.uuid4().hex}")


def render(note: Notification):
    from .delivery import message_id

    user = note.user
    with force_locale(user.locale or "en"):
        subject = "[AFR Aid] " + str(SUBJECTS[note.kind])
        context = {"subject": subject, "next_step": NEXT_STEP.get(note.kind)}
        text = render_template("email/security.txt", **context)
        html = render_template("email/security.html", **context)
    return mailer.build(user.email, subject, text, html, message_id=message_id(note))
