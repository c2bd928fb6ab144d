"""Each user picks, per kind: immediately, in a daily digest, or off
(assignment and critical alerts cannot be switched off)."""
from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import select

from afr_aid.errors import Invalid
from afr_aid.extensions import db
from afr_aid.models import Notification
from afr_aid.services.cases import workflow
from afr_aid.services.notifications import digest, preferences
from afr_aid.tasks.summaries import gather_digests
from tests.conftest import assert_no_inline_code, csrf_from, login

from .conftest import assert_no_marker, file, parts_of, user, worker


def statuses(user_id):
    return [(n.kind, n.status) for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))]


@pytest.fixture
def people(app):
    return {"coord": user("coordinator", "coord@tests.afr-aid.org", regions=["CD-NK"]),
            "vol": user("volunteer", "vol@tests.afr-aid.org", regions=["CD-NK-GOM"])}


def test_by_default_everything_comes_at_once(people):
    file(people["vol"], urgency="high")
    assert statuses(people["coord"].id) == [("urgent", "queued")]
    assert preferences.preferences_of(people["coord"], people["coord"])["urgent"] == "immediate"


def test_a_kind_switched_off_is_not_sent_and_the_log_says_why(people):
    preferences.set_preferences(people["coord"], people["coord"], {"urgent": "off"})
    file(people["vol"], urgency="high")
    file(people["vol"], urgency="critical")
    assert statuses(people["coord"].id) == [("urgent", "off"), ("critical", "queued")]


@pytest.mark.parametrize("kind", ["assignment", "critical"])
def test_assignment_and_critical_alerts_cannot_be_switched_off(people, kind):
    with pytest.raises(Invalid) as error:
        preferences.set_preferences(people["coord"], people["coord"], {kind: "off"})
    assert kind in error.value.fields
    assert preferences.preferences_of(people["coord"], people["coord"])[kind] == "immediate"


def test_critical_alerts_never_wait_for_a_digest(people):
    with pytest.raises(Invalid) as error:
        preferences.set_preferences(people["coord"], people["coord"], {"critical": "digest"})
    assert "critical" in error.value.fields
    file(people["vol"], urgency="critical")
    assert statuses(people["coord"].id) == [("critical", "queued")]


def test_nobody_sets_kinds_that_are_not_theirs(people):
    donor = user("donor", "donor@tests.afr-aid.org")
    with pytest.raises(Invalid):
        preferences.set_preferences(donor, donor, {"critical": "digest"})
    assert list(preferences.preferences_of(donor, donor)) == ["summary"]


def test_digest_rows_wait_and_go_out_as_one_message(live, smtp):
    coord = user("coordinator", "coord@tests.afr-aid.org", regions=["CD-NK"])
    vol = user("volunteer", "vol@tests.afr-aid.org", regions=["CD-NK-GOM"])
    preferences.set_preferences(coord, coord, {"urgent": "digest"})
    cases = [file(vol, urgency="high") for _ in range(3)]
    assert [s for _, s in statuses(coord.id)] == ["digest"] * 3
    with worker(live):
        gather_digests.delay()
        messages = smtp.wait_for(1, timeout=30)
        time.sleep(1)  # a second digest, if any, would arrive now
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == coord.email
    assert "3" in message["Subject"]
    text, html = parts_of(message)
    for case in cases:
        assert case.ref in text and case.ref in html
    assert_no_marker(message)
    db.session.expire_all()
    assert sorted(s for _, s in statuses(coord.id)) == ["digested"] * 3 + ["sent"]
    assert digest.gather_all() == 0  # nothing held any more


def test_two_gatherings_at_once_make_one_digest_per_user(app, people):
    preferences.set_preferences(people["coord"], people["coord"], {"urgent": "digest"})
    for _ in range(4):
        file(people["vol"], urgency="high")
    db.session.commit()  # on SQLite even a read holds the write lock: hold none while they run
    barrier, errors = threading.Barrier(3), []

    def gather():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                digest.gather_all(date(2026, 11, 23))
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=gather) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    rows = statuses(people["coord"].id)
    assert rows.count(("digest", "queued")) == 1
    assert rows.count(("urgent", "digested")) == 4


def test_the_settings_page_saves_choices_and_offers_no_off_for_mandatory_kinds(client, people):
    assert login(client, people["coord"].email).status_code == 302
    page = client.get("/notifications/preferences")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="assignment" type="radio" value="off"' not in html and 'value="off"' in html
    assert_no_inline_code(html)
    data = {kind: "immediate" for kind in preferences.kinds_for(people["coord"])}
    data.update({"overdue": "digest", "urgent": "off", "csrf_token": csrf_from(html)})
    response = client.post("/notifications/preferences", data=data)
    assert response.status_code == 302
    assert preferences.preferences_of(people["coord"], people["coord"])["overdue"] == "digest"
    data.update({"critical": "off", "csrf_token": csrf_from(client.get("/notifications/preferences").get_data(True))})
    refused = client.post("/notifications/preferences", data=data)
    assert refused.status_code == 200
    assert preferences.preferences_of(people["coord"], people["coord"])["critical"] == "immediate"


def test_the_settings_page_needs_a_sign_in(client):
    response = client.get("/notifications/preferences")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_someone_who_left_gets_nothing(people):
    case = file(people["vol"], urgency="low")
    people["vol"].active = False
    db.session.commit()
    workflow.transition(people["coord"], case, "close", {"outcome": "assisted"})
    assert statuses(people["vol"].id) == [("closed", "off")]
