"""The query plans of the hot queries, on the database of DATABASE_URL
(loaded with `flask demo --scale N`): EXPLAIN QUERY PLAN on SQLite, EXPLAIN
(ANALYZE, BUFFERS) on PostgreSQL. The queries are the services' own, built
for the demo coordinator of North Kivu.

    DATABASE_URL=... AFR_INSTANCE_PATH=... .venv/bin/python -m benchmarks.plans
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from afr_aid import clock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The lists the load benchmark asks for (benchmarks/scale.py).
QUEUE = {"status": ["new", "assigned", "accepted", "in_progress"], "urgency": "high", "location": "CD-NK-GOM"}
LONG_LIST = {"kind": "assistance", "location": "CD-NK", "overdue": False}
COORDINATOR = "coord.nk@demo.afr-aid.org"


def _sql(query, engine) -> tuple[str, tuple | dict]:
    compiled = query.compile(engine, compile_kwargs={"render_postcompile": True})
    if engine.dialect.name == "sqlite":
        return str(compiled), tuple(compiled.params[name] for name in compiled.positiontup)
    return str(compiled), compiled.params


def explain(query) -> list[str]:
    from afr_aid.extensions import db

    engine = db.engine
    sql, params = _sql(query, engine)
    connection = db.session.connection()
    if engine.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
        return [row[-1] for row in rows]
    rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params).all()
    return [row[0] for row in rows]


def queries(deep_cursor: str | None = None, name_query: str = "Alinne Uwimanna"):
    """{label: SELECT} for the coordinator: what the API runs."""
    from sqlalchemy import select

    from afr_aid.extensions import db
    from afr_aid.models import Case, CaseEvent, User
    from afr_aid.services.cases import records as cases

    user = db.session.scalar(select(User).where(User.email == COORDINATOR))

    def page(filters, cursor=None, limit=25):
        query = cases.filtered_cases(user, filters)
        if cursor:
            created_at, case_id = cases.decode_cursor(cursor)
            from sqlalchemy import tuple_

            query = query.where(Case.created_at <= created_at, tuple_(Case.created_at, Case.id) < (created_at, case_id))
        return query.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit + 1)

    ref = db.session.scalar(select(Case.ref).where(Case.place_path.startswith("CD/CD-NK/")).order_by(Case.id.desc()))
    case_id = db.session.scalar(select(Case.id).where(Case.ref == ref))
    out = {
        "queue, first page (3 filters)": page(QUEUE),
        "long list, first page": page(LONG_LIST),
        "case detail": cases.permissions.visible_cases(user).where(Case.ref == ref),
        "timeline": select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id),
        "name search (misspelt)": page({"q": name_query}),
        "coordinator's open queue (web page)": None,
    }
    if deep_cursor:
        out["long list, deep page (keyset)"] = page(LONG_LIST, deep_cursor)
    from sqlalchemy import case as sql_case

    from afr_aid.vocab import OPEN_STATUSES, URGENCY_RANK

    rank = sql_case(URGENCY_RANK, value=Case.urgency)

    now = clock.now()
    out["coordinator's open queue (web page)"] = (
        cases.filtered_cases(user, {"status": list(OPEN_STATUSES)})
        .order_by(sql_case((Case.due_at < now, 0), else_=1), rank, Case.due_at, Case.id).limit(50))
    return out


def report(deep_cursor: str | None = None) -> dict[str, list[str]]:
    from afr_aid.extensions import db

    plans = {label: explain(query) for label, query in queries(deep_cursor).items()}
    db.session.rollback()
    return plans


def main() -> None:
    from afr_aid import create_app

    app = create_app()
    with app.app_context():
        cursor = sys.argv[1] if len(sys.argv) > 1 else None
        print(json.dumps(report(cursor), indent=1))


if __name__ == "__main__":
    main()
