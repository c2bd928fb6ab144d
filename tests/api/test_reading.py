"""GET /api/v1/cases/<ref>, its events and suggestions: who sees what."""
import pytest
from sqlalchemy import select

from afr_aid.extensions import db
from afr_aid.models import AuditEntry
from afr_aid.services.cases import workflow
from tests.api.conftest import API

# A case filed by the volunteer in Goma (North Kivu), assigned to the other volunteer.
SEES = {"volunteer": 200, "other_volunteer": 200, "sk_volunteer": 404, "coordinator": 200,
        "sk_coordinator": 404, "donor": 404, "admin": 200}


@pytest.fixture
def incident(people, file_case):
    case = file_case(people.volunteer, "incident", perpetrator_detail="Commander X",
                     reporter={"name": "Jean Mugisha", "phone": "+243 990 000 002"})
    workflow.transition(people.coordinator, case, "assign", {"assignee": people.other_volunteer.email})
    return case


@pytest.mark.parametrize("role, status", SEES.items())
def test_who_sees_a_case_and_its_timeline(client, auth, incident, role, status):
    headers = getattr(auth, role)
    detail = client.get(f"{API}/cases/{incident.ref}", headers=headers)
    events = client.get(f"{API}/cases/{incident.ref}/events", headers=headers)
    assert (detail.status_code, events.status_code) == (status, status)
    if status == 404:
        missing = client.get(f"{API}/cases/SI-2026-999999", headers=headers)
        assert detail.get_json() == missing.get_json()  # out of reach reads exactly as nonexistent


@pytest.mark.parametrize("role, reporter, detail", [
    ("volunteer", True, False),        # the filer
    ("other_volunteer", False, False),  # the assignee
    ("coordinator", True, True),       # coordinator in scope
    ("admin", True, True),
])
def test_reporter_and_perpetrator_detail_only_for_those_allowed(client, auth, incident, role, reporter, detail):
    case = client.get(f"{API}/cases/{incident.ref}", headers=getattr(auth, role)).get_json()
    assert ("reporter" in case) is reporter
    assert ("perpetrator_detail" in case) is detail
    if reporter:
        assert case["reporter"] == {"name": "Jean Mugisha", "phone": "+243 990 000 002"}
    if detail:
        assert case["perpetrator_detail"] == "Commander X"


def test_a_coordinator_filing_outside_their_regions_sees_the_reporter_not_the_detail(
        client, auth, people, file_case):
    case = file_case(people.sk_coordinator, "incident", perpetrator_detail="Commander X",
                     reporter={"name": "Jean", "phone": None})
    body = client.get(f"{API}/cases/{case.ref}", headers=auth.sk_coordinator).get_json()
    assert "reporter" in body and "perpetrator_detail" not in body


def test_viewing_a_case_is_audited_and_listing_or_its_timeline_is_not(client, auth, people, incident):
    def views():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.view")).all()

    client.get(f"{API}/cases", headers=auth.coordinator)
    client.get(f"{API}/cases/{incident.ref}/events", headers=auth.coordinator)
    assert views() == []
    client.get(f"{API}/cases/{incident.ref.lower()}", headers=auth.coordinator)
    client.get(f"{API}/cases/{incident.ref}", headers=auth.sk_coordinator)  # 404: nothing seen
    entries = views()
    assert [(e.actor_id, e.target) for e in entries] == [(people.coordinator.id, incident.ref)]


def test_the_timeline_lists_every_event_oldest_first(client, auth, people, incident):
    workflow.transition(people.other_volunteer, incident, "decline", {"reason": "Too far for me"})
    workflow.add_note(people.volunteer, incident, "Called the family again")
    workflow.transition(people.coordinator, incident, "verify", {"verification": "verified"})
    workflow.transition(people.coordinator, incident, "close", {"outcome": "documented", "note": "Filed"})
    items = client.get(f"{API}/cases/{incident.ref}/events", headers=auth.volunteer).get_json()["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in items] == [
        ("create", None, "new"), ("assign", "new", "assigned"), ("decline", "assigned", "new"),
        ("note", None, None), ("verify", "new", "new"), ("close", "new", "closed")]
    assert items[1]["assignee"] == people.other_volunteer.email
    assert items[2]["note"] == "Too far for me" and items[2]["actor"]["email"] == people.other_volunteer.email
    assert items[3]["note"] == "Called the family again"
    assert items[4]["verification"] == "verified" and items[5]["outcome"] == "documented"
    assert all(set(e) >= {"at", "actor", "action", "from_status", "to_status", "note"} for e in items)
    case = client.get(f"{API}/cases/{incident.ref}", headers=auth.volunteer).get_json()
    assert case["outcome"] == "documented" and case["verification"] == "verified"


def test_a_system_assignment_has_no_actor(client, auth, people, file_case):
    from afr_aid.models import Place
    from afr_aid.services.cases.routing import set_auto_routing

    set_auto_routing(people.admin, db.session.scalar(select(Place).where(Place.code == "CD-NK")), True)
    case = file_case(people.coordinator)
    items = client.get(f"{API}/cases/{case.ref}/events", headers=auth.coordinator).get_json()["items"]
    assert items[1]["action"] == "assign" and items[1]["actor"] is None


def test_a_duplicate_shows_the_original(client, auth, people, file_case):
    original, duplicate = file_case(people.volunteer), file_case(people.volunteer)
    workflow.transition(people.coordinator, duplicate, "close",
                        {"outcome": "duplicate", "duplicate_of": original.ref})
    case = client.get(f"{API}/cases/{duplicate.ref}", headers=auth.volunteer).get_json()
    assert (case["status"], case["outcome"], case["duplicate_of"]) == ("closed", "duplicate", original.ref)


@pytest.mark.parametrize("role, status", [
    ("coordinator", 200), ("admin", 200), ("volunteer", 403), ("other_volunteer", 403),
    ("sk_coordinator", 404), ("sk_volunteer", 404), ("donor", 404)])
def test_suggestions_for_coordinators_in_scope_and_admins(client, auth, people, file_case, role, status):
    case = file_case(people.volunteer, person={"language": "sw"}, needs=["health"])
    workflow.transition(people.coordinator, case, "assign", {"assignee": people.other_volunteer.email})
    response = client.get(f"{API}/cases/{case.ref}/suggestions", headers=getattr(auth, role))
    assert response.status_code == status
    if status == 200:
        items = response.get_json()["items"]
        assert {item["email"] for item in items} == {people.volunteer.email, people.other_volunteer.email}
        assert items[0]["email"] == people.volunteer.email  # fewer open cases
        assert set(items[0]) == {"email", "name", "score", "reasons", "open_cases"}
        assert items[0]["score"] > items[1]["score"] and items[1]["open_cases"] == 1
        assert all(isinstance(reason, str) for reason in items[0]["reasons"])


@pytest.mark.parametrize("ref", ["nope", "AR-2026-00001", "XX-2026-000001", "AR-2026-000001%00",
                                 "%FF%FE", "AR-2026-0000001", "' OR 1=1 --"])
def test_odd_references_are_simply_not_found(client, auth, ref):
    for path in ("", "/events", "/suggestions"):
        assert client.get(f"{API}/cases/{ref}{path}", headers=auth.admin).status_code == 404
