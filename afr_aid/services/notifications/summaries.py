"""Weekly summaries: figures computed once per week and scope, then one
outbox message per recipient and week.

Donors get movement-wide figures (scope `movement`); coordinators their
regions' (scope `regions:<codes>`, shared by coordinators with the same
regions) with the references of their overdue cases. The figures are kept in
WeeklySummary (unique per week, scope and partial), the messages are outbox
rows keyed `summary:<week>:<user id>` (unique): two beat processes, or the
command run twice, compute once and send once. A week still running may be
sent on request; its figures are marked partial and keyed apart, so the
complete week still goes out on Monday.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ... import clock, permissions
from ...errors import Forbidden, Invalid
from ...extensions import db
from ...models import Case, Notification, Place, User, WeeklySummary
from ...vocab import OPEN_STATUSES
from . import outbox, preferences, summary_figures

MOVEMENT = "movement"
MAX_OVERDUE_LISTED = 50
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["SUMMARY_TIMEZONE"])


def parse_week(text: str) -> tuple[date, date]:
    """"2026-W47" -> its Monday and Sunday; Invalid for anything else."""
    match = WEEK_RE.match((text or "").strip())
    try:
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1) if match else None
    except ValueError:
        monday = None
    if monday is None:
        raise Invalid(fields={"week": [_l("Give the week as YYYY-Www, for example 2026-W47.")]})
    return monday, monday + timedelta(days=6)


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def current_week(now: datetime | None = None) -> str:
    return week_of((now or clock.now()).astimezone(_zone()).date())


def last_complete_week(now: datetime | None = None) -> str:
    return week_of((now or clock.now()).astimezone(_zone()).date() - timedelta(days=7))


def bounds(week: str) -> tuple[datetime, datetime]:
    """The week as UTC instants, Monday 00:00 to the next Monday 00:00 in SUMMARY_TIMEZONE."""
    monday, _ = parse_week(week)
    lo = datetime.combine(monday, time.min, _zone())
    return lo.astimezone(timezone.utc), (lo + timedelta(days=7)).astimezone(timezone.utc)


def is_partial(week: str, now: datetime | None = None) -> bool:
    """True for the week still running; Invalid for a week not yet begun."""
    lo, hi = bounds(week)
    now = now or clock.now()
    if lo > now:
        raise Invalid(fields={"week": [_l("This week has not begun yet.")]})
    return hi > now


def recipients() -> dict[str, list[int]]:
    """Scope -> ids of the active users who get that scope's summary and have
    not switched it off. Ids, not objects: they outlive the commits to come."""
    switched_off = preferences.users_with("summary", "off")
    by_scope: dict[str, list[int]] = {}
    users = db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(("donor", "coordinator")))
                               .order_by(User.id))
    for user in users:
        scope = scope_of(user)
        if scope and user.id not in switched_off:
            by_scope.setdefault(scope, []).append(user.id)
    return by_scope


def scope_of(user: User) -> str | None:
    if user.role == "donor":
        return MOVEMENT
    if user.role == "coordinator" and user.regions:
        return "regions:" + ",".join(sorted(place.code for place in user.regions))
    return None


def region_paths(scope: str) -> list[str] | None:
    if scope == MOVEMENT:
        return None
    codes = scope.split(":", 1)[1].split(",")
    return list(db.session.scalars(select(Place.path).where(Place.code.in_(codes)).order_by(Place.path)))


def compute(week: str, scope: str, partial: bool, now: datetime | None = None) -> dict:
    now = now or clock.now()
    lo, hi = bounds(week)
    paths = region_paths(scope)
    figures = summary_figures.compute(permissions.summary_clause(paths), lo, min(hi, now), lo - timedelta(days=7))
    figures.update({"week": week, "scope": scope, "partial": partial})
    if paths is not None:
        figures["regions"] = list(db.session.scalars(select(Place.name).where(
            Place.code.in_(scope.split(":", 1)[1].split(","))).order_by(Place.name)))
        refs = list(db.session.scalars(select(Case.ref).where(
            permissions.summary_overdue_clause(paths), Case.status.in_(OPEN_STATUSES), Case.due_at < now)
            .order_by(Case.due_at, Case.id).limit(MAX_OVERDUE_LISTED + 1)))
        figures["overdue"] = refs[:MAX_OVERDUE_LISTED]
        figures["overdue_more"] = len(refs) > MAX_OVERDUE_LISTED
    return figures


def stored(week: str, scope: str, partial: bool) -> WeeklySummary | None:
    return db.session.scalar(select(WeeklySummary).where(
        WeeklySummary.week == week, WeeklySummary.scope == scope, WeeklySummary.partial.is_(partial)))


def get_or_compute(week: str, scope: str, partial: bool) -> WeeklySummary:
    """The kept figures, computing and keeping them the first time."""
    summary = stored(week, scope, partial)
    if summary is not None:
        return summary
    summary = WeeklySummary(week=week, scope=scope, partial=partial, figures=compute(week, scope, partial),
                            computed_at=clock.now())
    db.session.add(summary)
    try:
        db.session.commit()
    except IntegrityError:  # computed at the same moment by another process: use theirs
        db.session.rollback()
        summary = stored(week, scope, partial)
    return summary


def message_key(week: str, partial: bool, user_id: int) -> str:
    return f"summary:{week}{'-partial' if partial else ''}:{user_id}"


def send_week(week: str, dry_run: bool = False) -> dict:
    """Queues the week's summary for every recipient who has not had it.
    Returns {"week", "partial", "scopes", "recipients", "queued", "already"}."""
    partial = is_partial(week)
    by_scope = recipients()
    report = {"week": week, "partial": partial, "scopes": len(by_scope),
              "recipients": sum(len(ids) for ids in by_scope.values()), "queued": 0, "already": 0}
    keys = [message_key(week, partial, user_id) for ids in by_scope.values() for user_id in ids]
    existing = set(db.session.scalars(select(Notification.idempotency_key).where(
        Notification.idempotency_key.in_(keys)))) if keys else set()
    report["already"] = len(existing)
    if dry_run:
        db.session.rollback()
        report["queued"] = len(keys) - len(existing)
        return report
    for scope, ids in by_scope.items():
        fresh = [user_id for user_id in ids if message_key(week, partial, user_id) not in existing]
        if fresh:
            summary = get_or_compute(week, scope, partial)
            report["queued"] += _queue(summary, fresh)
    return report


def _queue(summary: WeeklySummary, user_ids: list[int]) -> int:
    """One outbox row per user (active, not switched off: see recipients);
    rows another process wrote first are skipped by the database itself
    (ON CONFLICT DO NOTHING on the unique key)."""
    now = clock.now()
    rows = [{"user_id": user_id, "case_id": None, "kind": "summary", "summary_id": summary.id,
             "idempotency_key": message_key(summary.week, summary.partial, user_id),
             "status": "queued", "attempts": 0, "created_at": now}
            for user_id in user_ids]
    insert = _insert_ignoring_conflicts()
    statement = (insert(Notification.__table__).on_conflict_do_nothing(index_elements=["idempotency_key"])
                 .returning(Notification.id))
    # Many rows in one statement (SQLAlchemy batches them), compiled once.
    ids = list(db.session.connection().execute(statement, rows).scalars()) if rows else []
    outbox.publish_after_commit(db.session, ids)
    db.session.commit()
    return len(ids)


def _insert_ignoring_conflicts():
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def preview(actor: User, week: str, scope: str) -> tuple[WeeklySummary, bool]:
    """For the admin page: the kept figures if the week was sent, else figures
    computed now and not kept (a preview must not freeze a week). Returns the
    summary and whether it is the kept one."""
    if not permissions.can_preview_summaries(actor):
        raise Forbidden()
    partial = is_partial(week)
    if scope != MOVEMENT and not scope.startswith("regions:"):
        raise Invalid(fields={"scope": [_l("Choose one of the options.")]})
    summary = stored(week, scope, partial)
    if summary is not None:
        return summary, True
    db.session.rollback()
    return WeeklySummary(id=0, week=week, scope=scope, partial=partial, figures=compute(week, scope, partial),
                         computed_at=clock.now()), False


def scopes_for_preview(actor: User) -> list[str]:
    """Every scope a summary would go to this week, donors' first."""
    if not permissions.can_preview_summaries(actor):
        raise Forbidden()
    scopes = sorted(recipients(), key=lambda s: (s != MOVEMENT, s))
    db.session.rollback()
    return scopes or [MOVEMENT]
