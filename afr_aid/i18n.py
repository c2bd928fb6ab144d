"""Locale and time zone selection."""
from __future__ import annotations

import zoneinfo
from functools import lru_cache

from flask import current_app, has_request_context, request, session
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept

from .services.accounts.users import UI_LOCALES


def select_locale() -> str:
    if not has_request_context():
        # The command line, Celery tasks: messages in the default language (a
        # task that writes to a user picks that user's locale itself).
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):
        return _api_locale()
    # An explicit choice (the language switcher) wins, also before signing in.
    chosen = session.get("locale") if _has_session() else None
    if chosen in UI_LOCALES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in UI_LOCALES:
        return current_user.locale
    return _accepted() or current_app.config["BABEL_DEFAULT_LOCALE"]


def _accepted() -> str | None:
    """The browser's best named language. A bare "*" names none: it must not
    pick whichever language happens to be listed first."""
    named = LanguageAccept([(value, q) for value, q in request.accept_languages if value != "*"])
    return named.best_match(UI_LOCALES)


def _api_locale() -> str:
    """The API: Accept-Language, else the bearer token's user. Never the cookie
    session or its language switch: the API does not read cookies."""
    best = _accepted()
    if best:
        return best
    from .api.auth import caller_or_none

    user = caller_or_none()
    if user is not None and user.locale in UI_LOCALES:
        return user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """The viewer's own zone when signed in (a donor abroad), else the default."""
    if has_request_context() and current_user and current_user.is_authenticated:
        zone = getattr(current_user, "timezone", None)
        if zone in available_timezones():
            return zone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


@lru_cache(maxsize=1)
def available_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _has_session() -> bool:
    try:
        return bool(session)
    except RuntimeError:
        return False
