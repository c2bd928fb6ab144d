"""A fresh app and a fresh database for every test.

SQLite by default (a new file per test, copied from a template built once);
PostgreSQL when TEST_DATABASE_URL points at one (tables created once, emptied
after each test). Under CI=true an unreachable PostgreSQL fails the run: it is
never skipped in silence.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import uuid

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from afr_aid import create_app
from afr_aid.extensions import db

PASSWORD = "T3st-" + secrets.token_urlsafe(16)  # made per run; never a real secret
TEST_DB_URL = os.environ.get("TEST_DATABASE_URL", "")
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
# Where the cases happen (the default BABEL_DEFAULT_TIMEZONE and SUMMARY_TIMEZONE):
# "today" for an incident's date, the digest's day and the summary's week.
FIELD_ZONE = "Africa/Lubumbashi"


def pytest_report_header(config):
    faked = os.environ.get("FAKETIME")
    return [f"database: {'PostgreSQL ' + TEST_DB_URL if TEST_DB_URL else 'SQLite (file per test)'}",
            f"clock: libfaketime, starting at {faked.lstrip('@')} UTC (make test-clock)" if faked
            else "clock: the machine's (tests that need a moment set it with time_machine)"]


def _check_postgres():
    engine = create_engine(TEST_DB_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as error:  # noqa: BLE001 - any failure means no database
        message = f"PostgreSQL at {TEST_DB_URL} is not reachable: {type(error).__name__}"
        if os.environ.get("CI") == "true":
            pytest.exit(message, returncode=3)
        pytest.skip(message)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated-shape SQLite file with the reference places, copied per test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    app = _make_app(tmp_path_factory.mktemp("inst"), f"sqlite:///{path}")
    with app.app_context():
        _create_schema()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema(tmp_path_factory):
    _check_postgres()
    app = _make_app(tmp_path_factory.mktemp("inst"), TEST_DB_URL)
    with app.app_context():
        # Start from an empty schema: tables left by other code (another branch,
        # a newer migration) would otherwise block drop_all through their foreign keys.
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        _create_schema()
        db.engine.dispose()
    return TEST_DB_URL


def _create_schema():
    import csv
    from importlib import resources

    from afr_aid.services.cases.places import upsert_places

    db.create_all()
    rows = csv.DictReader(resources.files("afr_aid.data").joinpath("places.csv").read_text().splitlines())
    upsert_places(rows)
    db.session.commit()


def _make_app(instance, url, **extra):
    env = {"DATABASE_URL": url, "AFR_INSTANCE_PATH": str(instance), "SECRET_KEY": secrets.token_hex(16),
           "TESTING": "1", "BASE_URL": "http://afr.test"}
    env.update(extra)
    # No broker in ordinary tests: the outbox rows are checked directly; tests of
    # delivery run a real worker and switch dispatch on.
    env.setdefault("CELERY_DISPATCH", "0")
    app = create_app({"TESTING": True, "ARGON2_PARAMS": CHEAP_ARGON2}, env=env)
    return app


class FreshGlobalsClient(FlaskClient):
    """Each request starts with an empty `g`, as in production.

    The `app` fixture keeps one app context open for the whole test and Flask
    reuses it for test-client requests, so `g` would otherwise carry the signed-in
    user (Flask-Login), the CSRF token and the locale from one request, or one
    client, into the next, and tests could pass for the wrong reason."""

    def open(self, *args, **kwargs):
        vars(g._get_current_object()).clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def app(request, tmp_path):
    if TEST_DB_URL:
        url = request.getfixturevalue("postgres_schema")
    else:
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "test.sqlite"
        shutil.copy(template, target)
        url = f"sqlite:///{target}"
    app = _make_app(tmp_path / "instance", url)
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        yield app
        db.session.remove()
        if TEST_DB_URL:
            _empty_postgres()
        db.engine.dispose()


def _empty_postgres():
    keep = {"places"}
    tables = [t.name for t in db.metadata.sorted_tables if t.name not in keep]
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        conn.execute(text("DELETE FROM places WHERE id > 43"))


@pytest.fixture
def client(app):
    return app.test_client()


# email -> {"secret": base32, "codes": [unused recovery codes]} of users make_user enrolled.
SECOND_FACTORS: dict[str, dict] = {}


def enrol_for_tests(user):
    """Enrols a user in two-step sign-in with a fresh secret that `login` and
    `api_token` then use (through the service the CLI uses)."""
    from afr_aid.services.accounts.two_factor import enrol_now

    secret, codes = enrol_now(None, user, notify=False)
    SECOND_FACTORS[user.email] = {"secret": secret, "codes": codes}
    return user


@pytest.fixture
def make_user(app):
    """make_user("coordinator", regions=["CD-NK"]) -> User, with PASSWORD.

    Admins and coordinators come enrolled in two-step sign-in (their role
    requires it), with a fresh secret that `login` and `api_token` use; pass
    two_factor=False for one who has not enrolled yet, two_factor=True to
    enrol someone of another role."""
    from afr_aid.services.accounts.users import create_user

    counter = iter(range(1, 10_000))

    def factory(role="volunteer", regions=(), languages=("rw",), skills=(), email=None, name=None,
                two_factor=None, **kw):
        n = next(counter)
        # Pages in English unless a test asks for a language: the default would
        # otherwise follow `languages` (Kinyarwanda).
        kw.setdefault("locale", "en")
        if role in ("volunteer", "coordinator") and not regions:
            regions = ["CD-NK"]
        user = create_user(None, email=email or f"{role}{n}@tests.afr-aid.org", name=name or f"{role.title()} {n}",
                           role=role, password=PASSWORD, regions=list(regions), languages=list(languages),
                           skills=list(skills), **kw)
        if two_factor if two_factor is not None else role in ("admin", "coordinator"):
            enrol_for_tests(user)
        else:
            SECOND_FACTORS.pop(user.email, None)
        return user

    return factory


def assistance_data(**overrides) -> dict:
    data = {"location": "CD-NK-GOM", "urgency": "medium", "needs": ["food"],
            "consent": {"record": True, "share": True, "statistics": True},
            "person": {"name": "Test Person", "sex": "female", "age": 30}}
    data.update(overrides)
    return data


def incident_data(**overrides) -> dict:
    data = {"location": "CD-NK-GOM", "urgency": "high", "types": ["threat_or_intimidation"],
            "occurred_on": "2026-01-05", "perpetrator": "unknown", "severity": 2,
            "source": "witness", "reliability": "probable",
            "consent": {"record": True, "share": False, "statistics": True}}
    data.update(overrides)
    return data


@pytest.fixture
def file_case(app):
    """file_case(user, kind="assistance", **overrides) through the service."""
    from datetime import date

    from afr_aid.services.cases.records import file_case as service

    def factory(user, kind="assistance", **overrides):
        data = assistance_data(**overrides) if kind == "assistance" else incident_data(**overrides)
        if isinstance(data.get("occurred_on"), str):
            data["occurred_on"] = date.fromisoformat(data["occurred_on"])
        case, _ = service(user, kind, uuid.uuid4(), data)
        return case

    return factory


def assert_no_inline_code(html: str) -> None:
    """The CSP forbids inline code and styles: scripts come from /static, or are
    data blocks (the offline queue's words); no style attribute, no <style>."""
    for tag in re.findall(r"<script[^>]*>", html):
        assert re.search(r'src="/static/', tag) or 'type="application/json"' in tag, tag
    assert 'style="' not in html and "<style" not in html


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no csrf_token field"
    return match.group(1) or match.group(2)


def otp_for(email: str) -> str:
    """A code the server takes now for a user make_user enrolled: this time
    step's TOTP code, the next step's when this one was used already (the
    server allows one step of clock drift), else an unused recovery code,
    else a code of a fresh enrolment. Each step signs in once, as in real use."""
    import pyotp
    from sqlalchemy import select

    from afr_aid import clock
    from afr_aid.models import User
    from afr_aid.services.accounts.two_factor import STEP_SECONDS

    enrolled = SECOND_FACTORS[email.lower()]
    last = db.session.scalar(select(User.totp_last_step).where(User.email == email.lower()))
    now = int(clock.timestamp()) // STEP_SECONDS
    totp = pyotp.TOTP(enrolled["secret"])
    for step in (now, now + 1):
        if last is None or step > last:
            return totp.generate_otp(step)
    if enrolled["codes"]:
        return enrolled["codes"].pop()
    # Every code of this half-minute spent (a test that signs in a dozen times):
    # enrol again, as an admin would with `flask users totp`, rather than wait.
    from afr_aid.services.accounts.two_factor import enrol_now

    secret, codes = enrol_now(None, db.session.scalar(select(User).where(User.email == email.lower())), notify=False)
    SECOND_FACTORS[email.lower()] = {"secret": secret, "codes": codes}
    return pyotp.TOTP(secret).generate_otp(now)


def second_step(client, email):
    """The code step of signing in, with a code the server takes now."""
    token = csrf_from(client.get("/login/code").get_data(as_text=True))
    return client.post("/login/code", data={"code": otp_for(email), "csrf_token": token})


def login(client, email, password=PASSWORD):
    """Signs in through the pages; for a user with two-step sign-in, both steps."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    if response.status_code == 302 and response.location.partition("?")[0].endswith("/login/code") \
            and email.lower() in SECOND_FACTORS:
        return second_step(client, email)
    return response


def api_token(client, email, password=PASSWORD) -> dict:
    body = {"email": email, "password": password}
    if email.lower() in SECOND_FACTORS:
        body["otp"] = otp_for(email)
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}
