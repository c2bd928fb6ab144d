"""Signing in to the API: a bearer token for good credentials, and its end."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..auth.sessions import issue_token, revoke_token
from ..errors import Unauthorized
from ..extensions import db
from ..models import ApiToken, User
from . import audit
from .users import SignInRefused, authenticate


def check_second_factor(user: User, otp: str | None) -> None:
    """Hook for two-factor sign-in (DOMAIN.md, POST /api/v1/tokens).

    Not enforced yet: the TOTP issue fills this in. For a user who must use a
    second factor it will raise Unauthorized(code="otp_setup_required") when
    the user has not enrolled, and Unauthorized(code="otp_required") when `otp`
    is missing or is not the current 6-digit code. It runs after the password
    check, so a wrong password never reveals whether a user has a second factor.
    """
    return None


def sign_in(email: str, password: str, otp: str | None = None) -> tuple[str, datetime]:
    """A new token (and when it expires) for good credentials; 401 otherwise.
    A wrong password, an unknown email, a locked or inactive account all read
    the same. The sign-in goes to the audit log with the token, in one commit."""
    try:
        user = authenticate(email, password)
    except SignInRefused:
        raise Unauthorized(_l("Wrong email or password."))
    check_second_factor(user, otp)
    token, expires_at = issue_token(user)
    audit.record(user, "login", user.email, via="api")
    db.session.commit()
    return token, expires_at


def sign_out(token: ApiToken) -> None:
    """The token stops working at once, in every worker process."""
    revoke_token(token)
