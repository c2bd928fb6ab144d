"""POST /api/v1/cases/<ref>/transitions and /notes: the workflow table of
docs/domain.md through the API, who may act, and the order of refusals."""
import pytest

from afr_aid.services.cases.workflow import ALLOWED_FROM, TARGET
from afr_aid.vocab import STATUSES, TRANSITIONS
from tests.api.conftest import API

# Who takes each action in the table, and the fields it needs.
ACTOR = {"assign": "coordinator", "accept": "volunteer", "decline": "volunteer", "start": "volunteer",
         "resolve": "volunteer", "close": "coordinator", "reopen": "coordinator", "verify": "coordinator"}


def fields_for(action: str, people) -> dict:
    return {"assign": {"assignee": people.volunteer.email}, "decline": {"reason": "Too far"},
            "resolve": {"note": "Food delivered"}, "close": {"outcome": "documented", "note": "Done"},
            "reopen": {"reason": "Family came back"}, "verify": {"verification": "verified"}}.get(action, {})


def post(client, headers, ref, body):
    return client.post(f"{API}/cases/{ref}/transitions", json=body, headers=headers)


@pytest.mark.parametrize("status", list(STATUSES))
@pytest.mark.parametrize("action", TRANSITIONS)
def test_every_action_from_every_status(client, auth, people, case_in, action, status):
    case = case_in(status)
    response = post(client, getattr(auth, ACTOR[action]), case.ref, {"action": action, **fields_for(action, people)})
    if status in ALLOWED_FROM[action]:
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["status"] == TARGET.get(action, status)
        if action == "verify":
            assert body["verification"] == "verified"
        if action in ("decline", "reopen"):
            assert body["assignee"] is None
        if action == "assign":
            assert body["assignee"]["email"] == people.volunteer.email
        events = client.get(f"{API}/cases/{case.ref}/events", headers=auth.admin).get_json()["items"]
        assert (events[-1]["action"], events[-1]["from_status"], events[-1]["to_status"]) == (
            action, status, body["status"])
    elif status == "new" and ACTOR[action] == "volunteer":
        # A new case has no assignee: the volunteer is not its holder, and 403 comes before 409.
        assert response.status_code == 403, response.get_json()
    else:
        assert response.status_code == 409, response.get_json()
        assert response.get_json()["error"]["code"] == "conflict"


@pytest.mark.parametrize("action, role, status", [
    ("accept", "coordinator", "assigned"), ("accept", "other_volunteer", "assigned"),
    ("decline", "admin", "assigned"), ("start", "coordinator", "accepted"),
    ("resolve", "other_volunteer", "in_progress"),
    ("assign", "volunteer", "new"), ("close", "volunteer", "in_progress"), ("reopen", "volunteer", "closed"),
    ("verify", "volunteer", "new"), ("assign", "other_volunteer", "assigned"),
])
def test_those_who_see_a_case_but_may_not_act_get_403(client, auth, people, case_in, action, role, status):
    # When other_volunteer acts, they filed the case (so they see it) and the volunteer holds it.
    case = case_in(status, filer=people.other_volunteer if role == "other_volunteer" else None)
    response = post(client, getattr(auth, role), case.ref, {"action": action, **fields_for(action, people)})
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("role", ["sk_coordinator", "sk_volunteer", "donor", "other_volunteer"])
def test_those_who_do_not_see_the_case_get_404(client, auth, people, case_in, role):
    case = case_in("new")
    response = post(client, getattr(auth, role), case.ref, {"action": "assign", "assignee": people.volunteer.email})
    assert response.status_code == 404


def test_admins_and_coordinators_in_scope_resolve_too(client, auth, people, case_in):
    for role in ("coordinator", "admin"):
        case = case_in("in_progress")
        assert post(client, getattr(auth, role), case.ref, {"action": "resolve"}).status_code == 200


def test_refusals_come_in_the_order_401_404_403_409_422(client, auth, people, case_in):
    new, closed = case_in("new"), case_in("closed")
    garbage = {"action": "close", "outcome": 12, "colour": "red"}
    # 401 before everything, even for a case that does not exist.
    assert post(client, {}, "SI-2026-999999", garbage).status_code == 401
    # 404: out of reach, with a wrong body, wrong action and wrong status.
    assert post(client, auth.sk_coordinator, closed.ref, garbage).status_code == 404
    assert client.post(f"{API}/cases/{new.ref}/transitions", data="{{{", headers=auth.sk_coordinator,
                       content_type="application/json").status_code == 404
    # 403: the filer sees it but may not close, whatever the fields or status.
    assert post(client, auth.volunteer, closed.ref, garbage).status_code == 403
    assert post(client, auth.volunteer, new.ref, garbage).status_code == 403
    # 409: may close, but not a closed case, whatever the fields.
    assert post(client, auth.coordinator, closed.ref, garbage).status_code == 409
    assert post(client, auth.coordinator, new.ref, {"action": "reopen"}).status_code == 409
    # 422: everything else right, the fields wrong; every wrong field named.
    response = post(client, auth.coordinator, new.ref, garbage)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"outcome", "colour"}


def test_a_body_that_is_not_json_or_an_unknown_action(client, auth, case_in):
    case = case_in("new")
    response = client.post(f"{API}/cases/{case.ref}/transitions", data="assign", headers=auth.coordinator,
                           content_type="text/plain")
    assert response.status_code == 400
    for action in (None, "", "approve", 5, ["assign"], {"a": 1}):
        response = post(client, auth.coordinator, case.ref, {"action": action})
        assert response.status_code == 422, action
        assert list(response.get_json()["error"]["fields"]) == ["action"]


@pytest.mark.parametrize("assignee", ["sk_volunteer", "donor", "admin", "inactive", "nobody", "", None, 7])
def test_an_assignee_who_may_not_take_the_case_is_named(client, auth, people, case_in, make_user, assignee):
    case = case_in("new")
    if assignee == "inactive":
        from afr_aid.services.accounts.users import update_user

        user = people.other_volunteer
        update_user(people.admin, user, name=user.name, role=user.role, regions=["CD-NK"], languages=[],
                    skills=[], active=False, away=False, locale="en")
        email = user.email
    elif assignee == "nobody":
        email = "nobody@tests.afr-aid.org"
    elif isinstance(assignee, str) and assignee:
        email = getattr(people, assignee).email
    else:
        email = assignee
    response = post(client, auth.coordinator, case.ref, {"action": "assign", "assignee": email})
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["assignee"]


def test_a_coordinator_in_scope_may_be_assigned(client, auth, people, case_in):
    case = case_in("new")
    response = post(client, auth.admin, case.ref, {"action": "assign", "assignee": people.coordinator.email})
    assert response.status_code == 200 and response.get_json()["assignee"]["email"] == people.coordinator.email


def test_action_fields_are_checked(client, auth, people, case_in):
    assigned, new = case_in("assigned"), case_in("new", kind="assistance")
    cases = [
        (auth.volunteer, assigned, {"action": "decline"}, {"reason"}),
        (auth.volunteer, assigned, {"action": "decline", "reason": "   "}, {"reason"}),
        (auth.volunteer, assigned, {"action": "accept", "reason": "x"}, {"reason"}),
        (auth.coordinator, assigned, {"action": "close", "outcome": "assisted"}, {"outcome"}),  # not for incidents
        (auth.coordinator, assigned, {"action": "close", "outcome": "duplicate"}, {"duplicate_of"}),
        (auth.coordinator, assigned, {"action": "close", "outcome": "duplicate", "duplicate_of": assigned.ref},
         {"duplicate_of"}),
        (auth.coordinator, assigned, {"action": "verify", "verification": "pending"}, {"verification"}),
        (auth.coordinator, new, {"action": "verify", "verification": "verified"}, {"action"}),
        (auth.coordinator, new, {"action": "verify"}, {"action", "verification"}),
        (auth.coordinator, new, {"action": "resolve", "note": "x" * 10_001}, set()),  # 409 first: new
        (auth.coordinator, assigned, {"action": "assign", "assignee": people.volunteer.email, "note": 5},
         {"note"}),
    ]
    for headers, case, body, fields in cases:
        response = post(client, headers, case.ref, body)
        if not fields:
            assert response.status_code == 409
            continue
        assert response.status_code == 422, (body, response.get_json())
        assert set(response.get_json()["error"]["fields"]) == fields, body


def test_reopening_restarts_the_clock_and_clears_the_assignee(client, auth, case_in):
    case = case_in("closed")
    before = client.get(f"{API}/cases/{case.ref}", headers=auth.coordinator).get_json()
    body = post(client, auth.coordinator, case.ref, {"action": "reopen", "reason": "Came back"}).get_json()
    assert (body["status"], body["assignee"]) == ("new", None)
    assert body["due_at"] > before["due_at"] and "outcome" not in body


# ---- notes --------------------------------------------------------------------------------

@pytest.mark.parametrize("role, status", [
    ("volunteer", 201), ("coordinator", 201), ("admin", 201), ("other_volunteer", 404),
    ("sk_coordinator", 404), ("donor", 404)])
def test_notes_by_anyone_who_sees_the_case_in_any_status(client, auth, case_in, role, status):
    for case_status in ("new", "closed"):
        case = case_in(case_status)
        response = client.post(f"{API}/cases/{case.ref}/notes", json={"body": "  Visited today  "},
                               headers=getattr(auth, role))
        assert response.status_code == status
        if status == 201:
            event = response.get_json()
            assert (event["action"], event["note"], event["from_status"]) == ("note", "Visited today", None)
            items = client.get(f"{API}/cases/{case.ref}/events", headers=auth.admin).get_json()["items"]
            assert items[-1] == event


def test_wrong_notes(client, auth, case_in):
    case = case_in("new")
    url = f"{API}/cases/{case.ref}/notes"
    for body in ({}, {"body": ""}, {"body": "   "}, {"body": None}, {"body": 5}, {"body": "x" * 10_001},
                 {"body": "ok", "extra": 1}):
        response = client.post(url, json=body, headers=auth.volunteer)
        assert response.status_code == 422, body
    assert client.post(url, data="note", headers=auth.volunteer).status_code == 400
    assert client.post(url, json={"body": "x"}, headers=auth.sk_coordinator).status_code == 404
    assert client.post(url, data="not json", headers=auth.sk_coordinator).status_code == 404
