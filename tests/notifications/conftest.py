"""Real pieces for notification tests: an SMTP server on loopback (aiosmtpd),
a real Celery worker (in a thread, or a `celery worker` subprocess), and the
embedded SQLite broker or the Redis at 127.0.0.1:6379. Never eager mode."""
from __future__ import annotations

import shutil
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import update

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import Case
from tests.conftest import (
    FIELD_ZONE,
    PASSWORD,
    TEST_DB_URL,
    _empty_postgres,
    assistance_data,
)
from tests.delivery.conftest import REDIS_URL, make_delivery_app, require_redis, smtp  # noqa: F401

MARKERS = {"name": "Marker Uwimana-Kabila", "phone": "+243990001234", "description": "Marker-description-qzx",
           "place": "Marker-hill-Kibumba"}


def database_url(request, tmp_path) -> str:
    if TEST_DB_URL:
        return request.getfixturevalue("postgres_schema")
    target = tmp_path / "notifications.sqlite"
    shutil.copy(request.getfixturevalue("sqlite_template"), target)
    return f"sqlite:///{target}"


@contextmanager
def live_app(url, instance, smtp_port, broker=None, empty_after=True):
    """empty_after=False keeps the rows (PostgreSQL) for a second app on the same database."""
    app = make_delivery_app(url, instance, smtp_port, broker)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            if TEST_DB_URL and empty_after:
                _empty_postgres()
            db.engine.dispose()


@pytest.fixture(params=["embedded", "redis"])
def broker(request):
    if request.param == "redis":
        require_redis()
        return REDIS_URL
    return None


@pytest.fixture
def live(request, tmp_path, smtp, broker):
    """An app that publishes to a real broker and sends to the `smtp` server."""
    with live_app(database_url(request, tmp_path), tmp_path / "instance", smtp.port, broker) as app:
        yield app


@contextmanager
def worker(app):
    """A worker thread. The test holds no transaction while it runs (on SQLite
    even a read holds the write lock here): read nothing inside the block."""
    db.session.commit()
    with start_worker(app.extensions["celery"], pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def user(role, email, regions=(), languages=("en",), **kw):
    from afr_aid.services.accounts.users import create_user

    if role in ("volunteer", "coordinator") and not regions:
        regions = ["CD-NK"]
    made = create_user(None, email=email, name=f"{role.title()} {email.split('@')[0]}", role=role,
                       password=PASSWORD, regions=list(regions), languages=list(languages), **kw)
    if role in ("admin", "coordinator"):  # their role signs in with a second step
        from tests.conftest import enrol_for_tests

        enrol_for_tests(made)
    return made


def file(filer, urgency="critical", location="CD-NK-GOM", consent_statistics=True, kind="assistance", **extra):
    """A case carrying marker values that must never appear in any email."""

    from afr_aid.services.cases.records import file_case

    consent = {"record": True, "share": True, "statistics": consent_statistics}
    if kind == "assistance":
        data = assistance_data(urgency=urgency, location=location, description=MARKERS["description"],
                               place=MARKERS["place"], consent=consent,
                               person={"name": MARKERS["name"], "phone": MARKERS["phone"], "sex": "female"}, **extra)
    else:
        data = {"location": location, "urgency": urgency, "types": extra.pop("types", ["killing"]),
                "occurred_on": clock.today(FIELD_ZONE), "perpetrator": "unknown", "severity": 3, "source": "witness",
                "reliability": "probable", "description": MARKERS["description"], "place": MARKERS["place"],
                "reporter": {"name": MARKERS["name"], "phone": MARKERS["phone"]}, "consent": consent, **extra}
    case, _ = file_case(filer, kind, uuid.uuid4(), data)
    return case


def age(case, hours: float) -> Case:
    """Moves a case's clock back, as if it had been filed `hours` earlier."""
    delta = timedelta(hours=hours)
    db.session.execute(update(Case).where(Case.id == case.id).values(
        created_at=case.created_at - delta, due_at=case.due_at - delta, updated_at=case.updated_at - delta))
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Case, case.id)


def assert_no_marker(message) -> None:
    parts = [message["Subject"]]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    blob = "\n".join(parts)
    for marker in MARKERS.values():
        assert marker not in blob, marker


def parts_of(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
