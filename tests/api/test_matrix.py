"""Every call × every role: the answer each one gets (a case filed by a
volunteer in Goma, North Kivu; coordinators of North and South Kivu)."""
import pytest

from tests.api.conftest import API, assistance_body

ROLES = ["volunteer", "other_volunteer", "sk_volunteer", "coordinator", "sk_coordinator", "donor", "admin"]
SEES = {"volunteer", "coordinator", "admin"}


def expected(call: str, role: str) -> int:
    if call in ("me", "locations"):
        return 200
    if call == "sign out":
        return 204
    if call == "stats":
        return 403 if role.endswith("volunteer") else 200
    if call == "list":
        return 403 if role == "donor" else 200
    if call == "file":
        return 403 if role == "donor" else 201
    if role not in SEES:
        return 404  # out of reach, exactly as nonexistent
    if call in ("suggestions", "assign"):
        return 403 if role == "volunteer" else 200
    return {"detail": 200, "events": 200, "note": 201}[call]


CALLS = ["me", "locations", "stats", "list", "file", "detail", "events", "suggestions", "note", "assign",
         "sign out"]


@pytest.mark.parametrize("role", ROLES)
def test_every_call_for_every_role(client, auth, people, file_case, role):
    case = file_case(people.volunteer)
    headers = getattr(auth, role)
    requests = {
        "me": lambda: client.get(f"{API}/me", headers=headers),
        "locations": lambda: client.get(f"{API}/locations", headers=headers),
        "stats": lambda: client.get(f"{API}/stats", headers=headers),
        "list": lambda: client.get(f"{API}/cases", headers=headers),
        "file": lambda: client.post(f"{API}/cases", json=assistance_body(), headers=headers),
        "detail": lambda: client.get(f"{API}/cases/{case.ref}", headers=headers),
        "events": lambda: client.get(f"{API}/cases/{case.ref}/events", headers=headers),
        "suggestions": lambda: client.get(f"{API}/cases/{case.ref}/suggestions", headers=headers),
        "note": lambda: client.post(f"{API}/cases/{case.ref}/notes", json={"body": "Seen"}, headers=headers),
        "assign": lambda: client.post(f"{API}/cases/{case.ref}/transitions", headers=headers,
                                      json={"action": "assign", "assignee": people.other_volunteer.email}),
        "sign out": lambda: client.delete(f"{API}/tokens/current", headers=headers),
    }
    answers = {call: requests[call]().status_code for call in CALLS}
    assert answers == {call: expected(call, role) for call in CALLS}
