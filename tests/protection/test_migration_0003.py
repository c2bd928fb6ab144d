"""Migration 0003 on a database with data from before: plain-text identifiers
become ciphertext, the name index is built, the audit log is chained; on
SQLite and PostgreSQL. Then back down and up again. Migration 0007 on the way
encrypts the free text (description, notes) the same way."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, create_engine, select, text

from afr_aid.extensions import db
from afr_aid.models import Case
from afr_aid.services.cases import records as cases_service
from afr_aid.services.protection import audit

from ..cli.conftest import REPO, flask_process
from ..cli.test_migrations import DATABASES, _psycopg, empty_database  # noqa: F401 - fixture
from ..conftest import _make_app

NAMES = {"person_name": "Aline Uwimana", "person_phone": "+243990000001", "person_unhcr_id": "U-77"}
FREE_TEXT = {"description": "Aline sleeps at her aunt's in Ndosho.", "note": "Aline's aunt called."}


def _revision_before_0003() -> str:
    config = AlembicConfig(str(REPO / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(REPO / "migrations"))
    return ScriptDirectory.from_config(config).get_revision("0003").down_revision


def _seed_plain(url: str) -> None:
    engine = create_engine(_psycopg(url))
    now = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
    try:
        with engine.begin() as conn:
            meta = MetaData()
            users, cases, log, events = (Table(name, meta, autoload_with=conn)
                                         for name in ("users", "cases", "audit_log", "case_events"))
            def new_uuid():  # as the Uuid type stores it on each database
                return uuid.uuid4().hex if conn.dialect.name == "sqlite" else uuid.uuid4()

            place = conn.execute(text("SELECT id, path FROM places WHERE code = 'CD-NK-GOM'")).one()
            user_id = conn.execute(users.insert().values(
                email="admin@tests.afr-aid.org", name="Admin", role="admin", password_hash="x", active=True,
                away=False, locale="en", languages=[], skills=[], failed_logins=0, created_at=now)
                .returning(users.c.id)).scalar()
            common = dict(kind="assistance", year=2026, status="new", urgency="low", created_at=now, updated_at=now,
                          due_at=now, location_id=place.id, place_path=place.path, created_by_id=user_id,
                          consent_record=True, consent_share=True, consent_statistics=True)
            case_id = conn.execute(cases.insert().values(
                ref="AR-2026-000001", number=1, client_uuid=new_uuid(), description=FREE_TEXT["description"],
                **common, **NAMES).returning(cases.c.id)).scalar()
            conn.execute(events.insert().values(case_id=case_id, at=now, actor_id=user_id, action="note",
                                                note=FREE_TEXT["note"]))
            conn.execute(cases.insert().values(ref="SI-2026-000001", number=1, client_uuid=new_uuid(),
                                               **dict(common, kind="incident"), reporter_name="Jean Temoin",
                                               reporter_phone="0999", perpetrator_detail="Commander X"))
            for n in range(5):
                conn.execute(log.insert().values(at=now, actor_id=user_id, action="case.view",
                                                 target="AR-2026-000001", detail={"n": n}))
    finally:
        engine.dispose()


@pytest.mark.parametrize("empty_database", DATABASES, indirect=True)
def test_upgrade_encrypts_indexes_and_chains_existing_rows(empty_database, tmp_path):
    instance = tmp_path / "inst"
    before = _revision_before_0003()
    done = flask_process(["db", "upgrade", before], database_url=empty_database, instance=instance)
    assert done.returncode == 0, done.stderr[-3000:]
    _seed_plain(empty_database)
    done = flask_process(["db", "upgrade"], database_url=empty_database, instance=instance)
    assert done.returncode == 0, done.stderr[-3000:]

    app = _make_app(instance, empty_database)
    with app.app_context():
        raw = db.session.execute(text("SELECT person_name, person_phone, person_unhcr_id, reporter_name, "
                                      "reporter_phone, perpetrator_detail FROM cases ORDER BY id")).all()
        assert all(v is None or v.startswith("gAAAA") for row in raw for v in row)
        person = db.session.scalar(select(Case).where(Case.ref == "AR-2026-000001"))
        assert {name: getattr(person, name) for name in NAMES} == NAMES
        stored = db.session.execute(text("SELECT c.description, e.note FROM cases c JOIN case_events e "
                                         "ON e.case_id = c.id WHERE c.ref = 'AR-2026-000001'")).one()
        assert all(value.startswith("gAAAA") for value in stored)
        assert person.description == FREE_TEXT["description"]
        assert [e.note for e in cases_service.events_of(person.created_by, person)] == [FREE_TEXT["note"]]
        admin = person.created_by
        items, _ = cases_service.list_cases(admin, {"q": "Uwimanna"})
        assert [c.ref for c in items] == ["AR-2026-000001"]
        items, _ = cases_service.list_cases(admin, {"q": "Temoin"})
        assert [c.ref for c in items] == ["SI-2026-000001"]
        assert audit.verify_chain() == (None, None, 5)
        audit.record_now(admin, "case.view", "SI-2026-000001")  # the chain goes on from there
        assert audit.verify_chain() == (None, None, 6)
        db.session.remove()
        db.engine.dispose()

    # Down to plain text and up again: the same keys read everything.
    done = flask_process(["db", "downgrade", before], database_url=empty_database, instance=instance)
    assert done.returncode == 0, done.stderr[-3000:]
    engine = create_engine(_psycopg(empty_database))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT person_name FROM cases WHERE ref = 'AR-2026-000001'")).scalar() \
            == "Aline Uwimana"
        assert conn.execute(text("SELECT description FROM cases WHERE ref = 'AR-2026-000001'")).scalar() \
            == FREE_TEXT["description"]
        assert conn.execute(text("SELECT note FROM case_events")).scalar() == FREE_TEXT["note"]
    engine.dispose()
    done = flask_process(["db", "upgrade"], database_url=empty_database, instance=instance)
    assert done.returncode == 0, done.stderr[-3000:]
    verify = flask_process(["audit", "verify"], database_url=empty_database, instance=instance)
    assert verify.returncode == 0 and "intact: 6 entries" in verify.stdout, verify.stderr
