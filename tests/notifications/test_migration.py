"""Migration 0002 applies and reverts on SQLite and on PostgreSQL (in a
scratch database of its own), through `flask db upgrade` as deployed, and
leaves the schema the models describe."""
from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from afr_aid.extensions import db
from tests.conftest import TEST_DB_URL

ROOT = Path(__file__).resolve().parents[2]
MINE = {"notification_preferences", "weekly_summaries"}


def flask_db(url: str, instance: Path, *args: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, AFR_INSTANCE_PATH=str(instance), SECRET_KEY="migration-test")
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "afr_aid", "db", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def check_round_trip(url: str, engine_url: str, instance: Path) -> None:
    engine = create_engine(engine_url)
    try:
        flask_db(url, instance, "upgrade")
        tables = set(inspect(engine).get_table_names())
        assert MINE <= tables
        columns = {c["name"] for c in inspect(engine).get_columns("notifications")}
        assert {"digest_id", "summary_id"} <= columns
        with engine.connect() as conn:
            differences = [d for d in compare_metadata(MigrationContext.configure(conn), db.metadata)
                           if _concerns_mine(d)]
        assert differences == []
        flask_db(url, instance, "downgrade", "0001")
        assert not MINE & set(inspect(engine).get_table_names())
        assert "digest_id" not in {c["name"] for c in inspect(engine).get_columns("notifications")}
        flask_db(url, instance, "upgrade")
        assert MINE <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _concerns_mine(difference) -> bool:
    text_form = repr(difference)
    return any(name in text_form for name in MINE | {"digest_id", "summary_id"})


def test_the_migration_applies_and_reverts_on_sqlite(tmp_path):
    path = tmp_path / "migrated.sqlite"
    check_round_trip(f"sqlite:///{path}", f"sqlite:///{path}", tmp_path / "instance")


@pytest.mark.skipif(not TEST_DB_URL, reason="PostgreSQL runs when TEST_DATABASE_URL is set")
def test_the_migration_applies_and_reverts_on_postgresql(tmp_path):
    name = f"afr_mig_{uuid.uuid4().hex[:10]}"
    admin_url = TEST_DB_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    scratch = TEST_DB_URL.rsplit("/", 1)[0] + "/" + name
    try:
        check_round_trip(scratch, scratch.replace("postgresql://", "postgresql+psycopg://", 1), tmp_path / "inst")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
