"""What each action does beyond the status: assignees, reasons, due times,
outcomes, duplicates, verification, the timeline and notes."""
from __future__ import annotations

from datetime import timedelta

import pytest

from afr_aid import clock
from afr_aid.errors import Invalid, NotFound
from afr_aid.extensions import db
from afr_aid.services.cases import records as cases_service
from afr_aid.services.cases import workflow

from .conftest import age, bring_to, events, file, reload

DELAY = {"low": timedelta(days=7), "medium": timedelta(hours=72), "high": timedelta(hours=24),
         "critical": timedelta(hours=4)}


# ---- decline -------------------------------------------------------------------

def test_decline_needs_a_reason(world):
    case = bring_to(file(world.filer), "assigned", world.coord_nk, world.assignee)
    for fields in ({}, {"reason": None}, {"reason": ""}, {"reason": "   "}):
        with pytest.raises(Invalid) as refused:
            workflow.transition(world.assignee, case, "decline", fields)
        assert list(refused.value.fields) == ["reason"], fields
        case = reload(case)
        assert case.status == "assigned" and case.assignee_id == world.assignee.id


def test_decline_returns_the_case_to_new_without_assignee_and_keeps_the_reason(world):
    case = bring_to(file(world.filer), "assigned", world.coord_nk, world.assignee)
    workflow.transition(world.assignee, case, "decline", {"reason": "  Road to Sake is cut.  "})
    case = reload(case)
    assert case.status == "new" and case.assignee_id is None
    last = events(case)[-1]
    assert (last.action, last.from_status, last.to_status, last.note) == ("decline", "assigned", "new",
                                                                           "Road to Sake is cut.")
    # The volunteer who declined no longer sees it (they did not file it).
    with pytest.raises(NotFound):
        cases_service.get_case(world.assignee, case.ref)


# ---- reopen --------------------------------------------------------------------

def test_reopen_needs_a_reason(world):
    case = bring_to(file(world.filer), "closed", world.coord_nk, world.assignee)
    for fields in ({}, {"reason": ""}, {"reason": " \n "}):
        with pytest.raises(Invalid) as refused:
            workflow.transition(world.coord_nk, case, "reopen", fields)
        assert list(refused.value.fields) == ["reason"], fields
        assert reload(case).status == "closed"


def test_reopen_clears_the_assignee_and_restarts_the_due_time_from_now(world):
    for urgency in ("low", "medium", "high", "critical"):
        case = bring_to(file(world.filer, urgency=urgency), "closed", world.coord_nk, world.assignee)
        age(case, days=30)  # closed long ago: its first due time is far in the past
        old_due = case.due_at
        before = clock.now()
        workflow.transition(world.coord_nk, case, "reopen", {"reason": "The family came back."})
        after = clock.now()
        case = reload(case)
        assert case.status == "new" and case.assignee_id is None
        assert before + DELAY[urgency] <= case.due_at <= after + DELAY[urgency], urgency
        assert case.due_at > old_due
        assert not case.is_overdue(after)
        assert case.outcome is None  # a reopened case has no outcome yet
        last = events(case)[-1]
        assert (last.action, last.from_status, last.to_status, last.note) == ("reopen", "closed", "new",
                                                                               "The family came back.")
    # The former assignee loses it; the filer keeps it.
    with pytest.raises(NotFound):
        cases_service.get_case(world.assignee, case.ref)
    assert cases_service.get_case(world.filer, case.ref).id == case.id


# ---- verify --------------------------------------------------------------------

@pytest.mark.parametrize("status", ["new", "assigned", "accepted", "in_progress", "resolved"])
def test_verify_sets_the_verification_and_keeps_the_status(world, status):
    case = bring_to(file(world.filer, "incident"), status, world.coord_nk, world.assignee)
    assert case.verification == "pending"
    for verification in ("verified", "unverified", "rejected"):
        workflow.transition(world.coord_nk, case, "verify", {"verification": verification})
        case = reload(case)
        assert case.verification == verification and case.status == status
        last = events(case)[-1]
        assert (last.action, last.from_status, last.to_status) == ("verify", status, status)


def test_verify_refuses_values_outside_the_vocabulary(world):
    case = file(world.filer, "incident")
    for fields in ({}, {"verification": None}, {"verification": ""}, {"verification": "pending"},
                   {"verification": "true"}, {"verification": "VERIFIED"}):
        with pytest.raises(Invalid) as refused:
            workflow.transition(world.admin, case, "verify", fields)
        assert "verification" in refused.value.fields, fields
        assert reload(case).verification == "pending"


def test_verify_on_an_assistance_request_is_invalid(world):
    for status in ("new", "assigned", "accepted", "in_progress", "resolved"):
        case = bring_to(file(world.filer, "assistance"), status, world.coord_nk, world.assignee)
        with pytest.raises(Invalid):
            workflow.transition(world.coord_nk, case, "verify", {"verification": "verified"})
        case = reload(case)
        assert case.status == status and case.verification is None
        assert [e.action for e in events(case)].count("verify") == 0


# ---- close ---------------------------------------------------------------------

OUTCOMES = {  # docs/domain.md, "outcomes on closing"
    "assistance": ["assisted", "referred", "no_longer_needed", "unreachable", "duplicate", "invalid"],
    "incident": ["documented", "referred", "advocacy", "duplicate", "invalid"],
}
ALL_OUTCOMES = sorted(set(OUTCOMES["assistance"]) | set(OUTCOMES["incident"]))


@pytest.mark.parametrize("kind", ["assistance", "incident"])
def test_close_takes_only_an_outcome_of_the_case_kind(world, kind):
    refused_case = file(world.filer, kind)
    for outcome in ALL_OUTCOMES + ["", None, "resolved"]:
        fields = {} if outcome is None else {"outcome": outcome}
        if outcome in OUTCOMES[kind]:
            case = file(world.filer, kind)
            if outcome == "duplicate":
                fields["duplicate_of"] = refused_case.ref
            workflow.transition(world.coord_nk, case, "close", fields)
            case = reload(case)
            assert case.status == "closed" and case.outcome == outcome
            assert events(case)[-1].detail["outcome"] == outcome
        else:
            with pytest.raises(Invalid) as refused:
                workflow.transition(world.coord_nk, refused_case, "close", fields)
            assert "outcome" in refused.value.fields, outcome
            case = reload(refused_case)
            assert case.status == "new" and case.outcome is None


def test_close_as_duplicate_needs_the_reference_of_another_visible_case(world, make_user):
    case = file(world.filer, location="CD-NK-GOM")
    same_region = file(world.other, location="CD-NK-MAS")
    elsewhere = file(make_user("volunteer", regions=["CD-SK"]), location="CD-SK-BUK")
    unknown = f"AR-{case.year}-999999"
    for duplicate_of in (None, "", case.ref, elsewhere.ref, unknown, "not-a-ref"):
        fields = {"outcome": "duplicate"}
        if duplicate_of is not None:
            fields["duplicate_of"] = duplicate_of
        with pytest.raises(Invalid) as refused:
            workflow.transition(world.coord_nk, case, "close", fields)
        assert list(refused.value.fields) == ["duplicate_of"], duplicate_of
        assert reload(case).status == "new"
    # A case out of reach is refused with the same words as one that does not exist.
    messages = {}
    for ref in (elsewhere.ref, unknown):
        with pytest.raises(Invalid) as refused:
            workflow.transition(world.coord_nk, case, "close", {"outcome": "duplicate", "duplicate_of": ref})
        messages[ref] = [str(m) for m in refused.value.fields["duplicate_of"]]
    assert messages[elsewhere.ref] == messages[unknown]

    workflow.transition(world.coord_nk, case, "close", {"outcome": "duplicate",
                                                        "duplicate_of": same_region.ref.lower()})
    case = reload(case)
    assert case.status == "closed" and case.outcome == "duplicate"
    assert case.duplicate_of_id == same_region.id


def test_an_admin_may_point_a_duplicate_at_any_case(world, make_user):
    case = file(world.filer, location="CD-NK-GOM")
    elsewhere = file(make_user("volunteer", regions=["CD-SK"]), location="CD-SK-BUK")
    workflow.transition(world.admin, case, "close", {"outcome": "duplicate", "duplicate_of": elsewhere.ref})
    assert reload(case).duplicate_of_id == elsewhere.id


# ---- assign --------------------------------------------------------------------

def test_assign_refuses_someone_who_may_not_take_the_case(world, make_user):
    case = file(world.filer, location="CD-NK-GOM")
    inactive = make_user("volunteer", regions=["CD-NK-GOM"])
    inactive.active = False
    db.session.commit()
    refused_people = {
        "inactive volunteer": {"assignee": inactive.email},
        "unknown email": {"assignee": "nobody@tests.afr-aid.org"},
        "donor": {"assignee": world.donor.email},
        "admin": {"assignee": world.admin.email},
        "volunteer of another territory": {"assignee": make_user("volunteer", regions=["CD-NK-MAS"]).email},
        "coordinator of another province": {"assignee": world.coord_sk.email},
        "empty": {"assignee": ""},
        "missing": {},
    }
    for who, fields in refused_people.items():
        with pytest.raises(Invalid) as refused:
            workflow.transition(world.coord_nk, case, "assign", fields)
        assert list(refused.value.fields) == ["assignee"], who
        case = reload(case)
        assert case.status == "new" and case.assignee_id is None and len(events(case)) == 1, who


def test_assign_accepts_a_coordinator_of_the_region_and_any_case_of_the_email(world, make_user):
    case = file(world.filer, location="CD-NK-GOM")
    workflow.transition(world.admin, case, "assign", {"assignee": world.coord_nk.email.upper()})
    assert reload(case).assignee_id == world.coord_nk.id
    province_volunteer = make_user("volunteer", regions=["CD-NK"])  # a province covers Goma
    workflow.transition(world.admin, case, "assign", {"assignee": f"  {province_volunteer.email}  "})
    case = reload(case)
    assert case.assignee_id == province_volunteer.id
    assert events(case)[-1].detail == {"assignee": province_volunteer.email}


def test_reassigning_moves_the_case_to_the_new_assignee(world):
    case = bring_to(file(world.filer), "in_progress", world.coord_nk, world.assignee)
    workflow.transition(world.coord_nk, case, "assign", {"assignee": world.other.email})
    case = reload(case)
    assert case.status == "assigned" and case.assignee_id == world.other.id
    with pytest.raises(NotFound):
        cases_service.get_case(world.assignee, case.ref)
    assert cases_service.get_case(world.other, case.ref).id == case.id


# ---- timeline and notes ----------------------------------------------------------

def test_the_timeline_lists_every_step_oldest_first(world):
    case = bring_to(file(world.filer, "incident"), "closed", world.coord_nk, world.assignee)
    workflow.transition(world.coord_nk, case, "reopen", {"reason": "More victims reported."})
    workflow.add_note(world.filer, case, "Spoke to the chief again.")
    workflow.transition(world.admin, case, "verify", {"verification": "unverified"})
    timeline = cases_service.events_of(world.coord_nk, case)
    assert [(e.action, e.from_status, e.to_status) for e in timeline] == [
        ("create", None, "new"), ("assign", "new", "assigned"), ("accept", "assigned", "accepted"),
        ("start", "accepted", "in_progress"), ("resolve", "in_progress", "resolved"),
        ("close", "resolved", "closed"), ("reopen", "closed", "new"), ("note", None, None),
        ("verify", "new", "new")]
    assert [e.actor_id for e in timeline] == [world.filer.id, world.coord_nk.id, world.assignee.id,
                                              world.assignee.id, world.assignee.id, world.coord_nk.id,
                                              world.coord_nk.id, world.filer.id, world.admin.id]
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)
    with pytest.raises(NotFound):
        cases_service.events_of(world.outsider, case)


def test_anyone_who_sees_the_case_may_add_a_note_in_any_status(world):
    for status in ("new", "assigned", "accepted", "in_progress", "resolved", "closed"):
        case = bring_to(file(world.filer), status, world.coord_nk, world.assignee)
        writers = [world.filer, world.coord_nk, world.admin] + ([world.assignee] if status != "new" else [])
        for writer in writers:
            workflow.add_note(writer, case, f"Note by {writer.name}")
        notes = [e for e in events(case) if e.action == "note"]
        assert [(e.actor_id, e.note) for e in notes] == [(w.id, f"Note by {w.name}") for w in writers], status
        assert reload(case).status == status  # a note never moves the case


def test_notes_are_refused_to_those_out_of_reach_and_must_not_be_empty(world):
    case = file(world.filer)
    for stranger in (world.outsider, world.coord_sk, world.donor):
        with pytest.raises(NotFound):
            workflow.add_note(stranger, case, "hello")
    for body in ("", "   ", None):
        with pytest.raises(Invalid) as refused:
            workflow.add_note(world.filer, case, body)
        assert "body" in refused.value.fields
    assert [e.action for e in events(case)] == ["create"]
