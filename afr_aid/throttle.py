"""Throttling of sign-in (Flask-Limiter): the password form, the second step,
POST /api/v1/tokens.

Two counters, shared by the pages and the API: per account (the email, or the
account half-way through signing in) and per client address. Only failed
attempts count (a wrong password, a wrong or missing code), so ordinary use is
never throttled however many people share one address; a request over a limit
answers 429 with Retry-After. The account key is a hash: no email reaches the
store or the log. The account lockout (services/users.py) still applies.
"""
from __future__ import annotations

import hashlib
import time

from flask import current_app, g, request, session
from flask_limiter.util import get_remote_address

from .extensions import limiter

PENDING_KEY = "afr_second_step"  # the half-signed-in state in the cookie session


def account_digest(email: str) -> str:
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:24]


def _account_key() -> str:
    email = None
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("email"), str):
            email = body["email"]
    else:
        email = request.form.get("email")
    if email:
        return "account:" + account_digest(email)
    pending = session.get(PENDING_KEY)
    if isinstance(pending, dict) and pending.get("account"):
        return "account:" + str(pending["account"])
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


def sign_in_step(view):
    """Decorates a view that checks a password or a code."""
    view = limiter.shared_limit(_per_account, scope="sign-in-account", key_func=_account_key,
                                methods=["POST"], deduct_when=_failed)(view)
    return limiter.shared_limit(_per_address, scope="sign-in-address", key_func=get_remote_address,
                                methods=["POST"], deduct_when=_failed)(view)


def retry_after_seconds() -> int:
    """Seconds until the limit that refused this request lets one through."""
    current = limiter.current_limit
    if current is None:
        return 60
    try:
        return max(1, int(current.reset_at - time.time()))
    except Exception:  # noqa: BLE001 - the store may have gone; a minute is a fair guess
        return 60
