"""`flask --app afr_aid users create ... --password-stdin`."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from afr_aid.extensions import db
from afr_aid.models import AuditEntry, User
from afr_aid.services.accounts.users import SignInRefused, authenticate

from ..conftest import TEST_DB_URL
from .conftest import flask_process

BASE = ["users", "create", "--email", "Neema.Bahati@Tests.AFR-aid.org", "--name", "Neema Bahati",
        "--role", "volunteer", "--region", "CD-NK", "--language", "rw", "--skill", "medical", "--password-stdin"]
EMAIL = "neema.bahati@tests.afr-aid.org"


def users():
    return db.session.scalar(select(func.count()).select_from(User))


def signs_in(password, email=EMAIL) -> bool:
    try:
        authenticate(email, password)
    except SignInRefused:
        return False
    finally:
        db.session.rollback()
    return True


def test_creates_an_active_user_who_signs_in_with_the_password_from_stdin(cli):
    result = cli(*BASE, input="Lake-Kivu-sunrise-42\n")
    assert result.exit_code == 0, result.output
    assert EMAIL in result.output
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    assert (user.name, user.role, user.active, user.locale) == ("Neema Bahati", "volunteer", True, "rw")
    assert ([p.code for p in user.regions], user.languages, user.skills) == (["CD-NK"], ["rw"], ["medical"])
    assert user.password_hash.startswith("$argon2id$")
    assert signs_in("Lake-Kivu-sunrise-42")
    assert not signs_in("Lake-Kivu-sunrise-42\n")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
    assert entry.actor_id is None and entry.target == EMAIL
    assert "Lake-Kivu" not in repr(entry.detail) and "Lake-Kivu" not in result.output


LINES = [
    ("  spaces at both ends  \n", "  spaces at both ends  "),
    ("Windows-line-end-77\r\n", "Windows-line-end-77"),
    ("no-newline-at-all-88", "no-newline-at-all-88"),
    ("first-line-only-99\nsecond line\n", "first-line-only-99"),
    ("ümlaut-and-kiswahili-ñ\n", "ümlaut-and-kiswahili-ñ"),
]


def test_the_password_is_exactly_the_first_line(cli):
    for n, (stdin, password) in enumerate(LINES):
        args = list(BASE)
        args[args.index("--email") + 1] = email = f"line{n}@tests.afr-aid.org"
        result = cli(*args, input=stdin)
        assert result.exit_code == 0, (stdin, result.output)
        assert signs_in(password, email), stdin
        assert password.strip() == password or not signs_in(password.strip(), email), stdin


REFUSALS = [
    ("short password", [], "short-1\n", "password"),
    ("common password", [], "password1234\n", "password"),
    ("empty stdin", [], "", "password"),
    ("coordinator without region", ["--role", "coordinator"], "Lake-Kivu-sunrise-42\n", "regions"),
    ("unknown region", ["--region", "CD-ZZ"], "Lake-Kivu-sunrise-42\n", "regions"),
    ("unknown language", ["--language", "klingon"], "Lake-Kivu-sunrise-42\n", "languages"),
    ("unknown skill", ["--skill", "juggling"], "Lake-Kivu-sunrise-42\n", "skills"),
    ("bad email", ["--email", "not-an-email"], "Lake-Kivu-sunrise-42\n", "email"),
]


def _args(overrides):
    args = list(BASE)
    for flag, value in zip(overrides[::2], overrides[1::2]):
        args[args.index(flag) + 1] = value
    if "coordinator" in overrides:  # and no --region at all
        i = args.index("--region")
        del args[i:i + 2]
    return args


def test_a_refused_value_exits_non_zero_naming_the_field(cli):
    for what, overrides, stdin, field in REFUSALS:
        result = cli(*_args(overrides), input=stdin)
        assert result.exit_code != 0, what
        assert f"{field}:" in result.stderr, (what, result.output)
        assert "Traceback" not in result.output, what
        assert users() == 0, what


def test_an_email_already_taken_in_any_letter_case_is_refused(cli):
    assert cli(*BASE, input="Lake-Kivu-sunrise-42\n").exit_code == 0
    args = list(BASE)
    args[args.index("--email") + 1] = EMAIL.upper()
    result = cli(*args, input="Another-lake-77\n")
    assert result.exit_code != 0 and "email:" in result.stderr
    assert users() == 1
    assert signs_in("Lake-Kivu-sunrise-42") and not signs_in("Another-lake-77")


def test_an_unknown_role_and_a_missing_password_flag_are_refused(cli):
    args = list(BASE)
    args[args.index("--role") + 1] = "superuser"
    result = cli(*args, input="Lake-Kivu-sunrise-42\n")
    assert result.exit_code != 0 and "--role" in result.output
    args = [a for a in BASE if a != "--password-stdin"]
    result = cli(*args, input="Lake-Kivu-sunrise-42\n")
    assert result.exit_code != 0 and "--password-stdin" in result.output
    assert users() == 0


def test_as_a_real_process_reading_a_pipe(app, tmp_path):
    """The operator's way: a separate `flask` process, the password on a pipe."""
    url = TEST_DB_URL or app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.commit()
    db.session.close()
    done = flask_process(BASE, database_url=url, instance=tmp_path / "proc", input="Pipe-line-password-5\n")
    assert done.returncode == 0, done.stderr
    assert EMAIL in done.stdout and "Pipe-line" not in done.stdout + done.stderr
    assert signs_in("Pipe-line-password-5")
