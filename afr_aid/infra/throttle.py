"""Throttling of sign-in (Flask-Limiter): the password form, the second step,
enrolling, POST /api/v1/tokens, and the code checks of the Security page.

Two counters, shared by the pages and the API: per account (the email sent
with a password; at the code step and enrolling, only the account half-way
through signing in; on the Security page, the signed-in account) and per
client address. Only failed attempts count (a wrong password, a wrong or
missing code), so ordinary use is never throttled however many people share
one address (the address limit is high for that reason: field offices sit
behind one address, and a full bucket refuses good passwords too); a request
over a limit answers 429 with Retry-After. The account key is a hash: no email reaches the
store or the log. The account lockout (services/accounts/users.py) still applies.
"""
from __future__ import annotations

import hashlib

from flask import current_app, g, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user

from .. import clock
from ..extensions import limiter

PENDING_KEY = "afr_second_step"  # the half-signed-in state in the cookie session


def account_digest(email: str) -> str:
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:24]


def _account_key() -> str:
    """The password steps (the sign-in form, POST /api/v1/tokens): the email sent."""
    email = None
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("email"), str):
            email = body["email"]
    else:
        email = request.form.get("email")
    return "account:" + account_digest(email) if email else "account:-"


def _pending_account_key() -> str:
    """The code step and enrolling at sign-in: only the account of the
    half-signed-in note in the session. Whatever the request body says is
    ignored, so an `email` field cannot open a fresh bucket."""
    pending = session.get(PENDING_KEY)
    if isinstance(pending, dict) and pending.get("account"):
        return "account:" + str(pending["account"])
    return "account:-"


def _signed_in_account_key() -> str:
    """Code checks of someone signed in (the Security page): their account."""
    if current_user.is_authenticated:
        return "account:" + account_digest(current_user.email)
    return "account:-"


def sign_in_failed() -> None:
    """Views call this on a refused sign-in step that answers 200 (a page)."""
    g.afr_sign_in_failed = True


def _failed(response) -> bool:
    return response.status_code == 401 or bool(g.get("afr_sign_in_failed"))


def _per_account() -> str:
    return current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"]


def _per_address() -> str:
    return current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"]


def _throttled(view, account_key):
    view = limiter.shared_limit(_per_account, scope="sign-in-account", key_func=account_key,
                                methods=["POST"], deduct_when=_failed)(view)
    return limiter.shared_limit(_per_address, scope="sign-in-address", key_func=get_remote_address,
                                methods=["POST"], deduct_when=_failed)(view)


def sign_in_step(view):
    """Decorates a view that checks a password (the account is the email sent)."""
    return _throttled(view, _account_key)


def code_step(view):
    """Decorates the code step and enrolling at sign-in (the account is the
    half-signed-in one)."""
    return _throttled(view, _pending_account_key)


def signed_in_code_check(view):
    """Decorates a view where someone signed in confirms with a code (the
    account is theirs): counted with the sign-in failures of that account."""
    return _throttled(view, _signed_in_account_key)


def retry_after_seconds() -> int:
    """Seconds until the limit that refused this request lets one through."""
    current = limiter.current_limit
    if current is None:
        return 60
    try:
        return max(1, int(current.reset_at - clock.timestamp()))
    except Exception:  # noqa: BLE001 - the store may have gone; a minute is a fair guess
        return 60
