"""Migration 0008 on a database whose name index was built under 0007 (a
canonical key and a skeleton per word): afterwards the index holds the
deletion keys too, and a misspelt name finds the old cases; down again, the
old form comes back. On SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from afr_aid.extensions import db
from afr_aid.infra import crypto
from afr_aid.models import Case, CaseNameToken, User
from afr_aid.services.cases import names
from afr_aid.services.cases import records as cases_service

from ..cli.conftest import flask_process
from ..cli.test_migrations import DATABASES, empty_database  # noqa: F401 - fixture
from ..conftest import _make_app
from .test_migration_0003 import _revision_before_0003, _seed_plain

# "Aline Uwimana", "Jean Temoin": a canonical key a word, and a skeleton but for "Jean"
OLD = {"AR-2026-000001": 4, "SI-2026-000001": 3}


def _index_rows(app) -> dict[str, int]:
    with app.app_context():
        rows = dict(db.session.execute(text(
            "SELECT c.ref, count(t.case_id) FROM cases c LEFT JOIN case_name_tokens t ON t.case_id = c.id "
            "GROUP BY c.ref")).all())
        db.session.remove()
        db.engine.dispose()
    return rows


def _search(app, q) -> list[str]:
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        items, _ = cases_service.list_cases(admin, {"q": q})
        refs = [c.ref for c in items]
        db.session.remove()
        db.engine.dispose()
    return refs


def _index_as_under_0007(app) -> None:
    """The rows 0007's code wrote: no deletion keys. (The upgrade through
    0003 indexes with today's services/cases/names.py, so the old form is made here.)"""
    with app.app_context():
        hasher = crypto.index_hasher(app)
        rows = []
        for case in db.session.scalars(select(Case)):
            for field, value in (("p", case.person_name), ("r", case.reporter_name)):
                rows += [{"case_id": case.id, "field": field, "token_hash": hasher(key)}
                         for key in names.index_keys(value) if not key.startswith("d:")]
        db.session.execute(CaseNameToken.__table__.delete())
        db.session.execute(CaseNameToken.__table__.insert(), rows)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("empty_database", DATABASES, indirect=True)
def test_upgrade_rewrites_the_index_so_a_misspelt_name_finds_old_cases(empty_database, tmp_path):
    instance = tmp_path / "inst"
    done = flask_process(["db", "upgrade", _revision_before_0003()], database_url=empty_database, instance=instance)
    assert done.returncode == 0, done.stderr[-3000:]
    _seed_plain(empty_database)
    done = flask_process(["db", "upgrade", "0007"], database_url=empty_database, instance=instance)
    assert done.returncode == 0, done.stderr[-3000:]
    app = _make_app(instance, empty_database)
    _index_as_under_0007(app)
    assert _index_rows(app) == OLD
    # "Uwimama": a letter changed; neither its canonical key nor its skeleton
    # is stored, only a deletion key meets it.
    assert _search(app, "Uwimama") == []
    assert _search(app, "Uwimana") == ["AR-2026-000001"]

    done = flask_process(["db", "upgrade"], database_url=empty_database, instance=instance)
    assert done.returncode == 0, done.stderr[-3000:]
    new = {"AR-2026-000001": len(names.index_keys("Aline Uwimana")),
           "SI-2026-000001": len(names.index_keys("Jean Temoin"))}
    assert _index_rows(app) == new and new["AR-2026-000001"] == 18
    assert _search(app, "Uwimama") == ["AR-2026-000001"]
    assert _search(app, "Aline Uwiana") == ["AR-2026-000001"]
    assert _search(app, "Temoiin") == ["SI-2026-000001"]
    assert _search(app, "Temion") == ["SI-2026-000001"]

    # Down: the old form again, which 0007's code searches; up again.
    done = flask_process(["db", "downgrade", "0007"], database_url=empty_database, instance=instance)
    assert done.returncode == 0, done.stderr[-3000:]
    assert _index_rows(app) == OLD
    assert _search(app, "Uwimana") == ["AR-2026-000001"]
    done = flask_process(["db", "upgrade"], database_url=empty_database, instance=instance)
    assert done.returncode == 0, done.stderr[-3000:]
    assert _index_rows(app) == new
    assert _search(app, "Uwimama") == ["AR-2026-000001"]
