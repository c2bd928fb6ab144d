"""The workflow table of docs/domain.md, cell by cell.

Every action × every status × every kind of actor. The expected answer is
transcribed here from docs/domain.md (not read from the code under test):

- out of the actor's reach → NotFound (404), whatever else is wrong;
- the actor sees the case but may not take the action → Forbidden (403);
- the action is not possible from this status → Conflict (409);
- only then are the action's fields checked → Invalid (422).
"""
from __future__ import annotations

import pytest

from afr_aid.errors import Conflict, Forbidden, Invalid, NotFound
from afr_aid.extensions import db
from afr_aid.services.cases import workflow

from .conftest import STATUSES, bring_to, events, file, good_fields, reload

ALL_BUT_CLOSED = {"new", "assigned", "accepted", "in_progress", "resolved"}

# docs/domain.md, "Workflow": the `from` column.
FROM = {
    "assign": ALL_BUT_CLOSED,
    "accept": {"assigned"},
    "decline": {"assigned"},
    "start": {"accepted"},
    "resolve": {"accepted", "in_progress"},
    "close": ALL_BUT_CLOSED,
    "reopen": {"closed"},
    "verify": ALL_BUT_CLOSED,
}
# The `who` column. "coordinator" means a coordinator whose regions cover the case.
WHO = {
    "assign": {"coordinator_in_scope", "admin"},
    "accept": {"assignee"},
    "decline": {"assignee"},
    "start": {"assignee"},
    "resolve": {"assignee", "coordinator_in_scope", "admin"},
    "close": {"coordinator_in_scope", "admin"},
    "reopen": {"coordinator_in_scope", "admin"},
    "verify": {"coordinator_in_scope", "admin"},
}
# The `effect` column (verify leaves the status as it is).
TO = {"assign": "assigned", "accept": "accepted", "decline": "new", "start": "in_progress",
      "resolve": "resolved", "close": "closed", "reopen": "new"}
# The fields each action needs (a call without them is 422 once allowed).
REQUIRED = {"assign": "assignee", "decline": "reason", "close": "outcome", "reopen": "reason",
            "verify": "verification"}

ACTORS = [
    "assignee",                          # the volunteer the case is assigned to
    "filer_volunteer",                   # another volunteer, who filed it
    "coordinator_in_scope",              # coordinator of North Kivu (the case is in Goma)
    "coordinator_out_of_scope_filer",    # coordinator of South Kivu who filed it
    "admin",
    # Out of reach: the answer must be 404, as for a case that does not exist.
    "volunteer_uninvolved",
    "coordinator_out_of_scope",
    "donor",
]
ACTIONS = list(FROM)


def sees(actor_kind: str, status: str) -> bool:
    """Volunteers see what they filed or is assigned to them now; coordinators
    what lies in their regions plus their own; admins all; donors nothing.
    In status "new" the former assignee has declined it: no longer theirs."""
    if actor_kind == "assignee":
        return status != "new"
    return actor_kind in ("filer_volunteer", "coordinator_in_scope", "coordinator_out_of_scope_filer", "admin")


def expected(actor_kind: str, action: str, status: str):
    if not sees(actor_kind, status):
        return NotFound
    if actor_kind not in WHO[action]:
        return Forbidden
    if status not in FROM[action]:
        return Conflict
    return None


ACTOR_IN_WORLD = {
    "assignee": "assignee",
    "filer_volunteer": "filer",
    "coordinator_in_scope": "coord_nk",
    "coordinator_out_of_scope_filer": "coord_sk",
    "admin": "admin",
    "volunteer_uninvolved": "outsider",
    "coordinator_out_of_scope": "coord_sk",
    "donor": "donor",
}


def _actor(world, actor_kind):
    return getattr(world, ACTOR_IN_WORLD[actor_kind])


def _case_for(world, actor_kind, kind, status):
    filer = world.coord_sk if actor_kind == "coordinator_out_of_scope_filer" else world.filer
    case = file(filer, kind, location="CD-NK-GOM")
    return bring_to(case, status, world.coord_nk, world.assignee)


def _refused_cell(world, case, actor, action, status, want):
    """A refused action answers `want` however its fields look, and changes nothing."""
    before_events, before_assignee = len(events(case)), case.assignee_id
    with pytest.raises(want) as refused:
        workflow.check_transition(actor, case, action)
    assert type(refused.value) is want, f"got {type(refused.value).__name__}"
    # Missing fields do not change the answer: 404 > 403 > 409 > 422.
    with pytest.raises(want) as refused:
        workflow.transition(actor, case, action, {})
    assert type(refused.value) is want, f"without fields got {type(refused.value).__name__}"
    with pytest.raises(want):
        workflow.transition(actor, case, action, good_fields(action, case.kind, world.other.email))
    case = reload(case)
    assert case.status == status, f"status changed to {case.status}"
    assert case.assignee_id == before_assignee, "assignee changed"
    assert len(events(case)) == before_events, "an event was written"


def _invalid_cell(world, case, actor, action, status):
    """Allowed by role and status, but the request itself is wrong (422)."""
    workflow.check_transition(actor, case, action)
    before_events = len(events(case))
    with pytest.raises(Invalid):
        workflow.transition(actor, case, action, good_fields(action, case.kind, world.other.email))
    case = reload(case)
    assert case.status == status and case.verification is None
    assert len(events(case)) == before_events


def _allowed_cell(world, case, actor, action, status):
    workflow.check_transition(actor, case, action)  # no error
    before_events, before_assignee = len(events(case)), case.assignee_id
    if action in REQUIRED:
        with pytest.raises(Invalid) as refused:
            workflow.transition(actor, case, action, {})
        assert REQUIRED[action] in refused.value.fields, f"422 does not name {REQUIRED[action]}"
        assert reload(case).status == status and len(events(case)) == before_events
    workflow.transition(actor, case, action, good_fields(action, case.kind, world.other.email))
    case = reload(case)
    new_status = TO.get(action, status)
    assert case.status == new_status, f"status {case.status}, expected {new_status}"
    timeline = events(case)
    assert len(timeline) == before_events + 1, "expected exactly one new event"
    last = timeline[-1]
    assert (last.action, last.from_status, last.to_status, last.actor_id) == (action, status, new_status, actor.id)
    if action == "assign":
        assert case.assignee_id == world.other.id
    elif action in ("decline", "reopen"):
        assert case.assignee_id is None, "the assignee was kept"
    elif action == "verify":
        assert case.verification == "verified"
    else:
        assert case.assignee_id == before_assignee


def _check_actor(world, actor_kind, kind):
    """Every status × every action for one kind of actor: every cell checked,
    every wrong cell reported by name. In each status the refused actions share
    one case (they change nothing); each allowed action gets a case of its own.
    (One test per actor rather than per cell: each test pays for a fresh app.)"""
    actor = _actor(world, actor_kind)
    problems = []
    for status in STATUSES:
        shared = _case_for(world, actor_kind, kind, status)
        for action in ACTIONS:
            want = expected(actor_kind, action, status)
            if kind == "assistance" and action == "verify" and want is None:
                want = Invalid  # DOMAIN: verify is 422 on an assistance request
            try:
                if want in (NotFound, Forbidden, Conflict):
                    _refused_cell(world, shared, actor, action, status, want)
                elif want is Invalid:
                    _invalid_cell(world, _case_for(world, actor_kind, kind, status), actor, action, status)
                else:
                    _allowed_cell(world, _case_for(world, actor_kind, kind, status), actor, action, status)
            except (Exception, pytest.fail.Exception) as error:  # noqa: BLE001 - report every cell
                db.session.rollback()
                outcome = want.__name__ if want else "allowed"
                problems.append(f"{kind}: {action} by {actor_kind} in {status} (expected {outcome}): "
                                f"{type(error).__name__}: {error}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("actor_kind", ACTORS)
def test_security_incident_workflow(world, actor_kind):
    _check_actor(world, actor_kind, "incident")


@pytest.mark.parametrize("actor_kind", ["coordinator_in_scope", "admin"])
def test_assistance_request_workflow(world, actor_kind):
    """The same table for assistance requests, except that verify answers 422
    (and closing takes an assistance outcome). Only the managers' rows differ
    by kind, so only they are walked again."""
    _check_actor(world, actor_kind, "assistance")


def test_every_cell_of_the_table_is_covered():
    """The rows above walk every action for every status and actor kind."""
    assert set(ACTIONS) == {"assign", "accept", "decline", "start", "resolve", "close", "reopen", "verify"}
    assert set(STATUSES) == {"new", "assigned", "accepted", "in_progress", "resolved", "closed"}
    allowed = [(a, k, s) for a in ACTIONS for k in ACTORS for s in STATUSES if expected(k, a, s) is None]
    # Each action is allowed somewhere and refused somewhere: the table is not vacuous.
    assert {a for a, _, _ in allowed} == set(ACTIONS)
    assert len(allowed) < len(ACTIONS) * len(ACTORS) * len(STATUSES)


def test_an_unknown_action_is_invalid_but_only_for_someone_who_sees_the_case(world):
    case = file(world.filer)
    with pytest.raises(NotFound):
        workflow.transition(world.outsider, case, "archive", {})
    with pytest.raises(Invalid) as refused:
        workflow.transition(world.coord_nk, case, "archive", {})
    assert "action" in refused.value.fields
