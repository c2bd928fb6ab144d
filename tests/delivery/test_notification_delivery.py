"""Notifications reach a real SMTP server through a real worker, and survive a
broker that is down when the case is filed."""
from __future__ import annotations

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import Notification
from afr_aid.services.cases.records import file_case
from afr_aid.tasks.notifications import sweep_outbox
from tests.conftest import PASSWORD, assistance_data

from .conftest import REDIS_URL, make_delivery_app, require_redis


def _users(app):
    from afr_aid.services.accounts.users import create_user

    coordinator = create_user(None, email="coord@tests.afr-aid.org", name="Coord", role="coordinator",
                              password=PASSWORD, regions=["CD-NK"], languages=["fr"])
    volunteer = create_user(None, email="vol@tests.afr-aid.org", name="Vol", role="volunteer",
                            password=PASSWORD, regions=["CD-NK-GOM"], languages=["rw"])
    return coordinator, volunteer


def _db_url(request, tmp_path):
    from tests.conftest import TEST_DB_URL

    if TEST_DB_URL:
        return request.getfixturevalue("postgres_schema")
    import shutil

    target = tmp_path / "delivery.sqlite"
    shutil.copy(request.getfixturevalue("sqlite_template"), target)
    return f"sqlite:///{target}"


@pytest.fixture(params=["embedded", "redis"])
def delivery_app(request, tmp_path, smtp):
    broker = None
    if request.param == "redis":
        require_redis()
        broker = REDIS_URL
    app = make_delivery_app(_db_url(request, tmp_path), tmp_path / "instance", smtp.port, broker)
    with app.app_context():
        yield app
        db.session.remove()
        from tests.conftest import TEST_DB_URL, _empty_postgres

        if TEST_DB_URL:
            _empty_postgres()
        db.engine.dispose()


def test_critical_case_alert_reaches_the_coordinator_without_the_persons_name(delivery_app, smtp):
    coordinator, volunteer = _users(delivery_app)
    celery = delivery_app.extensions["celery"]
    with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        case, created = file_case(volunteer, "assistance", uuid.uuid4(),
                                  assistance_data(urgency="critical", description="Marker-description-xyz",
                                                  person={"name": "Marker Uwimana", "phone": "+243990000001"}))
        messages = smtp.wait_for(1)
    assert created
    alerts = smtp.to(coordinator.email)
    assert len(alerts) == 1
    message = alerts[0]
    assert case.ref in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert case.ref in text and case.ref in html
    assert "North Kivu" in text
    for secret in ("Marker Uwimana", "+243990000001", "Marker-description-xyz", "Goma"):
        assert secret not in text and secret not in html and secret not in message["Subject"]
    assert db.session.get(Notification, 1).status == "sent"
    assert len(messages) == 1


def test_case_is_filed_while_the_broker_is_down_and_the_alert_follows_when_it_is_back(
        request, tmp_path, smtp):
    require_redis()
    url = _db_url(request, tmp_path)
    down = make_delivery_app(url, tmp_path / "down", smtp.port, "redis://127.0.0.1:1/0")
    with down.app_context():
        coordinator, volunteer = _users(down)
        started = time.monotonic()
        case, created = file_case(volunteer, "assistance", uuid.uuid4(), assistance_data(urgency="critical"))
        elapsed = time.monotonic() - started
        assert created and case.ref
        # Generous bound: only catches a hang (delay() waiting on a dead broker for ever).
        assert elapsed < 15
        queued = db.session.scalars(db.select(Notification)).all()
        assert [n.status for n in queued] == ["queued"]
        db.session.remove()
        db.engine.dispose()

    back = make_delivery_app(url, tmp_path / "back", smtp.port, REDIS_URL)
    with back.app_context():
        # The sweep leaves rows younger than its grace period to their own task.
        db.session.execute(db.update(Notification).values(created_at=_utcnow() - _minutes(5)))
        db.session.commit()
        celery = back.extensions["celery"]
        with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            assert sweep_outbox() == 1
            smtp.wait_for(1)
            time.sleep(1)  # a duplicate, if any, would arrive now
        assert len(smtp.to(coordinator.email)) == 1
        db.session.expire_all()
        assert db.session.scalars(db.select(Notification.status)).all() == ["sent"]
        db.session.commit()  # the task runs in an app context (and session) of its own
        # A second sweep finds nothing to do: nothing is ever sent twice.
        assert sweep_outbox() == 0
        db.session.remove()
        from tests.conftest import TEST_DB_URL, _empty_postgres

        if TEST_DB_URL:
            _empty_postgres()
        db.engine.dispose()


def _utcnow():
    return clock.now()


def _minutes(n):
    from datetime import timedelta

    return timedelta(minutes=n)
