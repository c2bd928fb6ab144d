"""A request that wrote nothing ends its transaction with COMMIT, not ROLLBACK
(PostgreSQL only).

psycopg prepares a statement on the server after its fifth execution on a
connection, so PostgreSQL parses and plans it once; but it drops every
prepared statement at each ROLLBACK, and Flask-SQLAlchemy ends every request
with one (the session's close, then the pool's reset). A page or API read
therefore planned its queries afresh every time: 2.0 ms of PostgreSQL CPU for
the coordinator's queue against 0.7 ms for the same SQL kept prepared
(benchmarks/RESULTS.md). Committing a transaction that wrote nothing changes
nothing in the database, so that is what a read-only request does.

"Wrote nothing" is strict: no pending ORM change in the session, and no
statement other than SELECT sent on the connection since the transaction
began (a SELECT ... FOR UPDATE only locks, which a commit releases as a
rollback would). Anything else keeps the rollback.
"""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

WROTE = "afr_wrote"


def init_app(app: Flask, engine: Engine) -> None:
    """After db.init_app: Flask runs teardown functions in reverse order of
    registration, so this one runs before the session is removed."""
    if engine.dialect.name != "postgresql":
        return
    event.listen(engine, "before_cursor_execute", _note_writes)
    event.listen(engine, "commit", _forget)
    event.listen(engine, "rollback", _forget)

    from .extensions import db

    @app.teardown_appcontext
    def _commit_if_read_only(error):
        session = db.session()
        if error is not None or not session.in_transaction():
            return
        if session.new or session.dirty or session.deleted:
            return
        if session.connection().info.get(WROTE):
            return
        session.commit()


def _note_writes(conn, cursor, statement, parameters, context, executemany):
    if not statement.lstrip()[:6].upper() == "SELECT":
        conn.info[WROTE] = True


def _forget(conn):
    conn.info.pop(WROTE, None)
