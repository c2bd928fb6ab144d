"""A week's figures for an emailed summary, masked before they are kept.

Counts from 1 to 4 read "<5" (services/protection/stats.py). A breakdown is also checked
against its total: when the hidden cells could be worked back out (one hidden
cell, or hidden cells whose sum leaves each a single possible value, such as
two cells summing to 2 or 8), the next smallest cell is hidden as well; when
nothing would remain shown, the breakdown is withheld altogether. A change
against the week before is given only between two exact figures, since the
difference of a shown and a hidden figure is the hidden one.
"""
from __future__ import annotations

import statistics
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ...extensions import db
from ...models import Case, Place
from ..protection.stats import SMALL, mask, mask_breakdown

HEADLINES = ("requests_new", "requests_closed", "incidents_reported", "incidents_verified", "open_backlog")
BREAKDOWNS = ("requests_by_need", "requests_by_province", "incidents_by_type", "incidents_by_province")
MIN_FOR_MEDIAN = 5


def protect(counts: dict[str, int]) -> dict | None:
    """Masked cells of a breakdown, or None when it cannot be shown safely."""
    cells = {key: value for key, value in counts.items() if value > 0}
    masked = mask_breakdown(cells)
    while True:
        hidden = [key for key, value in masked.items() if value == SMALL]
        if not hidden:
            return masked
        if not _resolvable([cells[key] for key in hidden]):
            return masked
        shown = sorted((value, key) for key, value in cells.items() if masked[key] != SMALL)
        if not shown:
            return None
        masked[shown[0][1]] = SMALL


def _resolvable(hidden: list[int]) -> bool:
    """Whether a reader who knows the hidden cells' sum (the total minus what
    is shown) and that each reads "<5" can tell their values: a single cell;
    a sum equal to the count (all 1s); or all of them truly 4. (When a cell
    hidden to protect another is 5 or more, the reader's "all 4s" is wrong.)"""
    count, total = len(hidden), sum(hidden)
    return count == 1 or total == count or (total == 4 * count and max(hidden) <= 4)


def change(current, previous):
    if isinstance(current, int) and isinstance(previous, int):
        return current - previous
    return None


def compute(scope: ColumnElement[bool], lo: datetime, hi: datetime, previous_lo: datetime) -> dict:
    """Figures of the cases in `scope` for [lo, hi), with the week before
    [previous_lo, lo) for comparison."""
    now_counts, before = _headline_counts(scope, lo, hi), _headline_counts(scope, previous_lo, lo)
    headline = {}
    for key in HEADLINES:
        value, previous = mask(now_counts[key]), mask(before[key])
        headline[key] = {"value": value, "previous": previous, "change": change(value, previous)}
    breakdowns, provinces = _breakdowns(scope, lo, hi)
    return {
        "headline": headline,
        "median_hours_to_first_action": {"value": _median_hours(scope, lo, hi),
                                         "previous": _median_hours(scope, previous_lo, lo)},
        "breakdowns": {key: protect(counts) for key, counts in breakdowns.items()},
        # Kept with the figures, so a resend reads the same even after a rename.
        "province_names": dict(db.session.execute(select(Place.code, Place.name).where(
            Place.code.in_(sorted(provinces)))).all()) if provinces else {},
    }


def _count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(Case).where(*where)) or 0


def _headline_counts(scope, lo: datetime, hi: datetime) -> dict[str, int]:
    created = and_(Case.created_at >= lo, Case.created_at < hi)
    assistance, incident = Case.kind == "assistance", Case.kind == "incident"
    return {
        "requests_new": _count(scope, assistance, created),
        "requests_closed": _count(scope, assistance, Case.closed_at >= lo, Case.closed_at < hi),
        "incidents_reported": _count(scope, incident, created),
        "incidents_verified": _count(scope, incident, created, Case.verification == "verified"),
        # Open when the period ended: filed before, neither resolved nor closed by then.
        "open_backlog": _count(scope, Case.created_at < hi,
                               or_(Case.resolved_at.is_(None), Case.resolved_at >= hi),
                               or_(Case.closed_at.is_(None), Case.closed_at >= hi)),
    }


def _breakdowns(scope, lo: datetime, hi: datetime) -> tuple[dict[str, dict[str, int]], set[str]]:
    result: dict[str, dict[str, int]] = {key: {} for key in BREAKDOWNS}
    provinces: set[str] = set()
    rows = db.session.execute(select(Case.kind, Case.needs, Case.types, Case.place_path).where(
        scope, Case.created_at >= lo, Case.created_at < hi))
    for kind, needs, types, path in rows:
        prefix = "requests" if kind == "assistance" else "incidents"
        listed = (needs if kind == "assistance" else types) or ()
        by_code = result["requests_by_need" if kind == "assistance" else "incidents_by_type"]
        for code in listed:
            by_code[code] = by_code.get(code, 0) + 1
        parts = path.split("/")
        if len(parts) > 1:  # never below the province
            by_province = result[f"{prefix}_by_province"]
            by_province[parts[1]] = by_province.get(parts[1], 0) + 1
            provinces.add(parts[1])
    return result, provinces


def _median_hours(scope, lo: datetime, hi: datetime) -> float | None:
    hours = [(acted - created).total_seconds() / 3600 for created, acted in db.session.execute(
        select(Case.created_at, Case.first_action_at).where(
            scope, Case.created_at >= lo, Case.created_at < hi, Case.first_action_at.is_not(None)))]
    return round(statistics.median(hours), 1) if len(hours) >= MIN_FOR_MEDIAN else None
