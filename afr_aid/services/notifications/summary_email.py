"""Rendering a weekly summary for one recipient, in their language, from the
kept figures only (never from live data: a resend must read the same).

Text part, HTML part with the chart inline (CID) and the same numbers in
tables for readers that block images, an unsubscribe link that needs no
sign-in (also as List-Unsubscribe, one-click per RFC 8058).
"""
from __future__ import annotations

import base64
import re
from types import SimpleNamespace

from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import Notification, WeeklySummary
from ...vocab import INCIDENT_TYPES, NEEDS, label
from . import chart, mailer, memo
from .delivery import message_id
from .preferences import unsubscribe_token
from .summaries import parse_week

CHART_CID = "summary-chart@afr-aid"
LINK_SLOT = "AFRUNSUBSCRIBELINKSLOT"
LINK_TOKEN = re.compile(r"[A-Za-z0-9_.\-]+")


def headline_labels() -> dict[str, str]:
    return {
        "requests_new": _("New assistance requests"),
        "requests_closed": _("Assistance requests closed"),
        "incidents_reported": _("Security incidents reported"),
        "incidents_verified": _("Security incidents reported and verified"),
        "open_backlog": _("Cases open at the end of the period"),
    }


def _number(value) -> str:
    if value is None:
        return "–"
    return format_decimal(value) if isinstance(value, (int, float)) else str(value)


def _change(value) -> str:
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + format_decimal(value)


def _hours(value) -> str:
    return _("%(hours)s h", hours=format_decimal(value)) if value is not None else _("not shown (fewer than 5 cases)")


def context(summary: WeeklySummary, chart_src: str) -> dict:
    """Everything the templates show, translated for the current locale."""
    figures = summary.figures
    monday, sunday = parse_week(summary.week)
    names = figures.get("province_names", {})
    labels = headline_labels()
    headline = [{"label": labels[key], "value": _number(row["value"]), "previous": _number(row["previous"]),
                 "change": _change(row["change"])} for key, row in figures["headline"].items()]
    median = figures["median_hours_to_first_action"]
    tables = []
    for key, title, vocabulary in (
            ("requests_by_need", _("New assistance requests by need"), NEEDS),
            ("requests_by_province", _("New assistance requests by province"), None),
            ("incidents_by_type", _("Security incidents by type"), INCIDENT_TYPES),
            ("incidents_by_province", _("Security incidents by province"), None)):
        cells = figures["breakdowns"].get(key)
        rows = None if cells is None else sorted(
            ((label(vocabulary, code) if vocabulary else names.get(code, code), _number(value))
             for code, value in cells.items()), key=lambda row: row[0])
        tables.append({"title": title, "rows": rows})
    base = current_app.config["BASE_URL"]
    return {
        "summary": summary, "week": summary.week, "partial": summary.partial,
        "period": _("%(start)s to %(end)s", start=format_date(monday, "long"), end=format_date(sunday, "long")),
        "headline": headline, "median": _hours(median["value"]), "median_previous": _hours(median["previous"]),
        "tables": tables, "chart_src": chart_src, "chart_colours": chart.COLOURS, "regions": figures.get("regions"),
        "overdue": [{"ref": ref, "link": f"{base}/cases/{ref}"} for ref in figures.get("overdue", ())],
        "overdue_more": figures.get("overdue_more", False),
        "settings_link": f"{base}/notifications/preferences",
    }


def chart_png(summary: WeeklySummary) -> bytes | None:
    """None when there is nothing to draw (the tables say so)."""
    figures = summary.figures
    names = figures.get("province_names", {})
    requests = figures["breakdowns"].get("requests_by_province")
    incidents = figures["breakdowns"].get("incidents_by_province")
    codes = sorted(set(requests or {}) | set(incidents or {}), key=lambda code: names.get(code, code))
    rows = [(names.get(code, code),
             None if requests is None else requests.get(code, 0),
             None if incidents is None else incidents.get(code, 0)) for code in codes]
    if not rows:
        return None
    if not summary.id:  # a preview not kept: nothing stable to cache it under
        return chart.province_chart(rows)
    return memo.cached(("chart", _identity(summary)), lambda: chart.province_chart(rows))


def subject(summary: WeeklySummary) -> str:
    text = _("Weekly summary, %(week)s", week=summary.week)
    if summary.partial:
        text += " " + _("(figures so far)")
    return "[AFR Aid] " + text


def render_summary_message(note: Notification):
    user, summary = note.user, _summary_of(note)
    token = unsubscribe_token(user)
    if not LINK_TOKEN.fullmatch(token):  # put in HTML and text as it is: must need no escaping
        raise ValueError("unexpected characters in an unsubscribe token")
    unsubscribe = f"{current_app.config['BASE_URL']}/notifications/unsubscribe/{token}"
    png = chart_png(summary)
    title, text, html = _rendered(summary, user.locale or "en", png is not None)
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return mailer.build(user.email, title, text.replace(LINK_SLOT, unsubscribe), html.replace(LINK_SLOT, unsubscribe),
                        message_id=message_id(note), headers=headers,
                        inline_images=[(CHART_CID, png)] if png else [])


def _rendered(summary, locale: str, with_chart: bool) -> tuple[str, str, str]:
    """Subject, text and HTML for one language, the unsubscribe link left as a
    slot. Rendered once per kept summary and language: a thousand donors
    cost five renderings, not a thousand."""
    def render() -> tuple[str, str, str]:
        with force_locale(locale):
            values = context(summary, chart_src=f"cid:{CHART_CID}" if with_chart else None)
            values["unsubscribe_link"] = LINK_SLOT
            return (subject(summary), render_template("email/summary.txt", **values),
                    render_template("email/summary.html", **values))

    key = ("summary-email", _identity(summary), locale, with_chart)
    return memo.cached(key, render)


def _identity(summary) -> tuple:
    # Ids restart in a fresh database: the stamp and the database tell kept summaries apart.
    return (current_app.config["SQLALCHEMY_DATABASE_URI"], current_app.config["BASE_URL"], summary.id,
            summary.computed_at.isoformat())


def preview_html(summary: WeeklySummary) -> dict:
    """The context for the admin preview page: the chart as a data: URL
    (the page's CSP allows `img-src data:`), no unsubscribe link."""
    png = chart_png(summary)
    return context(summary, chart_src="data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else None)


def _summary_of(note) -> WeeklySummary:
    """The kept summary, read in full only once per process: a kept summary
    never changes, so its stamp is enough to know the copy is still right."""
    stamp = getattr(note, "summary_stamp", None) or db.session.scalar(
        select(WeeklySummary.computed_at).where(WeeklySummary.id == note.summary_id))
    key = ("summary", current_app.config["SQLALCHEMY_DATABASE_URI"], note.summary_id, stamp.isoformat())

    def load():
        row = db.session.get(WeeklySummary, note.summary_id)
        return SimpleNamespace(id=row.id, week=row.week, scope=row.scope, partial=row.partial,
                               figures=row.figures, computed_at=row.computed_at)

    return memo.cached(key, load)
