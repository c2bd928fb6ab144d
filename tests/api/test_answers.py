"""The API's answers are written straight from serialize.py's dicts
(api/answers.py), not dumped through the schemas: what a client receives must
still be exactly what the documented schemas say, for every shape of case."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from afr_aid import clock
from afr_aid.api import answers, serialize
from afr_aid.api.schemas.cases import CaseOut, CasePage
from afr_aid.api.schemas.workflow import EventList
from afr_aid.services.cases import records as cases
from afr_aid.services.cases import workflow
from tests.api.conftest import API, assistance_body, incident_body


def _schema_dump(schema, data):
    """What flask-smorest answered before: the schema's dump, through JSON."""
    return json.loads(json.dumps(schema.dump(data)))


@pytest.fixture
def every_shape(client, auth, people, file_case):
    """An assistance request, an incident with reporter and perpetrator
    detail, an assigned case, a closed duplicate, a resolved case."""
    client.post(f"{API}/cases", json=assistance_body(), headers=auth.volunteer)
    client.post(f"{API}/cases", json=incident_body(), headers=auth.volunteer)
    bare = file_case(people.volunteer, person={"name": None}, needs=[], place=None, description=None)
    first = file_case(people.volunteer)
    duplicate = file_case(people.volunteer)
    workflow.transition(people.coordinator, duplicate, "close",
                        {"outcome": "duplicate", "duplicate_of": first.ref, "note": "Same family."})
    assigned = file_case(people.volunteer, "incident")
    workflow.transition(people.coordinator, assigned, "assign", {"assignee": people.other_volunteer.email})
    workflow.transition(people.coordinator, assigned, "verify", {"verification": "verified"})
    return [bare, first, duplicate, assigned]


@pytest.mark.parametrize("role", ["volunteer", "other_volunteer", "coordinator", "admin"])
def test_every_case_answer_is_the_schemas_dump(client, auth, people, every_shape, role):
    viewer = getattr(people, role)
    listing = client.get(f"{API}/cases?limit=50", headers=getattr(auth, role))
    assert listing.status_code == 200 and listing.mimetype == "application/json"
    items = listing.get_json()["items"]
    assert items, "the viewer sees some cases"
    refs = [item["ref"] for item in items]
    now = clock.now()
    expected = [serialize.case(viewer, cases.get_case(viewer, ref), now, detail=False) for ref in refs]
    got = listing.get_json()
    # `overdue` is computed at answer time; everything else must be the schema's dump.
    for item in got["items"]:
        item.pop("overdue")
    want = _schema_dump(CasePage(), {"items": expected, "next_cursor": None})
    for item in want["items"]:
        item.pop("overdue")
    assert got == want
    for ref in refs:
        detail = client.get(f"{API}/cases/{ref}", headers=getattr(auth, role)).get_json()
        assert detail == _schema_dump(CaseOut(), serialize.case(viewer, cases.get_case(viewer, ref)))
        timeline = client.get(f"{API}/cases/{ref}/events", headers=getattr(auth, role)).get_json()
        case = cases.get_case(viewer, ref)
        assert timeline == _schema_dump(EventList(), {"items": [serialize.event(e)
                                                                for e in cases.events_of(viewer, case)]})
        assert timeline["items"], "every case has at least its create event"


def test_dates_and_times_are_iso_8601_as_the_schemas_write_them():
    moment = datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=timezone.utc)
    written = json.loads(answers.dumps({"at": moment, "on": date(2026, 3, 4), "text": "Ndéyé"}))
    assert written == {"at": "2026-03-04T05:06:07.000089+00:00", "on": "2026-03-04", "text": "Ndéyé"}
    assert written["at"] == _schema_dump(CaseOut(only=("created_at",)), {"created_at": moment})["created_at"]


def test_a_value_json_cannot_hold_fails_loudly_instead_of_being_guessed():
    with pytest.raises(TypeError):
        answers.dumps({"value": object()})
