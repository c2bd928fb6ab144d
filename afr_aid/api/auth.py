"""Who calls the API: a bearer token, and nothing else.

The session cookie of the web pages is never looked at here, so a page on
another site cannot make a signed-in browser call the API (no CSRF exposure),
and CSRFProtect can leave the API blueprints alone.
"""
from __future__ import annotations

from flask import request
from flask_babel import refresh

from ..errors import Unauthorized
from ..models import ApiToken, User
from ..services.accounts.sessions import user_for_bearer

# Kept on the request object (not `g`): one request, one caller, even when
# tests run several requests inside one application context.
_KEY = "afr_api_caller"


def current_user() -> User:
    """The caller, or 401."""
    caller = getattr(request, _KEY, None)
    if caller is None:
        caller = user_for_bearer()
        if caller is None:
            raise Unauthorized(code="unauthorized")
        setattr(request, _KEY, caller)
        refresh()  # the language may now follow the user's locale
    return caller[0]


def current_token() -> ApiToken:
    current_user()
    return getattr(request, _KEY)[1]


def caller_or_none() -> User | None:
    """For locale selection: the caller if already known, without a lookup."""
    caller = getattr(request, _KEY, None)
    return caller[0] if caller else None
