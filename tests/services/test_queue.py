"""services.queue: the coordinator's queue, overdue first, then critical to
low, then by due time; built from index ranges so that it costs the same at
any caseload."""
from __future__ import annotations

import pytest

from afr_aid import clock
from afr_aid.errors import Forbidden
from afr_aid.extensions import db
from afr_aid.services.cases import queue as queue_service
from afr_aid.vocab import URGENCY_RANK

from .conftest import age, bring_to, file


def expected_order(cases, now):
    """The queue's order, spelt out: overdue first, urgency, due time, id."""
    return [c.ref for c in sorted(cases, key=lambda c: (0 if c.due_at < now else 1, URGENCY_RANK[c.urgency],
                                                         c.due_at, c.id))]


@pytest.fixture
def mixed(world):
    """Open cases of every urgency in North Kivu, some overdue, some not; a
    resolved and a closed one; one in South Kivu."""
    shown = []
    for n, urgency in enumerate(["low", "critical", "medium", "high"] * 3):
        case = file(world.filer, urgency=urgency)
        # Filed 0 to 11 days ago: critical cases are overdue within hours, low ones after days.
        shown.append(age(case, days=n))
    shown.append(bring_to(file(world.filer, urgency="high"), "in_progress", world.coord_nk, world.assignee))
    hidden = [bring_to(file(world.filer, urgency="critical"), "resolved", world.coord_nk, world.assignee),
              bring_to(file(world.filer, urgency="critical"), "closed", world.coord_nk, world.assignee),
              file(world.filer, urgency="critical", location="CD-SK-UVI")]
    return shown, hidden


def test_the_queue_is_overdue_first_then_urgency_then_due_time(world, mixed):
    shown, hidden = mixed
    now = clock.now()
    got = [c.ref for c in queue_service.queue_for(world.coord_nk, now=now)]
    assert got == expected_order(shown, now)
    assert not {c.ref for c in hidden} & set(got)
    overdue = [c for c in shown if c.due_at < now]
    assert 0 < len(overdue) < len(shown), "the fixture has both sides of now"


@pytest.mark.parametrize("limit", [1, 3, 5, 8])
def test_a_short_queue_is_the_head_of_the_long_one(world, mixed, limit):
    now = clock.now()
    full = [c.ref for c in queue_service.queue_for(world.coord_nk, now=now)]
    assert [c.ref for c in queue_service.queue_for(world.coord_nk, limit=limit, now=now)] == full[:limit]


def test_each_coordinator_sees_their_own_region_and_volunteers_have_no_queue(world, mixed):
    sk = queue_service.queue_for(world.coord_sk)
    assert [c.location.code for c in sk] == ["CD-SK-UVI"]
    assert len(queue_service.queue_for(world.admin)) == len(mixed[0]) + 1
    with pytest.raises(Forbidden):
        queue_service.queue_for(world.filer)


def test_the_queue_reads_index_ranges_not_every_open_case(app, world, mixed):
    """SQLite's plan (PostgreSQL's depends on table statistics; see
    benchmarks/plans.py): each run a search of the partial index on open
    cases, the cases by primary key, never a scan of the cases table."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans on small tables say nothing")
    statements = []

    from sqlalchemy import event

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        queue_service.queue_for(db.session.merge(world.coord_nk))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, parameters = next((s, p) for s, p in statements if "queue_runs" in s)
    plan = [row[-1] for row in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                       parameters).all()]
    assert sum("ix_cases_open_urgency_due" in step for step in plan) == 8, plan
    assert not any(step.startswith("SCAN cases") for step in plan), plan
