"""`flask --app afr_aid db upgrade` on an empty database: the whole schema, the
reference places, and nothing the models do not also say."""
from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, text

import afr_aid.models  # noqa: F401 - every table on the metadata
from afr_aid.extensions import db

from ..conftest import TEST_DB_URL
from .conftest import REPO, flask_process

DATABASES = ["sqlite"] + (["postgresql"] if TEST_DB_URL else [])


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture
def empty_database(request, tmp_path):
    """A database nobody else uses, created empty and dropped afterwards.
    On PostgreSQL a database of its own: the shared test database is left alone."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    parts = urlsplit(TEST_DB_URL)
    name = f"afr_migrations_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(_psycopg(TEST_DB_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _head() -> str:
    config = AlembicConfig(str(REPO / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(REPO / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


@pytest.mark.parametrize("empty_database", DATABASES, indirect=True)
def test_db_upgrade_builds_the_schema_the_models_describe(empty_database, tmp_path):
    done = flask_process(["db", "upgrade"], database_url=empty_database, instance=tmp_path / "inst")
    assert done.returncode == 0, done.stderr[-3000:]
    engine = create_engine(_psycopg(empty_database))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()
            assert conn.execute(text("SELECT count(*) FROM places")).scalar() == 43
            levels = dict(conn.execute(text("SELECT level, count(*) FROM places GROUP BY level")).all())
            assert levels == {"country": 1, "province": 5, "territory": 37}
            goma = conn.execute(text("SELECT p.path, q.code FROM places p JOIN places q ON q.id = p.parent_id "
                                     "WHERE p.code = 'CD-NK-GOM'")).one()
            assert tuple(goma) == ("CD/CD-NK/CD-NK-GOM", "CD-NK")
            for table in ("users", "cases", "case_events", "notifications", "audit_log"):
                assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], "\n".join(map(str, differences))
    finally:
        engine.dispose()
    # Running it again changes nothing.
    from ..conftest import _make_app

    second = _make_app(tmp_path / "again", empty_database)
    with second.app_context():
        again = second.test_cli_runner().invoke(args=["db", "upgrade"])
        db.engine.dispose()
    assert again.exit_code == 0, again.output
    engine = create_engine(_psycopg(empty_database))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM places")).scalar() == 43
    finally:
        engine.dispose()
