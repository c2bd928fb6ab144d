"""Aggregate figures: the donor dashboard, the API's /stats, summaries.

Counts from 1 to 4 read "<5" so that no small group can be singled out; when
a breakdown hides exactly one cell, the next smallest is hidden too, so the
hidden one cannot be worked back out from the total.
"""
from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select

from ... import clock, permissions
from ...errors import Forbidden
from ...extensions import db
from ...models import Case, Place, User
from ...vocab import OPEN_STATUSES

SMALL = "<5"


def mask(count: int):
    return SMALL if 0 < count < 5 else count


def mask_breakdown(counts: dict[str, int]) -> dict:
    masked = {key: mask(value) for key, value in counts.items()}
    hidden = [key for key, value in masked.items() if value == SMALL]
    if len(hidden) == 1:
        shown = sorted((value, key) for key, value in counts.items() if masked[key] != SMALL and value > 0)
        if shown:
            masked[shown[0][1]] = SMALL
    return masked


def _bounds(start: date | None, end: date | None) -> tuple[datetime, datetime]:
    today = clock.now().date()
    end = end or today
    start = start or end - timedelta(days=29)
    return (datetime.combine(start, time.min, timezone.utc),
            datetime.combine(end + timedelta(days=1), time.min, timezone.utc))


def check_figures(actor: User) -> None:
    """Whether the actor may see figures at all (volunteers may not: 403)."""
    if not permissions.can_view_dashboard(actor):
        raise Forbidden()


def figures(actor: User, start: date | None = None, end: date | None = None) -> dict:
    """What this user may see, counted between two dates (inclusive)."""
    check_figures(actor)
    lo, hi = _bounds(start, end)
    scope = permissions.stats_clause(actor)
    in_period = Case.created_at.between(lo, hi)

    def count(*where) -> int:
        return db.session.scalar(select(func.count()).select_from(Case).where(scope, *where)) or 0

    def by_province(*where) -> dict[str, int]:
        # Paths read country/province/...: donors never see below the province.
        totals: dict[str, int] = {}
        rows = db.session.execute(select(Case.place_path, func.count()).where(scope, *where)
                                  .group_by(Case.place_path)).all()
        for path, value in rows:
            parts = path.split("/")
            if len(parts) > 1:
                totals[parts[1]] = totals.get(parts[1], 0) + value
        return totals

    assistance, incident = Case.kind == "assistance", Case.kind == "incident"
    needs: dict[str, int] = {}
    types: dict[str, int] = {}
    first_action_hours = []
    for kind, listed, created, acted in db.session.execute(
            select(Case.kind, func.coalesce(Case.needs, Case.types), Case.created_at, Case.first_action_at)
            .where(scope, in_period)):
        target = needs if kind == "assistance" else types
        for code in listed or ():
            target[code] = target.get(code, 0) + 1
        if acted is not None:
            first_action_hours.append((acted - created).total_seconds() / 3600)
    province_names = dict(db.session.execute(select(Place.code, Place.name).where(Place.level == "province")).all())
    result = {
        "from": lo.date().isoformat(),
        "to": (hi - timedelta(days=1)).date().isoformat(),
        "assistance": {
            "new": mask(count(assistance, in_period)),
            "closed": mask(count(assistance, Case.closed_at.between(lo, hi))),
            "by_need": mask_breakdown(needs),
            "by_province": mask_breakdown(by_province(assistance, in_period)),
        },
        "incidents": {
            "reported": mask(count(incident, in_period)),
            "verified": mask(count(incident, in_period, Case.verification == "verified")),
            "by_type": mask_breakdown(types),
            "by_province": mask_breakdown(by_province(incident, in_period)),
        },
        "open_backlog": mask(count(Case.status.in_(OPEN_STATUSES))),
        "median_hours_to_first_action": (round(statistics.median(first_action_hours), 1)
                                         if len(first_action_hours) >= 5 else None),
        "provinces": {code: province_names.get(code, code) for code in sorted(province_names)},
    }
    return result
