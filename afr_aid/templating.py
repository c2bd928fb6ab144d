"""What every template can use: vocabulary labels, formatting, the user's menu."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_timedelta, get_locale
from flask_login import current_user

from . import permissions, vocab


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject():
        return {"vocab": vocab, "label": vocab.label, "perm": permissions, "now": datetime.now(timezone.utc),
                "current_locale": str(get_locale() or "en"), "LOCALES": LOCALE_NAMES,
                "url_with": url_with, "case_flags": case_flags}

    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["yesno"] = yesno


def yesno(value) -> str:
    from flask_babel import gettext as _

    if value is None:
        return ""
    return _("Yes") if value else _("No")


def case_flags(case) -> list[str]:
    """What needs attention on a case now: `overdue`, `unassigned` (see DOMAIN.md)."""
    from .services.cases import attention_flags

    return attention_flags(case, datetime.now(timezone.utc))


# Each language named in itself, for the switcher.
LOCALE_NAMES = {"rw": "Kinyarwanda", "sw": "Kiswahili", "fr": "Français", "en": "English", "ln": "Lingála"}


def ago(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_timedelta(value - datetime.now(timezone.utc), add_direction=True, granularity="minute")


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    # flat=False keeps repeated arguments (several statuses) in the link.
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)
