"""Signing in to the API: a bearer token for good credentials, and its end."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ...errors import Unauthorized
from ...extensions import db
from ...models import ApiToken, User
from ..protection import audit
from . import two_factor
from .sessions import issue_token, revoke_token
from .users import SignInRefused, authenticate, finish_sign_in


def check_second_factor(user: User, otp: str | None) -> None:
    """Two-step sign-in for the API (docs/domain.md, POST /api/v1/tokens).

    For a user who must use a second factor (admins, coordinators) or chose
    one: Unauthorized(code="otp_setup_required") when the user has not
    enrolled yet (enrolment happens on the web pages), and
    Unauthorized(code="otp_required") when `otp` is missing, wrong or already
    used. `otp` is the current 6-digit code or a recovery code. It runs after
    the password check, so a wrong password never reveals whether a user has a
    second factor. A wrong code counts toward the account's lockout.
    """
    if not two_factor.needs_second_factor(user):
        return
    if not user.totp_enrolled:
        raise Unauthorized(_l("Set up two-step sign-in on the sign-in page of the website first."),
                           code="otp_setup_required")
    try:
        two_factor.verify(user, otp)
    except two_factor.SecondFactorRefused:
        raise Unauthorized(_l("Enter the current 6-digit code from your authenticator app, "
                              "or one of your recovery codes."), code="otp_required")


def sign_in(email: str, password: str, otp: str | None = None) -> tuple[str, datetime]:
    """A new token (and when it expires) for good credentials; 401 otherwise.
    A wrong password, an unknown email, a locked or inactive account all read
    the same. The sign-in goes to the audit log with the token, in one commit."""
    try:
        user = authenticate(email, password)
    except SignInRefused:
        raise Unauthorized(_l("Wrong email or password."))
    check_second_factor(user, otp)
    finish_sign_in(user)
    token, expires_at = issue_token(user)
    audit.record(user, "login", user.email, via="api")
    db.session.commit()
    return token, expires_at


def sign_out(token: ApiToken) -> None:
    """The token stops working at once, in every worker process."""
    revoke_token(token)
