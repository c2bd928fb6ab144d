"""What every template can use: vocabulary labels, formatting, the user's menu."""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from babel import Locale
from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_timedelta, get_locale, ngettext

from .. import clock, permissions, vocab


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject():
        return {"vocab": vocab, "label": vocab.label, "perm": permissions, "now": clock.now(),
                "current_locale": str(get_locale() or "en"), "LOCALES": LOCALE_NAMES,
                "url_with": url_with, "case_flags": case_flags}

    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["yesno"] = yesno
    app.jinja_env.filters["number"] = number


def number(value) -> str:
    """12 345 in French, 12,345 in English; a masked figure ("<5") as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return format_decimal(value)


def yesno(value) -> str:
    from flask_babel import gettext as _

    if value is None:
        return ""
    return _("Yes") if value else _("No")


def case_flags(case) -> list[str]:
    """What needs attention on a case now: `overdue`, `unassigned` (see docs/domain.md)."""
    from ..services.cases.records import attention_flags

    return attention_flags(case, clock.now())


# Each language named in itself, for the switcher.
LOCALE_NAMES = {"rw": "Kinyarwanda", "sw": "Kiswahili", "fr": "Français", "en": "English", "ln": "Lingála"}


def ago(value: datetime | None) -> str:
    """ "3 hours ago" in the reader's language: Babel's CLDR patterns where CLDR
    has them; our own catalogue where it has none (Kinyarwanda and Lingala,
    for which Babel would print "-3 h")."""
    if value is None:
        return ""
    delta = value - clock.now()
    locale = str(get_locale() or "en")
    if _cldr_has_relative_times(locale):
        return format_timedelta(delta, add_direction=True, granularity="minute")
    return relative_time(delta)


@lru_cache(maxsize=None)
def _cldr_has_relative_times(locale: str) -> bool:
    fields = Locale.parse(locale)._data["date_fields"]
    # CLDR's root fallback reads "-{0} h": no words for "ago" in this language.
    return not fields["hour"]["past"]["other"].startswith("-")


# (seconds in the unit, past, future): Babel's rounding, our words.
_UNITS = (
    (365 * 86400, lambda n: ngettext("%(num)d year ago", "%(num)d years ago", n),
     lambda n: ngettext("in %(num)d year", "in %(num)d years", n)),
    (30 * 86400, lambda n: ngettext("%(num)d month ago", "%(num)d months ago", n),
     lambda n: ngettext("in %(num)d month", "in %(num)d months", n)),
    (7 * 86400, lambda n: ngettext("%(num)d week ago", "%(num)d weeks ago", n),
     lambda n: ngettext("in %(num)d week", "in %(num)d weeks", n)),
    (86400, lambda n: ngettext("%(num)d day ago", "%(num)d days ago", n),
     lambda n: ngettext("in %(num)d day", "in %(num)d days", n)),
    (3600, lambda n: ngettext("%(num)d hour ago", "%(num)d hours ago", n),
     lambda n: ngettext("in %(num)d hour", "in %(num)d hours", n)),
    (60, lambda n: ngettext("%(num)d minute ago", "%(num)d minutes ago", n),
     lambda n: ngettext("in %(num)d minute", "in %(num)d minutes", n)),
)


def relative_time(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    for size, past, future in _UNITS:
        value = abs(seconds) / size
        if value >= 0.85 or size == 60:  # Babel's threshold; minutes are the finest grain
            count = max(1, int(round(value)))
            return past(count) if seconds < 0 else future(count)
    raise AssertionError("unreachable")


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
