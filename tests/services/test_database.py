"""Database settings that users feel: on SQLite, WAL, foreign keys, and writes
that queue instead of failing with "database is locked"; on both databases,
many people filing at once get unique, gap-free references."""
from __future__ import annotations

import shutil
import sqlite3
import threading
import uuid
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from afr_aid.extensions import db
from afr_aid.models import Case, CaseCounter, CaseEvent, User
from afr_aid.services.accounts.users import create_user
from afr_aid.services.cases.records import file_case

from ..conftest import CHEAP_ARGON2, PASSWORD, TEST_DB_URL, _make_app, assistance_data, incident_data


@pytest.fixture
def sqlite_app(sqlite_template, tmp_path):
    """An app on its own SQLite file, whatever TEST_DATABASE_URL says."""
    target = tmp_path / "afr.sqlite"
    shutil.copy(sqlite_template, target)
    app = _make_app(tmp_path / "instance", f"sqlite:///{target}")
    assert app.config["ARGON2_PARAMS"] == CHEAP_ARGON2
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(sqlite_app):
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_sqlite_refuses_a_row_pointing_at_nothing(sqlite_app):
    db.session.add(CaseEvent(case_id=987654, action="note", note="orphan"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_sqlite_reads_take_no_lock_and_the_first_write_waits_for_it(sqlite_app):
    """A transaction reads without a lock; its first write (or SELECT ... FOR
    UPDATE) takes the write lock, waiting for it instead of failing, and from
    there sees what the writer before it committed."""
    user_id = create_user(None, email="late@tests.afr-aid.org", name="Late", role="volunteer", password=PASSWORD).id
    db.session.commit()
    assert db.session.scalar(select(User.name).where(User.id == user_id)) == "Late"  # a read: no lock
    other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")  # free: the session only read
        other.execute("UPDATE users SET name = 'Renamed' WHERE id = ?", (user_id,))
        holder = threading.Timer(0.3, other.execute, args=("COMMIT",))
        holder.start()
        # Waits for the other writer's commit (an upgraded read snapshot would fail
        # at once), then reads what it committed.
        name = db.session.execute(select(User.name).where(User.id == user_id).with_for_update()).scalar_one()
        holder.join()
        assert name == "Renamed"
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")  # the session holds the write lock now
        db.session.execute(text("UPDATE users SET name = 'Later' WHERE id = :id"), {"id": user_id})
        db.session.commit()
        other.execute("BEGIN IMMEDIATE")  # free again once the session is done
        assert other.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchone() == ("Later",)
        other.execute("ROLLBACK")
    finally:
        other.close()


@pytest.mark.parametrize("first_write", ["insert", "update", "delete", "savepoint"])
def test_sqlite_any_first_write_waits_for_the_lock(sqlite_app, first_write):
    """Whatever the first write is, a concurrent writer's commit does not make
    it fail with "database is locked" (SQLITE_BUSY_SNAPSHOT)."""
    user = create_user(None, email="w@tests.afr-aid.org", name="W", role="volunteer", password=PASSWORD)
    user_id = user.id
    db.session.commit()
    db.session.get(User, user_id)  # a read: the snapshot the write would have had to upgrade
    other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE users SET name = 'Other' WHERE id = ?", (user_id,))
        other.execute("COMMIT")  # committed after the session's snapshot began
    finally:
        other.close()
    if first_write == "insert":
        db.session.add(CaseEvent(case_id=987654, action="note", note="x"))
        with pytest.raises(IntegrityError):  # the foreign key, not "locked"
            db.session.flush()
        db.session.rollback()
        return
    if first_write == "update":
        db.session.execute(text("UPDATE users SET away = 1 WHERE id = :id"), {"id": user_id})
    elif first_write == "delete":
        db.session.execute(text("DELETE FROM user_regions WHERE user_id = :id"), {"id": user_id})
    else:
        with db.session.begin_nested():
            db.session.execute(text("UPDATE users SET away = 1 WHERE id = :id"), {"id": user_id})
    assert db.session.scalar(select(User.name).where(User.id == user_id)) == "Other"
    db.session.commit()


DATABASES = ["sqlite"] + (["postgresql"] if TEST_DB_URL else [])
THREADS, EACH = 8, 20


@pytest.mark.parametrize("database", DATABASES)
def test_eight_people_filing_twenty_cases_each_at_once(request, database):
    app = request.getfixturevalue("sqlite_app" if database == "sqlite" else "app")
    user_ids = []
    for i in range(THREADS):
        user_ids.append(create_user(None, email=f"filer{i}@tests.afr-aid.org", name=f"Filer {i}", role="volunteer",
                                    password=PASSWORD, regions=["CD-NK"]).id)
    create_user(None, email="coord@tests.afr-aid.org", name="Coordinator", role="coordinator", password=PASSWORD,
                regions=["CD-NK"])  # critical cases notify them, inside the same transactions
    db.session.commit()
    db.session.close()  # hold no lock while the threads work

    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def filer(user_id):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                db.session.commit()  # start from no transaction, as a request does
                start.wait(timeout=30)
                for j in range(EACH):
                    if j % 2:
                        data = incident_data(urgency="critical" if j % 4 == 1 else "low")
                        data["occurred_on"] = date.fromisoformat(data["occurred_on"])
                        file_case(user, "incident", uuid.uuid4(), data)
                    else:
                        file_case(user, "assistance", uuid.uuid4(), assistance_data(urgency="low"))
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=filer, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "filing hung"
    assert not errors, [repr(e) for e in errors[:3]]

    rows = db.session.execute(select(Case.kind, Case.number, Case.ref, Case.created_by_id)).all()
    assert len(rows) == THREADS * EACH
    assert len({ref for _, _, ref, _ in rows}) == len(rows)
    for kind in ("assistance", "incident"):
        numbers = sorted(number for k, number, _, _ in rows if k == kind)
        assert numbers == list(range(1, THREADS * EACH // 2 + 1)), kind  # no gap, no repeat
        assert db.session.scalar(select(CaseCounter.last).where(CaseCounter.kind == kind)) == len(numbers)
    per_filer = {uid: sum(1 for *_, by in rows if by == uid) for uid in user_ids}
    assert set(per_filer.values()) == {EACH}
    assert db.session.scalar(select(db.func.count()).select_from(CaseEvent)) == THREADS * EACH


@pytest.mark.parametrize("action", ["accept", "close"])
def test_a_double_submitted_action_happens_once(app, make_user, action):
    """A volunteer on a slow connection taps twice: two requests race. One
    wins; the other sees the new status and is refused (409), so the timeline
    and the notifications hold the action once."""
    from afr_aid.errors import Conflict
    from afr_aid.services.cases import records as cases_service
    from afr_aid.services.cases import workflow

    coordinator = make_user("coordinator", regions=["CD-NK"])
    volunteer = make_user("volunteer", regions=["CD-NK"])
    other = make_user("volunteer", regions=["CD-NK"])
    data = assistance_data(urgency="low")
    case, _ = file_case(other, "assistance", uuid.uuid4(), data)
    workflow.transition(coordinator, case, "assign", {"assignee": volunteer.email})
    ref = case.ref
    actor_id = volunteer.id if action == "accept" else coordinator.id
    fields = {"outcome": "assisted"} if action == "close" else {}
    db.session.commit()
    db.session.close()

    first_loaded, second_done = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def attempt(name, before=None, after=None):
        with app.app_context():
            try:
                if before:
                    before()
                actor = db.session.get(User, actor_id)
                loaded = cases_service.get_case(actor, ref)
                if name == "first":
                    first_loaded.set()
                    # The second request commits meanwhile: this one only read so far,
                    # which takes no lock on either database.
                    second_done.wait(timeout=1.5)
                workflow.transition(actor, loaded, action, fields)
                results[name] = "done"
            except Conflict:
                db.session.rollback()
                results[name] = "conflict"
            except BaseException as error:  # noqa: BLE001
                db.session.rollback()
                results[name] = repr(error)
            finally:
                if after:
                    after()

    first = threading.Thread(target=attempt, args=("first",))
    second = threading.Thread(target=attempt, args=("second", lambda: first_loaded.wait(timeout=10),
                                                    second_done.set))
    first.start()
    second.start()
    first.join(timeout=60)
    second.join(timeout=60)
    assert sorted(results.values()) == ["conflict", "done"], results
    case = db.session.scalar(select(Case).where(Case.ref == ref))
    timeline = db.session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case.id)).all()
    assert timeline.count(action) == 1, timeline
