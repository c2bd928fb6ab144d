"""POST /api/v1/cases: filing, idempotent retries, and every way a body can be wrong."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import Case, CaseEvent
from tests.api.conftest import API, assistance_body, incident_body
from tests.conftest import FIELD_ZONE


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


def test_filing_an_assistance_request_answers_the_case_as_get_shows_it(client, auth, people):
    body = assistance_body()
    response = client.post(f"{API}/cases", json=body, headers=auth.volunteer)
    assert response.status_code == 201
    case = response.get_json()
    assert case["ref"].startswith("AR-") and len(case["ref"]) == len("AR-2026-000001")
    assert (case["kind"], case["status"], case["urgency"]) == ("assistance", "new", "medium")
    assert case["location"] == {"code": "CD-NK-GOM", "name": "Goma"}
    assert case["created_by"] == {"email": people.volunteer.email, "name": "Vera Volunteer"}
    assert case["assignee"] is None and case["overdue"] is False
    assert case["person"] == body["person"]
    assert case["needs"] == ["food", "health"] and case["vulnerabilities"] == ["child"]
    assert case["consent"] == body["consent"] and case["place"] == body["place"]
    created, due = datetime.fromisoformat(case["created_at"]), datetime.fromisoformat(case["due_at"])
    assert created.utcoffset() == timedelta(0) and due - created == timedelta(hours=72)
    assert "id" not in case and "client_uuid" not in case
    assert not {"types", "reporter", "verification", "outcome"} & set(case)
    assert client.get(f"{API}/cases/{case['ref']}", headers=auth.volunteer).get_json() == case


def test_filing_an_incident(client, auth):
    body = incident_body()
    response = client.post(f"{API}/cases", json=body, headers=auth.coordinator)
    assert response.status_code == 201
    case = response.get_json()
    assert case["ref"].startswith("SI-") and case["verification"] == "pending"
    for name in ("occurred_on", "occurred_time", "types", "perpetrator", "perpetrator_detail", "severity",
                 "victims", "source", "reliability", "reporter", "description"):
        assert case[name] == body[name], name
    assert "person" not in case and "needs" not in case
    events = client.get(f"{API}/cases/{case['ref']}/events", headers=auth.coordinator).get_json()["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [("create", None, "new")]


def test_the_same_client_uuid_again_gives_the_same_case_and_stores_nothing(client, auth, people):
    body = assistance_body()
    first = client.post(f"{API}/cases", json=body, headers=auth.volunteer)
    before = (_count(), db.session.scalar(select(func.count()).select_from(CaseEvent)))
    again = client.post(f"{API}/cases", json=body, headers=auth.volunteer)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["ref"] == first.get_json()["ref"]
    assert (_count(), db.session.scalar(select(func.count()).select_from(CaseEvent))) == before
    # The retry of a phone that lost the answer may differ in nothing that matters: still the first case.
    retry = client.post(f"{API}/cases", json=dict(body, description="edited"), headers=auth.volunteer)
    assert retry.status_code == 200 and retry.get_json()["description"] == body["description"]


def test_a_client_uuid_of_another_user_is_a_conflict_even_with_a_wrong_body(client, auth):
    body = assistance_body()
    client.post(f"{API}/cases", json=body, headers=auth.volunteer)
    for other in (auth.other_volunteer, auth.coordinator):
        response = client.post(f"{API}/cases", json=body, headers=other)
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "client_uuid_reused"
    wrong = {"client_uuid": body["client_uuid"], "kind": "nonsense", "urgency": 7}
    assert client.post(f"{API}/cases", json=wrong, headers=auth.other_volunteer).status_code == 409


def test_donors_may_not_file_even_a_wrong_body(client, auth):
    assert client.post(f"{API}/cases", json=assistance_body(), headers=auth.donor).status_code == 403
    assert client.post(f"{API}/cases", json={"kind": 5}, headers=auth.donor).status_code == 403
    assert client.post(f"{API}/cases", data="not json", headers=auth.donor).status_code == 403
    assert _count() == 0


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "admin"])
def test_anyone_but_donors_files_anywhere(client, auth, role):
    body = assistance_body(location="CD-TA-KAL")  # outside everyone's regions
    response = client.post(f"{API}/cases", json=body, headers=getattr(auth, role))
    assert response.status_code == 201
    # ...and keeps seeing it.
    assert client.get(f"{API}/cases/{response.get_json()['ref']}", headers=getattr(auth, role)).status_code == 200


# Every vocabulary field, by its dotted API name, with a body that reaches it.
VOCABULARY_FIELDS = [
    ("assistance", "urgency"), ("assistance", "person.sex"), ("assistance", "person.displacement"),
    ("assistance", "person.language"), ("assistance", "needs.0"), ("assistance", "vulnerabilities.0"),
    ("incident", "urgency"), ("incident", "types.0"), ("incident", "perpetrator"), ("incident", "source"),
    ("incident", "reliability"),
]


def _set(body: dict, dotted: str, value) -> dict:
    parts = dotted.split(".")
    target = body
    for part in parts[:-1]:
        target = target[part]
    if parts[-1].isdigit():
        target[int(parts[-1])] = value
    else:
        target[parts[-1]] = value
    return body


@pytest.mark.parametrize("kind, field", VOCABULARY_FIELDS)
def test_every_vocabulary_field_refuses_an_unknown_code_by_name(client, auth, kind, field):
    body = assistance_body() if kind == "assistance" else incident_body()
    response = client.post(f"{API}/cases", json=_set(body, field, "not_a_code"), headers=auth.volunteer)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == [field]
    assert _count() == 0


def test_an_unknown_place_and_kind_are_named(client, auth):
    response = client.post(f"{API}/cases", json=assistance_body(location="CD-NK-XYZ"), headers=auth.volunteer)
    assert response.get_json()["error"]["fields"] == {"location": ["Choose a known place."]}
    response = client.post(f"{API}/cases", json=assistance_body(kind="complaint"), headers=auth.volunteer)
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"kind"}
    response = client.post(f"{API}/cases", json={}, headers=auth.volunteer)
    assert set(response.get_json()["error"]["fields"]) == {"kind", "client_uuid"}


@pytest.mark.parametrize("name", ["name", "phone", "unhcr_id"])
def test_without_consent_to_record_the_person_stays_anonymous(client, auth, name):
    consent = {"record": False, "share": False, "statistics": True}
    person = {name: assistance_body()["person"][name], "sex": "male"}
    response = client.post(f"{API}/cases", json=assistance_body(consent=consent, person=person),
                           headers=auth.volunteer)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == [f"person.{name}"]
    anonymous = assistance_body(consent=consent, person={"name": "", "phone": None, "sex": "male", "age": 40})
    assert client.post(f"{API}/cases", json=anonymous, headers=auth.volunteer).status_code == 201


def test_without_consent_to_record_an_incident_reporter_stays_anonymous(client, auth):
    consent = {"record": False, "share": False, "statistics": False}
    response = client.post(f"{API}/cases", json=incident_body(consent=consent), headers=auth.volunteer)
    assert set(response.get_json()["error"]["fields"]) == {"reporter.name", "reporter.phone"}


def test_every_wrong_field_is_named_at_once(client, auth):
    body = assistance_body(urgency="soon", needs=[], place="x" * 201,
                           person={"name": "Named", "age": 131, "household_size": 0, "sex": True,
                                   "phone": "call me", "shoe_size": 42},
                           consent={"record": False, "share": "yes"}, colour="blue")
    response = client.post(f"{API}/cases", json=body, headers=auth.volunteer)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {
        "urgency", "needs", "place", "person.age", "person.household_size", "person.sex", "person.phone",
        "person.shoe_size", "consent.share", "consent.statistics", "person.name", "colour"}


def test_incident_fields_are_checked(client, auth):
    tomorrow = (clock.today(FIELD_ZONE) + timedelta(days=2)).isoformat()
    body = incident_body(occurred_on=tomorrow, occurred_time="25:00", severity=6, types=[],
                         victims={"killed": -1, "injured": 1.5, "abducted": "2", "arrested": True,
                                  "displaced_households": 10**30},
                         perpetrator_detail="x" * 2001, needs=["food"])
    response = client.post(f"{API}/cases", json=body, headers=auth.volunteer)
    assert set(response.get_json()["error"]["fields"]) == {
        "occurred_time", "severity", "types", "victims.killed", "victims.injured", "victims.abducted",
        "victims.arrested", "victims.displaced_households", "perpetrator_detail", "needs", "occurred_on"}
    response = client.post(f"{API}/cases", json=incident_body(occurred_on=tomorrow), headers=auth.volunteer)
    assert response.get_json()["error"]["fields"] == {"occurred_on": ["The date cannot be in the future."]}
    for bad in ("2026-02-30", "05/01/2026", "20260105", 20260105, "2026-W01-1", "0206-01-05", "1989-12-31"):
        response = client.post(f"{API}/cases", json=incident_body(occurred_on=bad), headers=auth.volunteer)
        assert list(response.get_json()["error"]["fields"]) == ["occurred_on"], bad


def test_an_incident_of_today_in_the_field_is_not_in_the_future(client, auth, time_machine):
    # 23:30 UTC is already tomorrow in eastern DR Congo (UTC+2).
    late = datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)
    time_machine.move_to(late, tick=False)
    field_today = (late + timedelta(hours=2)).date().isoformat()
    response = client.post(f"{API}/cases", json=incident_body(occurred_on=field_today), headers=auth.volunteer)
    assert response.status_code == 201


@pytest.mark.parametrize("empty", ["absent", None, ""])
def test_optional_fields_may_be_absent_null_or_blank(client, auth, empty):
    optional = ["place", "description", "person", "vulnerabilities"]
    body = assistance_body()
    for name in optional:
        if empty == "absent":
            del body[name]
        else:
            body[name] = empty
    response = client.post(f"{API}/cases", json=body, headers=auth.volunteer)
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["place"] is None and case["description"] is None and case["vulnerabilities"] == []
    assert case["person"]["name"] is None
    person = {"name": "  ", "sex": "", "age": None, "age_estimated": "", "language": None}
    response = client.post(f"{API}/cases", json=assistance_body(person=person), headers=auth.volunteer)
    assert response.status_code == 201 and set(response.get_json()["person"].values()) == {None}


@pytest.mark.parametrize("field", ["location", "urgency", "needs", "consent", "client_uuid"])
@pytest.mark.parametrize("empty", ["absent", None, ""])
def test_required_fields_cannot_be_empty(client, auth, field, empty):
    body = assistance_body()
    if empty == "absent":
        del body[field]
    else:
        body[field] = empty
    response = client.post(f"{API}/cases", json=body, headers=auth.volunteer)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {field: ["This field is required."]}


@pytest.mark.parametrize("value", ["", "not json", "{", "[1, 2]", '"text"', "null", "42", "{'a': 1}",
                                   '{"a": NaN}', '{"a": Infinity}', "[" * 100_000 + "]" * 100_000])
def test_a_body_that_is_not_a_json_object_is_400(client, auth, value):
    response = client.post(f"{API}/cases", data=value, content_type="application/json", headers=auth.volunteer)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_json"


def test_a_body_that_is_not_utf8_is_400(client, auth):
    raw = '{"kind": "assistance", "place": "caf\u00e9"}'.encode("latin-1")
    response = client.post(f"{API}/cases", data=raw, content_type="application/json", headers=auth.volunteer)
    assert response.status_code == 400


def test_a_body_over_256_kib_is_413(client, auth):
    body = assistance_body(description="x" * (257 * 1024))
    response = client.post(f"{API}/cases", json=body, headers=auth.volunteer)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert _count() == 0


def test_text_with_control_characters_or_lone_surrogates_is_refused(client, auth):
    for bad in ("nul\u0000byte", "bell\u0007", "half \ud800 pair"):
        response = client.post(f"{API}/cases", json=assistance_body(description=bad), headers=auth.volunteer)
        assert response.status_code == 422, bad
        assert list(response.get_json()["error"]["fields"]) == ["description"]
    fine = assistance_body(description="Line one\nLine two\twith a tab \u2014 and Kiswahili: habari")
    assert client.post(f"{API}/cases", json=fine, headers=auth.volunteer).status_code == 201


def test_a_bad_client_uuid_is_named(client, auth):
    for bad in ("not-a-uuid", 12, {"a": 1}, "x" * 1000):
        response = client.post(f"{API}/cases", json=assistance_body(client_uuid=bad), headers=auth.volunteer)
        assert list(response.get_json()["error"]["fields"]) == ["client_uuid"], bad
    response = client.post(f"{API}/cases", json=assistance_body(client_uuid=uuid.uuid4().hex),
                           headers=auth.volunteer)
    assert response.status_code == 201
