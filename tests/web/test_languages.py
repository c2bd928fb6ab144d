"""A volunteer whose browser asks for Kinyarwanda reads Kinyarwanda: the login
page, the filing forms and their errors, the case timeline, their assignment
email. The expected words come from the committed catalogues, so the tests
check the wiring (locale choice, force_locale, formatting), not one wording."""
from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import refresh
from sqlalchemy import select

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import Notification
from afr_aid.services.cases import workflow
from afr_aid.services.notifications import delivery
from afr_aid.web.templating import relative_time
from tests.catalogues import catalog as _catalog
from tests.conftest import csrf_from, login


def tr(locale: str, msgid: str, **values) -> str:
    message = _catalog(locale).get(msgid)
    assert message is not None and message.string, (locale, msgid)
    text = message.string if not values else message.string % values
    return html_lib.escape(text, quote=False)


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_login_page_follows_the_browser_language(client):
    html = page(client.get("/login", headers={"Accept-Language": "rw-RW,rw;q=0.9,fr;q=0.8,en;q=0.5"}))
    assert '<html lang="rw">' in html
    assert tr("rw", "Sign in") in html
    assert ">Sign in<" not in html


@pytest.mark.parametrize("header, expected", [("sw", "sw"), ("fr-CD,fr;q=0.9", "fr"), ("ln", "ln"),
                                              ("de,it;q=0.5", "en"), ("", "en")])
def test_accept_language_else_english(client, header, expected):
    html = page(client.get("/login", headers={"Accept-Language": header} if header else {}))
    assert f'<html lang="{expected}">' in html


def test_the_switcher_works_before_signing_in_and_wins_over_the_browser(client):
    token = csrf_from(page(client.get("/login")))
    response = client.post("/locale", data={"locale": "sw", "next": "/login", "csrf_token": token},
                           headers={"Accept-Language": "fr"})
    assert response.status_code == 302
    html = page(client.get("/login", headers={"Accept-Language": "fr"}))
    assert '<html lang="sw">' in html and tr("sw", "Sign in") in html


def test_a_kinyarwanda_volunteer_files_reads_errors_and_the_timeline_in_kinyarwanda(app, make_user, file_case):
    volunteer = make_user("volunteer", regions=["CD-NK-GOM"], locale="rw")
    client = app.test_client()
    assert login(client, volunteer.email).status_code == 302

    form = page(client.get("/cases/new/assistance"))
    assert '<html lang="rw">' in form
    for label in ("Urgency", "Needs", "Description"):
        assert tr("rw", label) in form, label

    # Nothing chosen: the errors name the fields in Kinyarwanda, none in English.
    sent = client.post("/cases/new/assistance", data={"csrf_token": csrf_from(form)})
    errors = sent.get_data(as_text=True)
    assert sent.status_code in (200, 422)
    assert tr("rw", "This field is required.") in errors
    assert "This field is required." not in errors

    case = file_case(volunteer)
    timeline = page(client.get(f"/cases/{case.ref}"))
    assert tr("rw", "Filed") in timeline
    assert not re.search(r">\s*Filed\s*<", timeline)


def test_the_assignment_email_is_in_the_assignees_language_not_the_senders(app, make_user, file_case):
    coordinator = make_user("coordinator", regions=["CD-NK"], locale="fr")
    volunteer = make_user("volunteer", regions=["CD-NK-GOM"], locale="rw")
    case = file_case(volunteer)
    workflow.transition(coordinator, case, "assign", {"assignee": volunteer.email})
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == volunteer.id, Notification.kind == "assignment"))
    message = delivery.render(note)
    expected = _catalog("rw").get("Case %(ref)s was assigned to you").string % {"ref": case.ref}
    assert message.subject == "[AFR Aid] " + expected
    text, html = message.body, message.alternatives[0][0]
    assert html_lib.escape(expected, quote=False) in html and expected in text
    french = _catalog("fr").get("Case %(ref)s was assigned to you").string % {"ref": case.ref}
    assert french not in text


def test_relative_times_read_naturally_in_every_language(app):
    three_hours = timedelta(hours=-3, minutes=-2)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        from afr_aid.web.templating import ago
        assert ago(clock.now() + three_hours) == "il y a 3 heures"
    with app.test_request_context(headers={"Accept-Language": "rw"}):
        refresh()
        shown = ago(clock.now() + three_hours)
        assert shown == _catalog("rw").get("%(num)d hour ago").string[1] % {"num": 3}
        assert not shown.startswith("-")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()
        assert relative_time(timedelta(days=2)) == "in 2 days"
        assert relative_time(timedelta(minutes=-1)) == "1 minute ago"


def test_times_are_shown_in_the_viewers_time_zone(app, make_user, file_case):
    from afr_aid.services.accounts.users import set_own_timezone

    volunteer = make_user("volunteer", regions=["CD-NK-GOM"])
    case = file_case(volunteer)
    case.created_at = datetime(2026, 3, 2, 10, 5, tzinfo=timezone.utc)
    db.session.commit()
    client = app.test_client()
    login(client, volunteer.email)
    assert "12:05" in page(client.get(f"/cases/{case.ref}"))  # Lubumbashi, UTC+2: the default
    set_own_timezone(volunteer, "America/New_York")
    assert "5:05" in page(client.get(f"/cases/{case.ref}"))


def test_a_user_picks_their_time_zone_on_their_account_page(app, make_user):
    donor = make_user("donor")
    client = app.test_client()
    login(client, donor.email)
    form = page(client.get("/account"))
    assert "Africa/Lubumbashi (UTC+02:00)" in form and 'selected' in form
    saved = client.post("/account", data={"timezone": "Europe/Brussels", "csrf_token": csrf_from(form)})
    assert saved.status_code == 302
    db.session.refresh(donor)
    assert donor.timezone == "Europe/Brussels"
    # Not a zone of the list: the field is named, nothing changes, no server error.
    refused = client.post("/account", data={"timezone": "Mars/Olympus", "csrf_token": csrf_from(form)})
    assert refused.status_code == 200
    assert "Time zone" in refused.get_data(as_text=True) and "Choose one of the options." in refused.get_data(as_text=True)
    db.session.refresh(donor)
    assert donor.timezone == "Europe/Brussels"


def test_api_errors_follow_accept_language(app, client, make_user):
    from tests.conftest import api_token

    volunteer = make_user("volunteer", regions=["CD-NK-GOM"])
    headers = {**api_token(client, volunteer.email), "Accept-Language": "sw"}
    answer = client.post("/api/v1/cases", json={"kind": "assistance"}, headers=headers)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["message"] == _catalog("sw").get("Some fields are not valid.").string
    required = _catalog("sw").get("This field is required.").string
    assert any(required in messages for messages in error["fields"].values()), error["fields"]


def test_figures_are_written_the_readers_way(app):
    from afr_aid.web.templating import number

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert number(12345) == "12\u202f345" and number(2.5) == "2,5" and number("<5") == "<5"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()  # the test's app context outlives one request: forget the cached locale
        assert number(12345) == "12,345"
