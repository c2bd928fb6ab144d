"""A request that wrote nothing ends its transaction with COMMIT, not ROLLBACK
(PostgreSQL only).

psycopg prepares a statement on the server after its fifth execution on a
connection, so PostgreSQL parses and plans it once; but it drops every
prepared statement at each ROLLBACK, and Flask-SQLAlchemy ends every request
with one (the session's close, then the pool's reset). A page or API read
therefore planned its queries afresh every time: 2.0 ms of PostgreSQL CPU for
the coordinator's queue, 0.9 ms with them kept (the bare-SQL baseline's: 0.7;
benchmarks/RESULTS.md). Committing a transaction that wrote nothing changes
nothing in the database, so that is what a read-only request does.

"Wrote nothing" is strict: no pending ORM change in the session, and no
statement other than SELECT sent on the connection since the transaction
began (a SELECT ... FOR UPDATE only locks, which a commit releases as a
rollback would). Anything else keeps the rollback, as does a session left
failed by an error. Writes that bypass SQLAlchemy's statements (COPY in
services/cases/name_index.py) mark the connection themselves (`mark_written`); a
SELECT of a function that writes would not be seen, and the code has none.
"""
from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("afr_aid.read_only_commit")
WROTE = "afr_wrote"


def mark_written(connection: Connection) -> None:
    """For writes sent past SQLAlchemy's statement events (COPY)."""
    connection.info[WROTE] = True


def init_app(app: Flask, engine: Engine) -> None:
    """After db.init_app: Flask runs teardown functions in reverse order of
    registration, so this one runs before the session is removed."""
    if engine.dialect.name != "postgresql":
        return
    event.listen(engine, "before_cursor_execute", _note_writes)
    event.listen(engine, "commit", _forget)
    event.listen(engine, "rollback", _forget)

    from ..extensions import db

    @app.teardown_appcontext
    def _commit_if_read_only(error):
        session = db.session()
        # A session an error left failed (a flush refused, not rolled back)
        # is not active: it must be rolled back, which the removal does.
        if error is not None or not session.in_transaction() or not session.is_active:
            return
        if session.new or session.dirty or session.deleted:
            return
        try:
            if session.connection().info.get(WROTE):
                return
            session.commit()
        except SQLAlchemyError as problem:
            # Never the message: it may quote the SQL and its parameters.
            log.warning("read-only commit failed (%s); rolled back", type(problem).__name__)
            session.rollback()


def _note_writes(conn, cursor, statement, parameters, context, executemany):
    if not statement.lstrip()[:6].upper() == "SELECT":
        conn.info[WROTE] = True


def _forget(conn):
    conn.info.pop(WROTE, None)
