"""Who wants which notification how: immediately, in a daily digest, or not at all.

Preferences are per *kind a person understands* (e.g. "critical"), which may
cover several message kinds (a critical case filed, a critical case still
unassigned). No row means "immediately". Assignment and critical alerts can
never be switched off, and critical alerts never wait for a digest; the weekly summary has no digest (it is one already).
"""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ... import permissions
from ...errors import Invalid, NotFound
from ...extensions import db
from ...models import NotificationPreference, User

MODES = {"immediate": _l("Immediately"), "digest": _l("In a daily digest"), "off": _l("Off")}
KINDS = {
    "assignment": _l("A case is assigned to me"),
    "critical": _l("Critical cases in my regions: filed, or still unassigned after 1 hour"),
    "urgent": _l("High-urgency cases filed in my regions"),
    "unassigned": _l("High-urgency cases still unassigned after 3 hours"),
    "decline": _l("A case in my regions was declined"),
    "overdue": _l("Overdue cases"),
    "closed": _l("A case I filed was closed"),
    "summary": _l("Weekly summary of figures"),
}
MANDATORY = ("assignment", "critical")
KINDS_BY_ROLE = {
    "volunteer": ("assignment", "overdue", "closed"),
    "coordinator": ("assignment", "critical", "urgent", "unassigned", "decline", "overdue", "closed", "summary"),
    "donor": ("summary",),
    "admin": ("closed",),
}
# Message kind (Notification.kind) -> the preference that governs it.
GOVERNED_BY = {
    "assignment": "assignment", "critical": "critical", "critical_unassigned": "critical",
    "urgent": "urgent", "unassigned": "unassigned", "decline": "decline", "overdue": "overdue",
    "overdue_escalation": "overdue", "closed": "closed", "summary": "summary",
}
UNSUBSCRIBE_SALT = "afr-aid-unsubscribe"


def modes_for(kind: str) -> tuple[str, ...]:
    if kind == "summary":
        return ("immediate", "off")
    if kind == "critical":
        # A critical case is an attack or a life in danger: an alert that waits
        # for tomorrow's digest is no alert. Immediate only.
        return ("immediate",)
    if kind in MANDATORY:
        return ("immediate", "digest")
    return ("immediate", "digest", "off")


def kinds_for(user: User) -> tuple[str, ...]:
    return KINDS_BY_ROLE.get(user.role, ())


def mode_for(user: User, message_kind: str) -> str:
    """How a message of this kind reaches this user now."""
    if not user.active:
        return "off"
    kind = GOVERNED_BY.get(message_kind)
    if kind is None:  # digests themselves, and anything without a preference
        return "immediate"
    mode = db.session.scalar(select(NotificationPreference.mode).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind == kind))
    return mode if mode in modes_for(kind) else "immediate"


def users_with(kind: str, mode: str) -> set[int]:
    """Ids of the users who chose this mode for this kind (one query, for
    sending to many at once)."""
    return set(db.session.scalars(select(NotificationPreference.user_id).where(
        NotificationPreference.kind == kind, NotificationPreference.mode == mode)))


def preferences_of(actor: User, user: User) -> dict[str, str]:
    if not permissions.can_set_preferences(actor, user):
        raise NotFound()
    stored = dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.mode)
                                     .where(NotificationPreference.user_id == user.id)).all())
    return {kind: stored.get(kind, "immediate") if stored.get(kind) in modes_for(kind) else "immediate"
            for kind in kinds_for(user)}


def set_preferences(actor: User, user: User, choices: dict[str, str]) -> None:
    """Saves the modes given for the kinds this user has; refuses to switch
    off what cannot be, naming the field."""
    if not permissions.can_set_preferences(actor, user):
        raise NotFound()
    errors: dict[str, list] = {}
    allowed = kinds_for(user)
    for kind, mode in choices.items():
        if kind not in allowed:
            errors.setdefault(kind, []).append(_l("This notification does not apply to you."))
        elif mode not in modes_for(kind):
            errors.setdefault(kind, []).append(
                _l("This notification cannot be switched off.") if mode == "off"
                else _l("Critical alerts always come at once.") if kind == "critical"
                else _l("Choose one of the options."))
    if errors:
        raise Invalid(fields=errors)
    for kind, mode in choices.items():
        _store(user, kind, mode)
    db.session.commit()


def _store(user: User, kind: str, mode: str) -> None:
    row = db.session.scalar(select(NotificationPreference).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind == kind))
    if row is None:
        db.session.add(NotificationPreference(user_id=user.id, kind=kind, mode=mode))
    else:
        row.mode = mode


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user: User, kind: str = "summary") -> str:
    """Deterministic (no timestamp), so a resent message is byte-identical, and
    it never expires: an old email's link must still work."""
    return _serializer().dumps({"u": user.id, "k": kind})


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The user and kind a link stands for; 404 for anything forged or stale."""
    try:
        data = _serializer().loads(token)
        user_id, kind = int(data["u"]), str(data["k"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound() from None
    user = db.session.get(User, user_id)
    if user is None or kind not in KINDS or "off" not in modes_for(kind):
        raise NotFound()
    return user, kind


def unsubscribe(token: str) -> tuple[User, str]:
    """The signed token is the authority here: no sign-in needed."""
    user, kind = read_unsubscribe_token(token)
    _store(user, kind, "off")
    db.session.commit()
    return user, kind
