"""Migration 0006: the indexes made for the real queries, on both databases,
down and up again; and the plans that use them (SQLite: its plan follows the
query's shape; PostgreSQL's follows table statistics, so its plans were checked
on 250,000 cases with benchmarks/plans.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.services.cases import records as cases_service

from .conftest import flask_process
from .test_migrations import DATABASES, _psycopg, empty_database  # noqa: F401 - the fixture

INDEXES = {"ix_cases_open_created": ["created_at", "id"],
           "ix_cases_open_urgency_created": ["urgency", "created_at", "id"],
           "ix_cases_location": ["location_id"], "ix_cases_duplicate_of": ["duplicate_of_id"],
           "ix_cases_closed_at": ["closed_at"]}
PARTIAL = ("ix_cases_open_created", "ix_cases_open_urgency_created")


def _indexes(url: str) -> dict:
    engine = create_engine(_psycopg(url))
    try:
        return {ix["name"]: ix for ix in inspect(engine).get_indexes("cases")}
    finally:
        engine.dispose()


@pytest.mark.parametrize("empty_database", DATABASES, indirect=True)
def test_0006_adds_the_query_indexes_and_takes_them_back(empty_database, tmp_path):
    instance = tmp_path / "inst"
    done = flask_process(["db", "upgrade"], database_url=empty_database, instance=instance)
    assert done.returncode == 0, done.stderr[-3000:]
    found = _indexes(empty_database)
    for name, columns in INDEXES.items():
        assert found[name]["column_names"] == columns, name
    for name in PARTIAL:
        where = found[name].get("dialect_options", {})
        assert "resolved" in str(where.get("postgresql_where") or where.get("sqlite_where")), (name, where)

    down = flask_process(["db", "downgrade", "0005"], database_url=empty_database, instance=instance)
    assert down.returncode == 0, down.stderr[-3000:]
    assert not set(INDEXES) & set(_indexes(empty_database))
    up = flask_process(["db", "upgrade"], database_url=empty_database, instance=instance)
    assert up.returncode == 0, up.stderr[-3000:]
    assert set(INDEXES) <= set(_indexes(empty_database))


def _plan(query) -> list[str]:
    compiled = query.compile(db.engine, compile_kwargs={"render_postcompile": True})
    params = tuple(compiled.params[name] for name in compiled.positiontup)
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params).all()
    db.session.rollback()
    return [row[-1] for row in rows]


def test_the_queue_and_its_pages_walk_an_index_in_list_order(app, make_user):
    """The coordinator's queue (open cases, an urgency, a place), first page
    and a later one: a partial index on open cases read in list order, no
    sort of the whole list, no scan of the table."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans on empty tables say nothing")
    coordinator = make_user("coordinator", regions=["CD-NK"])
    filters = {"status": ["new", "assigned", "accepted", "in_progress"], "urgency": "high", "location": "CD-NK-GOM"}
    query = cases_service.filtered_cases(coordinator, filters)
    from sqlalchemy import tuple_

    from afr_aid.models import Case

    ordered = query.order_by(Case.created_at.desc(), Case.id.desc()).limit(26)
    now = clock.now()
    later = (query.where(Case.created_at <= now, tuple_(Case.created_at, Case.id) < (now, 10**6))
             .order_by(Case.created_at.desc(), Case.id.desc()).limit(26))
    for plan in (_plan(ordered), _plan(later)):
        assert any("ix_cases_open_urgency_created" in step for step in plan), plan
        assert not any("TEMP B-TREE FOR ORDER BY" in step for step in plan), plan
        assert not any(step.startswith("SCAN cases") for step in plan), plan
