"""A request that wrote nothing ends with COMMIT on PostgreSQL, so psycopg
keeps the statements it prepared (a ROLLBACK drops them all and every read
was planned again); a request that wrote anything, or holds an unsaved
change, is still rolled back. SQLite keeps the plain rollback."""
from __future__ import annotations

from sqlalchemy import event, func, select

from afr_aid.extensions import db
from afr_aid.models import Place, User


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _commits_during(app, work) -> int:
    """Runs `work` in a fresh application context, as a request does, and
    counts the commits up to the context's end."""
    commits = []
    listener = lambda conn: commits.append(1)  # noqa: E731
    event.listen(db.engine, "commit", listener)
    try:
        with app.app_context():
            work()
    finally:
        event.remove(db.engine, "commit", listener)
    return len(commits)


def test_a_read_keeps_its_prepared_statements_on_postgresql(app):
    used = {}

    def read():
        for _ in range(6):  # psycopg prepares on the fifth execution
            db.session.scalar(select(func.count()).select_from(Place).where(Place.level == "province"))
        used["raw"] = db.session.connection().connection.dbapi_connection

    assert _commits_during(app, read) == (1 if _postgres() else 0)
    if _postgres():
        raw = used["raw"]
        prepared = raw.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%places%'")
        assert prepared.fetchone()[0] >= 1
        raw.rollback()


def test_a_request_that_wrote_is_rolled_back_not_committed(app, make_user):
    someone = make_user("volunteer", name="Before")
    db.session.commit()
    user_id = someone.id

    def flushed_then_left():
        db.session.get(User, user_id).name = "Flushed"
        db.session.flush()  # written, never committed: a request that failed half-way

    def changed_then_left():
        db.session.get(User, user_id).name = "Pending"  # not even flushed

    assert _commits_during(app, flushed_then_left) == 0
    assert _commits_during(app, changed_then_left) == 0
    db.session.expire_all()
    assert db.session.get(User, user_id).name == "Before"


def test_an_error_is_rolled_back_even_after_reads_only(app):
    def failing_read():
        db.session.scalar(select(func.count()).select_from(Place))
        raise LookupError("the request failed")

    commits = []
    listener = lambda conn: commits.append(1)  # noqa: E731
    event.listen(db.engine, "commit", listener)
    try:
        try:
            with app.app_context():
                failing_read()
        except LookupError:
            pass
    finally:
        event.remove(db.engine, "commit", listener)
    assert commits == []


def test_a_session_left_failed_by_a_refused_write_ends_quietly_rolled_back(app, make_user):
    """A flush the database refused, caught and not rolled back: the end of
    the request must neither commit nor raise (the error would quote the SQL)."""
    from sqlalchemy.exc import IntegrityError

    taken = make_user("volunteer").email
    db.session.commit()

    def refused():
        db.session.add(User(email=taken, name="Twin", role="volunteer", password_hash="x"))
        try:
            db.session.flush()
        except IntegrityError:
            pass  # as careless code would

    assert _commits_during(app, refused) == 0
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == taken)) == 1
