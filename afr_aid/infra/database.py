"""Engine settings per database.

SQLite: WAL so readers never block the writer, foreign keys on, a busy
timeout, and transactions that read first and write later.

The rule: a transaction begins DEFERRED (a read snapshot, no lock) and becomes
a write transaction at its first write: an INSERT, UPDATE, DELETE, SAVEPOINT
or DDL, or a SELECT ... FOR UPDATE (SQLite's compiler drops FOR UPDATE from
the SQL, so the compiled statement says it). There the read snapshot is ended
and the transaction begins again, IMMEDIATE, on the same connection: it waits
(up to the busy timeout) for the one write lock, then goes on with fresh data.
SQLite cannot simply upgrade the deferred transaction: in WAL a read snapshot
older than another writer's commit can never write (SQLITE_BUSY_SNAPSHOT), and
the upgrade does not wait on the busy timeout either, so concurrent writers
failed at once with "database is locked" (92% of writes with 8 concurrent
writers, measured). Beginning every transaction IMMEDIATE cured that but held
the write lock from a request's first read (the API token) to its commit, one
filing at a time. Taken at the first write, it covers a filing's writes only
(a few ms of its ~7 ms of CPU), and the reads run side by side. Measured with
benchmarks/scale.py (20,000 cases, 32 volunteers filing at once, gunicorn 2
sync workers, 2 cores shared with the load generator), before -> after: 107 ->
224 cases/s, p95 373 -> 191 ms, 0 "database is locked" either way; same-run
alternations 105/104/128 -> 229/114/207 cases/s. Filing is now bound by CPU,
not by the lock.

The wait for the lock polls every LOCK_POLL_SECONDS (see _begin_immediate)
rather than using SQLite's busy handler, whose sleeps grow to 25 ms and more.

What it means for the code: reads before the first write come from a snapshot
that may be older than the write lock, as under PostgreSQL's READ COMMITTED. A
read that decides a write must be taken under the lock: on the row with SELECT
... FOR UPDATE (a row lock on PostgreSQL, the write lock here), or in the
writing statement itself (UPDATE ... WHERE status = ...).
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
import time

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 15_000
LOCK_POLL_SECONDS = 0.0005


def init_app(app: Flask) -> None:
    """Called before db.init_app: sets engine options."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("connect_args", {})["timeout"] = BUSY_TIMEOUT_MS / 1000


def configure_engine(engine: Engine) -> None:
    """Called after db.init_app, on the app's own engine only (not on other
    engines in the process, such as the embedded broker's)."""
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    event.listen(engine, "before_cursor_execute", _before_cursor_execute)
    event.listen(engine, "commit", _on_end)
    event.listen(engine, "rollback", _on_end)


def _on_connect(dbapi_connection, connection_record):
    # Let the "begin" listener below issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's own lower() folds ASCII letters only, so a search for "hélène"
    # would miss "HÉLÈNE"; PostgreSQL folds every letter. Use Python's.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    # The audit chain hashes in SQL (services/protection/audit.py); PostgreSQL has sha256().
    dbapi_connection.create_function("afr_sha256", 1, _sha256_hex, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _sha256_hex(value):
    return hashlib.sha256(value.encode()).hexdigest() if isinstance(value, str) else None


# In conn.info (the DBAPI connection's) while a transaction is open: PENDING
# until its first statement, READING until its first write, WRITING after.
_STATE = "afr_sqlite_transaction"
PENDING, READING, WRITING = "pending", "reading", "writing"
_NOT_WRITES = frozenset({"SELECT", "PRAGMA", "EXPLAIN", "VALUES", "BEGIN", "COMMIT", "END", "ROLLBACK",
                         "RELEASE"})
_WRITE_WORDS = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)


def _on_begin(connection):
    # BEGIN itself waits for the first statement: IMMEDIATE if that one writes.
    connection.info[_STATE] = PENDING


def _on_end(connection):
    connection.info.pop(_STATE, None)


def _before_cursor_execute(connection, cursor, statement, parameters, context, executemany):
    state = connection.info.get(_STATE)
    if state is None or state == WRITING:
        return
    writes = _writes(statement, context)
    dbapi_connection = connection.connection.dbapi_connection
    if state == READING and writes:
        # End the read snapshot (nothing was written in it), then wait for the
        # write lock and go on with fresh data. No transaction is open while
        # waiting: should the wait fail, the next statement begins one again.
        dbapi_connection.execute("COMMIT")
        connection.info[_STATE] = state = PENDING
    if state == PENDING:
        if writes:
            _begin_immediate(dbapi_connection)
        else:
            dbapi_connection.execute("BEGIN")
    connection.info[_STATE] = WRITING if writes else READING


def _begin_immediate(dbapi_connection) -> None:
    """BEGIN IMMEDIATE, trying again every LOCK_POLL_SECONDS while another
    writer holds the lock, up to the busy timeout. SQLite's own busy handler
    sleeps 1, 2, 5, 10, 15, 20, 25 ms... between tries: far longer than a
    write holds the lock here (~2 ms), so the lock would sit free while the
    next writer sleeps."""
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        started = time.monotonic()
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                waited = time.monotonic() - started
                if "locked" not in str(error) or waited >= BUSY_TIMEOUT_MS / 1000:
                    raise
            time.sleep(LOCK_POLL_SECONDS if waited < 0.2 else 10 * LOCK_POLL_SECONDS)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _writes(statement: str, context) -> bool:
    compiled = getattr(context, "compiled", None)
    if compiled is not None:
        if context.isinsert or context.isupdate or context.isdelete:
            return True
        if getattr(compiled.statement, "_for_update_arg", None) is not None:
            return True
    head = statement.lstrip(" \t\r\n(").split(None, 1)
    word = head[0].upper() if head else ""
    if word == "WITH":
        return bool(_WRITE_WORDS.search(statement))
    return word not in _NOT_WRITES
