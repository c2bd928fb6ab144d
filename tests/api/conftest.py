"""Fixtures of the API tests: one user of each kind, their bearer headers,
request bodies, and cases moved to a given status through the services."""
from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from afr_aid.services.cases import workflow
from tests.conftest import api_token

API = "/api/v1"


def assistance_body(**overrides) -> dict:
    body = {"kind": "assistance", "client_uuid": str(uuid.uuid4()), "location": "CD-NK-GOM",
            "urgency": "medium", "needs": ["food", "health"], "vulnerabilities": ["child"],
            "place": "Camp Mugunga III", "description": "Family of five, no food since Monday.",
            "person": {"name": "Amani Bahati", "sex": "female", "age": 34, "age_estimated": False,
                       "displacement": "idp", "unhcr_id": "CD-123-456", "phone": "+243 970 000 001",
                       "household_size": 5, "language": "sw"},
            "consent": {"record": True, "share": False, "statistics": True}}
    body.update(overrides)
    return body


def incident_body(**overrides) -> dict:
    body = {"kind": "incident", "client_uuid": str(uuid.uuid4()), "location": "CD-NK-RUT",
            "urgency": "high", "occurred_on": "2026-01-05", "occurred_time": "06:30",
            "types": ["looting_or_extortion", "threat_or_intimidation"], "perpetrator": "armed_group",
            "perpetrator_detail": "Men in uniform at the roadblock", "severity": 3,
            "victims": {"killed": 0, "injured": 2, "abducted": 0, "arrested": 0, "displaced_households": 4},
            "source": "witness", "reliability": "probable",
            "reporter": {"name": "Jean Mugisha", "phone": "+243 990 000 002"},
            "description": "Roadblock on the Kiwanja road.",
            "consent": {"record": True, "share": True, "statistics": True}}
    body.update(overrides)
    return body


@pytest.fixture
def people(make_user):
    """Volunteers, coordinators in and out of North Kivu, a donor, an admin."""
    return SimpleNamespace(
        volunteer=make_user("volunteer", regions=["CD-NK"], name="Vera Volunteer"),
        other_volunteer=make_user("volunteer", regions=["CD-NK"], name="Otto Volunteer"),
        sk_volunteer=make_user("volunteer", regions=["CD-SK"], name="Sara South"),
        coordinator=make_user("coordinator", regions=["CD-NK"], name="Cora Coordinator"),
        sk_coordinator=make_user("coordinator", regions=["CD-SK"], name="Simon South"),
        donor=make_user("donor", name="Dina Donor"),
        admin=make_user("admin", name="Ada Admin"),
    )


@pytest.fixture
def auth(client, people):
    """auth.volunteer -> {"Authorization": "Bearer ..."}, one token per person, made on first use."""
    class Headers:
        def __getattr__(self, name):
            headers = api_token(client, getattr(people, name).email)
            setattr(self, name, headers)
            return headers

    return Headers()


@pytest.fixture
def case_in(file_case, people):
    """case_in("accepted", kind="incident"): filed by the volunteer in Goma,
    moved through the workflow by the coordinator and the volunteer."""
    def factory(status: str, kind: str = "incident", filer=None, **overrides):
        case = file_case(filer or people.volunteer, kind, **overrides)
        steps = {"new": [], "assigned": ["assign"], "accepted": ["assign", "accept"],
                 "in_progress": ["assign", "accept", "start"],
                 "resolved": ["assign", "accept", "start", "resolve"],
                 "closed": ["assign", "accept", "start", "resolve", "close"]}[status]
        for action in steps:
            actor = people.coordinator if action in ("assign", "close") else people.volunteer
            fields = {"assign": {"assignee": people.volunteer.email},
                      "close": {"outcome": "documented" if kind == "incident" else "assisted"}}.get(action, {})
            workflow.transition(actor, case, action, fields)
        assert case.status == status
        return case

    return factory
