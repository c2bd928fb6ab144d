"""Shared helpers for the service-layer tests.

Everything here goes through the services themselves (file_case, transition,
create_user), so a case "in status X" is one a user could have produced.
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from afr_aid.extensions import db
from afr_aid.models import Case, CaseEvent, Notification
from afr_aid.services.cases import records as cases_service
from afr_aid.services.cases import workflow

from ..conftest import assistance_data, incident_data

# Valid fields for each action, as a client would send them.
GOOD_FIELDS = {
    "accept": {},
    "start": {},
    "decline": {"reason": "I cannot reach Goma this week."},
    "resolve": {"note": "Food parcel delivered."},
    "close": {"outcome": None},  # filled per kind
    "reopen": {"reason": "The family is displaced again."},
    "verify": {"verification": "verified"},
}
CLOSE_OUTCOME = {"assistance": "assisted", "incident": "documented"}


def good_fields(action: str, kind: str, assignee_email: str | None = None) -> dict:
    if action == "assign":
        return {"assignee": assignee_email}
    if action == "close":
        return {"outcome": CLOSE_OUTCOME[kind]}
    return dict(GOOD_FIELDS[action])


WORLD = {
    # attribute: (role, regions, name)
    "admin": ("admin", [], "Ada Admin"),
    "coord_nk": ("coordinator", ["CD-NK"], "Coordinator North Kivu"),
    "coord_sk": ("coordinator", ["CD-SK"], "Coordinator South Kivu"),
    "filer": ("volunteer", ["CD-NK-GOM"], "Filer Volunteer"),
    "assignee": ("volunteer", ["CD-NK-GOM"], "Assigned Volunteer"),
    "other": ("volunteer", ["CD-NK-GOM"], "Other Volunteer"),
    "outsider": ("volunteer", ["CD-NK-GOM"], "Uninvolved Volunteer"),
    "donor": ("donor", [], "Donor Partner"),
}


class World:
    """The usual cast around a case filed in Goma (CD-NK-GOM, North Kivu).
    Each person is created the first time a test asks for them."""

    def __init__(self, make_user):
        self._make_user = make_user

    def __getattr__(self, name):
        if name not in WORLD:
            raise AttributeError(name)
        role, regions, full_name = WORLD[name]
        user = self._make_user(role, regions=regions, name=full_name)
        setattr(self, name, user)
        return user


@pytest.fixture
def world(make_user):
    return World(make_user)


PATHS = {
    # How a case reaches each status, as (action, who) steps; "who" names a world attribute.
    "new": [("assign", "manager"), ("decline", "assignee")],
    "assigned": [("assign", "manager")],
    "accepted": [("assign", "manager"), ("accept", "assignee")],
    "in_progress": [("assign", "manager"), ("accept", "assignee"), ("start", "assignee")],
    "resolved": [("assign", "manager"), ("accept", "assignee"), ("start", "assignee"),
                 ("resolve", "assignee")],
    "closed": [("assign", "manager"), ("accept", "assignee"), ("start", "assignee"),
               ("resolve", "assignee"), ("close", "manager")],
}
STATUSES = list(PATHS)


def bring_to(case: Case, status: str, manager, assignee) -> Case:
    """Walk a freshly filed case to `status` through the workflow service.
    "new" means: assigned to `assignee`, who then declined it."""
    for action, who in PATHS[status]:
        actor = manager if who == "manager" else assignee
        workflow.transition(actor, case, action, good_fields(action, case.kind, assignee.email))
    assert case.status == status
    return case


def file(user, kind="assistance", client_uuid=None, **overrides) -> Case:
    data = assistance_data(**overrides) if kind == "assistance" else incident_data(**overrides)
    if isinstance(data.get("occurred_on"), str):
        data["occurred_on"] = date.fromisoformat(data["occurred_on"])
    case, _ = cases_service.file_case(user, kind, client_uuid or uuid.uuid4(), data)
    return case


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def events(case: Case) -> list[CaseEvent]:
    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))


def notifications(**where) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return list(db.session.scalars(query))


def age(case: Case, days: float = 0, hours: float = 0) -> Case:
    """Pretend the case was filed that long ago: its creation, due time and
    timeline move back together (time passing, without waiting)."""
    shift = timedelta(days=days, hours=hours)
    db.session.execute(update(Case).where(Case.id == case.id).values(
        created_at=case.created_at - shift, updated_at=case.updated_at - shift, due_at=case.due_at - shift))
    for event in events(case):
        event.at = event.at - shift
    db.session.commit()
    return reload(case)


def reload(case: Case) -> Case:
    """The case as the database now holds it (nothing cached in the session)."""
    db.session.refresh(case)
    return case
