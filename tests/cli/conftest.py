"""Helpers for the command-line tests: the Flask CLI in-process (CliRunner) and
as a real `flask --app afr_aid ...` process."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from afr_aid.extensions import db

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(app):
    """cli("users", "create", ..., input="password\\n") -> click Result."""
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        db.session.commit()  # SQLite: release the write lock the test's session may hold
        result = runner.invoke(args=list(args), input=input)
        db.session.expire_all()
        return result

    return invoke


def flask_process(args, *, database_url, instance, input=None, extra_env=None, timeout=120):
    """Run `python -m flask --app afr_aid ARGS` as an operator would."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "AFR_ENV", "FLASK_APP", "TEST_DATABASE_URL")}
    env.update({"DATABASE_URL": database_url, "AFR_INSTANCE_PATH": str(instance),
                "SECRET_KEY": secrets.token_hex(16), "CELERY_DISPATCH": "0"})
    env.update(extra_env or {})
    return subprocess.run([sys.executable, "-m", "flask", "--app", "afr_aid", *args], input=input,
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=timeout)
