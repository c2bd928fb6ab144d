"""The coordinator's queue: the open cases in their scope, overdue first, then
by urgency (critical first) and due time.

It is the page coordinators keep open all day, so it must not grow with the
caseload. Sorting every open case in scope on each view did (93 ms for
18,000 open cases at 250,000 cases, benchmarks/RESULTS.md). The order is
eight runs, overdue or not × four urgencies, each in due-time order: exactly
what the partial index on open cases (urgency, due_at, id) reads, so each run
is an index range that stops after `limit` rows of the coordinator's scope,
and the database merges at most 8 × `limit` rows (17 ms). The scope is a
filter on those ranges: for a coordinator whose regions hold few open cases
of an urgency, that run reads on through other regions' open cases of the
same urgency, so its cost follows the movement's open cases, not its closed
ones; an index led by the place would serve small regions better if one day
they wait on it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import literal, select, text, union_all

from ... import clock, permissions
from ...errors import Forbidden
from ...extensions import db
from ...models import Case
from ...models.case import OPEN_CASES_SQL
from ...vocab import URGENCY_RANK
from .records import _without_people_regions

URGENCIES = sorted(URGENCY_RANK, key=URGENCY_RANK.get)


def queue_for(actor, limit: int = 50, now: datetime | None = None) -> list[Case]:
    if not permissions.works_the_queue(actor):
        raise Forbidden()
    now = now or clock.now()
    scope = permissions.visible_clause(actor)
    runs = []
    for overdue in (True, False):
        for urgency in URGENCIES:
            due = Case.due_at < now if overdue else Case.due_at >= now
            run = (select(Case.id.label("id"), literal(len(runs)).label("run"), Case.due_at.label("due_at"))
                   .where(text(OPEN_CASES_SQL), Case.urgency == urgency, due, scope)
                   .order_by(Case.due_at, Case.id).limit(limit).subquery())
            # SQLite allows LIMIT in a compound SELECT's members only inside a subquery.
            runs.append(select(run.c.id, run.c.run, run.c.due_at))
    merged = union_all(*runs).subquery("queue_runs")
    query = (select(Case).join(merged, merged.c.id == Case.id)
             .options(*_without_people_regions())
             .order_by(merged.c.run, merged.c.due_at, merged.c.id).limit(limit))
    return list(db.session.scalars(query))
