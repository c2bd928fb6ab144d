"""The baseline of the scale benchmark: a bare Flask app, no ORM, no auth
machinery, no schemas, that runs the same SQL as afr_aid by hand.

The statements were captured from afr_aid answering the same requests
(benchmarks/scale.py writes them, with their parameters, to the pickle file
named by BARE_STATEMENTS); each request here runs one scenario's statements
in one transaction on the DB-API connection of its thread and answers the
rows as JSON. The audit head's UPDATE takes the hash the INSERT before it
returned, as afr_aid does. Filing has no fixed statements (each case needs a
new uuid and number): `POST /file` writes a case, its `create` event and its
counter the way afr_aid does, in hand-written SQL.

    BARE_STATEMENTS=... BARE_DATABASE=sqlite:////path | postgresql://... gunicorn benchmarks.bare_app:app
"""
from __future__ import annotations

import json
import os
import pickle
import sqlite3
import threading
import uuid
from datetime import timedelta

from flask import Flask, Response, request

from afr_aid import clock

app = Flask(__name__)
DATABASE = os.environ.get("BARE_DATABASE", "")
with open(os.environ.get("BARE_STATEMENTS", "/dev/null"), "rb") as handle:
    SCENARIOS: dict[str, list[list[tuple[str, object]]]] = pickle.load(handle) if DATABASE else {}
_local = threading.local()


def _connect():
    if DATABASE.startswith("sqlite"):
        connection = sqlite3.connect(DATABASE.split("///", 1)[1], timeout=15, isolation_level=None,
                                     check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=15000")
        connection.execute("PRAGMA synchronous=NORMAL")
        import hashlib

        connection.create_function("afr_sha256", 1, lambda v: hashlib.sha256(v.encode()).hexdigest(),
                                   deterministic=True)
        connection.create_function("lower", 1, lambda v: v.lower() if isinstance(v, str) else v)
        return connection
    import psycopg

    return psycopg.connect(DATABASE)


def connection():
    if getattr(_local, "connection", None) is None:
        _local.connection = _connect()
    return _local.connection


def _begin(conn) -> None:
    if isinstance(conn, sqlite3.Connection):
        conn.execute("BEGIN IMMEDIATE")


def _rows(cursor) -> list:
    return cursor.fetchall() if cursor.description else []


@app.get("/s/<name>/<int:variant>")
def scenario(name, variant):
    statements = SCENARIOS[name][variant % len(SCENARIOS[name])]
    conn = connection()
    _begin(conn)
    out, last_hash = [], None
    try:
        for sql, params in statements:
            if sql.lstrip().upper().startswith("UPDATE AUDIT_CHAIN_HEAD") and last_hash is not None:
                params = _with_hash(params, last_hash)
            cursor = conn.execute(sql, params)
            rows = _rows(cursor)
            if sql.lstrip().upper().startswith("INSERT INTO AUDIT_LOG") and rows:
                last_hash = rows[0][0]
            out.append(rows)
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    return Response(json.dumps(out, default=str), mimetype="application/json")


def _with_hash(params, new_hash):
    """The head's new hash is the UPDATE's first parameter in afr_aid's statement."""
    if isinstance(params, dict):
        key = next(k for k in params if "last_hash" in k)
        return {**params, key: new_hash}
    return (new_hash, *params[1:])


@app.post("/file")
def file_case():
    """A case, its event, its number: the statements afr_aid's file_case runs
    for a plain assistance request (no name, no alert)."""
    body = request.get_json()
    user_id, place_id, place_path = body["user_id"], body["place_id"], body["place_path"]
    now = clock.now()
    year = now.year
    conn = connection()
    sqlite = isinstance(conn, sqlite3.Connection)
    mark = "?" if sqlite else "%s"
    stamp = (lambda t: t.strftime("%Y-%m-%d %H:%M:%S.%f")) if sqlite else (lambda t: t)
    _begin(conn)
    try:
        conn.execute(f"INSERT INTO case_counters (kind, year, last) VALUES ('assistance', {mark}, 0) "
                     f"ON CONFLICT DO NOTHING", (year,))
        number = conn.execute(f"UPDATE case_counters SET last = last + 1 WHERE kind = 'assistance' AND year = {mark} "
                              f"RETURNING last", (year,)).fetchone()[0]
        ref = f"AR-{year}-{number:06d}"
        values = (ref, year, number, uuid.uuid4().hex if sqlite else uuid.uuid4(), stamp(now), stamp(now),
                  stamp(now + timedelta(days=7)), place_id, place_path, user_id, '["food"]', "[]")
        case_id = conn.execute(
            "INSERT INTO cases (ref, kind, year, number, client_uuid, status, urgency, created_at, updated_at, due_at, "
            "location_id, place_path, created_by_id, consent_record, consent_share, consent_statistics, needs, "
            f"vulnerabilities, person_sex) VALUES ({mark}, 'assistance', {mark}, {mark}, {mark}, 'new', 'low', "
            f"{mark}, {mark}, {mark}, {mark}, {mark}, {mark}, false, false, true, {mark}, {mark}, 'female') RETURNING id",
            values).fetchone()[0]
        conn.execute(f"INSERT INTO case_events (case_id, at, actor_id, action, to_status) VALUES ({mark}, {mark}, "
                     f"{mark}, 'create', 'new')", (case_id, stamp(now), user_id))
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    return Response(json.dumps({"ref": ref}), status=201, mimetype="application/json")
