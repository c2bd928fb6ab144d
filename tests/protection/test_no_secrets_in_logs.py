"""Logs and mail never hold what people typed about a person.

Every logger is captured at DEBUG (the app's, Werkzeug's, Celery's, Flask-
Smorest's; SQLAlchemy's statement echo stays off, as in production), then
cases are filed through the pages and the API with marker strings in every
identifying field, someone signs in with a marker password, a server error and
validation errors happen. No marker may appear in any log record (message,
arguments or traceback) nor in any .eml of the mail folder. A server error
shows a generic page with a reference id, which the log line carries.
"""
from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import Notification
from afr_aid.services.notifications import delivery
from tests.api.conftest import API, assistance_body, incident_body
from tests.conftest import FIELD_ZONE, PASSWORD, api_token, csrf_from, login

TAG = secrets.token_hex(4)
MARK = {name: f"Qx{TAG}{name}" for name in ("name", "unhcr", "description", "reporter", "perpetrator",
                                            "place", "password", "note", "boom")}
PHONE = f"+243 97{int(TAG, 16) % 10**7:07d}"
REPORTER_PHONE = f"+243 98{int(TAG, 16) % 10**7:07d}"
SECRETS = [*MARK.values(), PHONE, PHONE.replace(" ", ""), REPORTER_PHONE, PASSWORD]


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record):
        self.lines.append(self.format(record) + " " + repr(record.args))


@pytest.fixture
def captured():
    handler = Capture()
    names = ["", "afr_aid", "werkzeug", "flask", "flask_smorest", "celery", "celery.task", "celery.worker", "kombu",
             "flask_wtf", "flask_login", "flask_babel", "marshmallow", "webargs", "urllib3"]
    # Every logger made so far (a worker's logging setup may have disabled
    # some); those that do not pass their records up get the handler too.
    names += [name for name, item in logging.root.manager.loggerDict.items() if isinstance(item, logging.Logger)]
    saved = {name: (logging.getLogger(name).level, logging.getLogger(name).disabled) for name in names}
    for name in names:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING if name.startswith("sqlalchemy") else logging.DEBUG)
        logger.disabled = False
        if name == "" or not logger.propagate:
            logger.addHandler(handler)
    for name in ("sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm"):
        logging.getLogger(name).setLevel(logging.WARNING)  # no statement echo, as in production
    yield handler
    for name, (level, disabled) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.disabled = disabled
        logger.removeHandler(handler)


def _leaks(texts) -> list[str]:
    return [secret for secret in SECRETS for text in texts if secret.lower() in text.lower()]


def _form(client, kind):
    html = client.get(f"/cases/new/{kind}").get_data(as_text=True)
    uid = re.search(r'name="client_uuid"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="client_uuid"', html)
    return {"csrf_token": csrf_from(html), "client_uuid": uid.group(1) or uid.group(2)}


def _file_through_the_pages(client):
    data = {**_form(client, "assistance"), "location": "CD-NK-GOM", "place": MARK["place"], "urgency": "critical",
            "needs": ["food"], "consent_record": "y", "consent_share": "y", "consent_statistics": "y",
            "person_name": MARK["name"], "person_phone": PHONE, "person_unhcr_id": MARK["unhcr"],
            "description": MARK["description"]}
    assert client.post("/cases/new/assistance", data=data).status_code == 302
    data = {**_form(client, "incident"), "location": "CD-NK-RUT", "urgency": "critical",
            "occurred_on": (clock.today(FIELD_ZONE) - timedelta(days=1)).isoformat(), "types": ["abduction"],
            "perpetrator": "armed_group", "perpetrator_detail": MARK["perpetrator"], "source": "witness",
            "reliability": "probable", "reporter_name": MARK["reporter"], "reporter_phone": REPORTER_PHONE,
            "description": MARK["description"], "consent_record": "y", "consent_statistics": "y"}
    assert client.post("/cases/new/incident", data=data).status_code == 302
    # A validation error on the page: every marker typed again, one field too long.
    data = {**_form(client, "assistance"), "location": "CD-NK-GOM", "needs": ["food"], "urgency": "low",
            "consent_record": "y", "person_name": MARK["name"] * 20, "person_phone": PHONE,
            "description": MARK["description"]}
    response = client.post("/cases/new/assistance", data=data)
    assert response.status_code == 200 and "at most" in response.get_data(as_text=True)


def _file_through_the_api(client, headers):
    person = {"name": MARK["name"], "phone": PHONE, "unhcr_id": MARK["unhcr"], "sex": "female"}
    body = assistance_body(person=person, description=MARK["description"], place=MARK["place"], urgency="critical")
    assert client.post(f"{API}/cases", json=body, headers=headers).status_code == 201
    body = incident_body(reporter={"name": MARK["reporter"], "phone": REPORTER_PHONE},
                         perpetrator_detail=MARK["perpetrator"], description=MARK["description"])
    response = client.post(f"{API}/cases", json=body, headers=headers)
    assert response.status_code == 201
    ref = response.get_json()["ref"]
    assert client.post(f"{API}/cases/{ref}/notes", json={"body": MARK["note"]}, headers=headers).status_code == 201
    # Validation errors: a phone that is not one, a name too long, an unknown field.
    wrong = assistance_body(person={"name": MARK["name"] * 20, "phone": MARK["name"]},
                            description=MARK["description"], **{MARK["place"]: MARK["reporter"]})
    response = client.post(f"{API}/cases", json=wrong, headers=headers)
    assert response.status_code == 422
    # A body that is not JSON.
    assert client.post(f"{API}/cases", data=MARK["description"] + "{", headers=headers,
                       content_type="application/json").status_code == 400


def _server_errors(client, headers, monkeypatch) -> list[str]:
    """A failure deep in the service, its message quoting what was typed."""
    from afr_aid.services.cases import records as cases

    def broken(*args, **kwargs):
        raise RuntimeError("could not store " + MARK["boom"] + " " + MARK["name"])

    monkeypatch.setattr(cases, "file_case", broken)
    references = []
    response = client.post(f"{API}/cases", json=assistance_body(person={"name": MARK["name"]}), headers=headers)
    assert response.status_code == 500
    message = response.get_json()["error"]["message"]
    references.append(re.search(r"\b([0-9a-f]{12})\b", message).group(1))
    assert not _leaks([response.get_data(as_text=True)])

    data = {**_form(client, "assistance"), "location": "CD-NK-GOM", "needs": ["food"], "urgency": "low",
            "consent_record": "y", "person_name": MARK["name"]}
    response = client.post("/cases/new/assistance", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Something went wrong" in page
    references.append(re.search(r"\b([0-9a-f]{12})\b", page).group(1))
    assert not _leaks([page]) and "Traceback" not in page and "RuntimeError" not in page
    return references


def _two_step_codes(app, coordinator) -> list[str]:
    """A coordinator types a wrong code and a wrong recovery code, on the page
    and in the API, then signs in right: the secret, the codes typed and the
    recovery codes are secrets too."""
    from tests.conftest import SECOND_FACTORS, second_step

    wrong = f"Qx{TAG}recovery"
    client = app.test_client()
    page = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD, "csrf_token": page})
    token = csrf_from(client.get("/login/code").get_data(as_text=True))
    client.post("/login/code", data={"code": wrong, "csrf_token": token})
    app.test_client().post(f"{API}/tokens", json={"email": coordinator.email, "password": PASSWORD, "otp": wrong})
    assert second_step(client, coordinator.email).status_code == 302
    enrolled = SECOND_FACTORS[coordinator.email]
    return [wrong, enrolled["secret"], *enrolled["codes"]]


def test_no_marker_reaches_a_log_or_a_mail(app, make_user, captured, monkeypatch):
    coordinator = make_user("coordinator", regions=["CD-NK"])  # hears of critical cases by mail
    SECRETS.extend(_two_step_codes(app, coordinator))
    volunteer = make_user("volunteer", regions=["CD-NK"])
    client = app.test_client()
    login(app.test_client(), volunteer.email, MARK["password"])  # a wrong password, typed in the sign-in form
    app.test_client().post(f"{API}/tokens", json={"email": volunteer.email, "password": MARK["password"]})
    login(client, volunteer.email)
    headers = api_token(app.test_client(), volunteer.email)

    _file_through_the_pages(client)
    _file_through_the_api(client, headers)
    references = _server_errors(client, headers, monkeypatch)

    # The mail those cases caused, written out as the worker would.
    ids = list(db.session.scalars(select(Notification.id)))
    assert ids, "critical cases tell the region's coordinators"
    delivery.deliver_many(ids)
    mails = [path.read_bytes().decode("utf-8", "replace") for path in Path(app.config["MAIL_DIR"]).glob("*.eml")]
    assert mails

    # The capture works: the client errors and the server errors were logged.
    assert any("client error 422" in line for line in captured.lines)
    assert any("client error 400" in line for line in captured.lines)
    for reference in references:
        assert any(f"ref={reference}" in line for line in captured.lines), reference
    assert _leaks(captured.lines) == []
    assert _leaks(mails) == []
