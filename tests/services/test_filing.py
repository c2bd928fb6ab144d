"""Filing a case: references, due times, retries from a phone (client_uuid),
the consent rule, places and dates, and when a case is overdue."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from afr_aid import clock
from afr_aid.errors import Conflict, Forbidden, Invalid
from afr_aid.models import AuditEntry, Case, CaseCounter, CaseEvent, Notification
from afr_aid.services.cases import records as cases_service

from ..conftest import assistance_data, incident_data
from .conftest import age, bring_to, count, events, file, reload

DELAY = {"low": timedelta(days=7), "medium": timedelta(hours=72), "high": timedelta(hours=24),
         "critical": timedelta(hours=4)}


def _data(kind, **overrides):
    data = assistance_data(**overrides) if kind == "assistance" else incident_data(**overrides)
    if isinstance(data.get("occurred_on"), str):
        data["occurred_on"] = date.fromisoformat(data["occurred_on"])
    return data


def _stored():
    return {model.__name__: count(model) for model in (Case, CaseEvent, Notification, CaseCounter)}


# ---- references ------------------------------------------------------------------

def test_references_count_per_kind_within_the_year(world, time_machine):
    time_machine.move_to(datetime(2026, 12, 31, 21, 59, 59, tzinfo=timezone.utc))  # 23:59:59 in Goma
    year = 2026  # the year of filing is UTC's: the reference never changes with the reader's zone
    refs = [file(world.filer, kind).ref for kind in
            ("assistance", "assistance", "incident", "assistance", "incident")]
    assert refs == [f"AR-{year}-000001", f"AR-{year}-000002", f"SI-{year}-000001",
                    f"AR-{year}-000003", f"SI-{year}-000002"]
    # Six digits, no database id anywhere in the reference.
    assert all(re.fullmatch(r"(AR|SI)-\d{4}-\d{6}", ref) for ref in refs)


def test_the_count_starts_again_at_one_in_a_new_year(world, time_machine):
    time_machine.move_to(datetime(2026, 12, 31, 23, 55, tzinfo=timezone.utc))
    first = file(world.filer)
    time_machine.move_to(datetime(first.year + 1, 1, 1, 0, 5, tzinfo=timezone.utc))
    later = [file(world.filer), file(world.filer, "incident"), file(world.filer)]
    assert [c.ref for c in later] == [f"AR-{first.year + 1}-000001", f"SI-{first.year + 1}-000001",
                                      f"AR-{first.year + 1}-000002"]
    assert first.ref == f"AR-{first.year}-000001"


def test_a_refused_filing_does_not_use_up_a_number(world):
    with pytest.raises(Invalid):
        cases_service.file_case(world.filer, "assistance", uuid.uuid4(), _data("assistance", location="CD-XX"))
    assert file(world.filer).ref.endswith("-000001")


# ---- due time --------------------------------------------------------------------

def test_the_due_time_is_creation_plus_the_urgency_delay(world):
    for kind in ("assistance", "incident"):
        for urgency in ("low", "medium", "high", "critical"):
            before = clock.now()
            case = file(world.filer, kind, urgency=urgency)
            after = clock.now()
            case = reload(case)
            assert before <= case.created_at <= after
            assert case.due_at - case.created_at == DELAY[urgency], (kind, urgency)
            assert case.due_at.tzinfo is not None


# ---- overdue ---------------------------------------------------------------------

def test_a_case_is_overdue_once_its_delay_has_passed(world):
    for urgency in ("low", "medium", "high", "critical"):
        case = file(world.filer, urgency=urgency)
        assert not case.is_overdue(clock.now())
        assert not case.is_overdue(case.created_at + DELAY[urgency] - timedelta(seconds=1))
        assert case.is_overdue(case.created_at + DELAY[urgency] + timedelta(seconds=1))
        age(case, hours=DELAY[urgency].total_seconds() / 3600 + 0.1)
        assert reload(case).is_overdue(clock.now()), urgency


def test_resolved_and_closed_cases_are_never_overdue(world):
    cases = {status: age(bring_to(file(world.filer, urgency="critical"), status, world.coord_nk, world.assignee),
                         days=3)
             for status in ("new", "assigned", "accepted", "in_progress", "resolved", "closed")}
    listed_overdue = {c.ref for c in cases_service.list_cases(world.coord_nk, {"overdue": True})[0]}
    listed_on_time = {c.ref for c in cases_service.list_cases(world.coord_nk, {"overdue": False})[0]}
    for status, case in cases.items():
        overdue = case.is_overdue(clock.now())
        assert overdue == (status not in ("resolved", "closed")), status
        assert (case.ref in listed_overdue) == overdue, status
        assert (case.ref in listed_on_time) == (not overdue), status


def test_the_overdue_filter_splits_the_list_in_two(world):
    fresh = file(world.filer, urgency="low")
    late = age(file(world.filer, urgency="critical"), hours=5)
    almost = age(file(world.filer, urgency="high"), hours=23)
    done_late = age(bring_to(file(world.filer, urgency="critical"), "resolved", world.coord_nk, world.assignee),
                    hours=5)
    overdue = {c.ref for c in cases_service.list_cases(world.admin, {"overdue": True})[0]}
    on_time = {c.ref for c in cases_service.list_cases(world.admin, {"overdue": False})[0]}
    assert overdue == {late.ref}
    assert on_time == {fresh.ref, almost.ref, done_late.ref}


# ---- retries (client_uuid) ---------------------------------------------------------

@pytest.mark.parametrize("kind", ["assistance", "incident"])
def test_the_same_client_uuid_from_the_same_user_returns_the_first_case(world, kind):
    world.filer, world.coord_nk  # noqa: B018 - everyone exists before counting
    client_uuid = uuid.uuid4()
    first, created = cases_service.file_case(world.filer, kind, client_uuid, _data(kind, urgency="critical"))
    assert created is True
    stored = _stored()
    # The phone retries, even with edited fields: nothing new is stored.
    again, created_again = cases_service.file_case(world.filer, kind, client_uuid,
                                                   _data(kind, urgency="low", location="CD-SK-UVI"))
    assert created_again is False
    assert again.id == first.id and again.ref == first.ref
    assert reload(again).urgency == "critical" and again.location.code == "CD-NK-GOM"
    assert _stored() == stored


def test_a_client_uuid_used_by_someone_else_is_a_conflict(world):
    client_uuid = uuid.uuid4()
    first, _ = cases_service.file_case(world.filer, "assistance", client_uuid, _data("assistance"))
    stored = _stored()
    for other in (world.other, world.coord_nk, world.admin):
        with pytest.raises(Conflict):
            cases_service.file_case(other, "assistance", client_uuid, _data("assistance"))
    assert _stored() == stored
    assert reload(first).created_by_id == world.filer.id


def test_donors_cannot_file(world):
    with pytest.raises(Forbidden):
        cases_service.file_case(world.donor, "assistance", uuid.uuid4(), _data("assistance"))
    assert count(Case) == 0


def test_volunteers_coordinators_and_admins_file_for_any_place(make_user):
    for role in ("volunteer", "coordinator", "admin"):
        user = make_user(role, regions=["CD-SK"] if role != "admin" else [])
        case = file(user, location="CD-TA-MOB")
        assert case.status == "new" and case.created_by_id == user.id and case.location.code == "CD-TA-MOB"
        assert [(e.action, e.to_status, e.actor_id) for e in events(case)] == [("create", "new", user.id)]


# ---- consent ---------------------------------------------------------------------

def test_without_consent_to_record_the_person_stays_anonymous(world):
    for field in ("name", "phone", "unhcr_id"):
        person = {"sex": "female", "age": 30, field: "Aline U." if field == "name" else "0990000000"}
        data = _data("assistance", person=person, consent={"record": False, "share": False, "statistics": True})
        with pytest.raises(Invalid) as refused:
            cases_service.file_case(world.filer, "assistance", uuid.uuid4(), data)
        assert list(refused.value.fields) == [f"person.{field}"]
    assert count(Case) == 0


def test_every_identifying_field_is_named_at_once(world):
    data = _data("assistance", person={"name": "A", "phone": "099", "unhcr_id": "U-1"},
                 consent={"record": False, "share": True, "statistics": True})
    with pytest.raises(Invalid) as refused:
        cases_service.file_case(world.filer, "assistance", uuid.uuid4(), data)
    assert set(refused.value.fields) == {"person.name", "person.phone", "person.unhcr_id"}


def test_without_consent_to_record_an_incident_reporter_stays_anonymous(world):
    for field in ("name", "phone"):
        data = _data("incident", reporter={field: "Jean" if field == "name" else "0990000001"},
                     consent={"record": False, "share": False, "statistics": False})
        with pytest.raises(Invalid) as refused:
            cases_service.file_case(world.filer, "incident", uuid.uuid4(), data)
        assert list(refused.value.fields) == [f"reporter.{field}"]
    assert count(Case) == 0


def test_empty_identifiers_are_fine_without_consent(world):
    for empty in (None, ""):
        data = _data("assistance", person={"name": empty, "phone": empty, "unhcr_id": empty, "sex": "male"},
                     consent={"record": False, "share": False, "statistics": False})
        case, created = cases_service.file_case(world.filer, "assistance", uuid.uuid4(), data)
        assert created
        case = reload(case)
        assert (case.person_name, case.person_phone, case.person_unhcr_id) == (None, None, None)
        assert (case.consent_record, case.consent_share, case.consent_statistics) == (False, False, False)


def test_with_consent_the_identifiers_are_kept(world):
    data = _data("assistance", person={"name": "Aline Uwase", "phone": "+243990000000", "unhcr_id": "UG-123"})
    case, _ = cases_service.file_case(world.filer, "assistance", uuid.uuid4(), data)
    case = reload(case)
    assert (case.person_name, case.person_phone, case.person_unhcr_id) == ("Aline Uwase", "+243990000000",
                                                                           "UG-123")


# ---- place and date ----------------------------------------------------------------

def test_an_unknown_place_is_refused(world):
    for location in ("CD-XX-NOPE", "", None, "Goma"):
        with pytest.raises(Invalid) as refused:
            cases_service.file_case(world.filer, "assistance", uuid.uuid4(), _data("assistance", location=location))
        assert "location" in refused.value.fields, location
    assert count(Case) == 0


def test_a_place_code_in_lower_case_is_understood(world):
    assert file(world.filer, location="cd-nk-gom").location.code == "CD-NK-GOM"


def test_an_incident_cannot_have_happened_in_the_future(world, time_machine):
    time_machine.move_to(datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc), tick=False)
    with pytest.raises(Invalid) as refused:
        cases_service.file_case(world.filer, "incident", uuid.uuid4(),
                                _data("incident", occurred_on=date(2026, 12, 8)))
    assert list(refused.value.fields) == ["occurred_on"]
    case = file(world.filer, "incident", occurred_on=date(2026, 12, 7))
    assert case.occurred_on == date(2026, 12, 7)


def test_just_after_midnight_in_goma_today_is_not_the_future(world, time_machine):
    """00:30 in Goma (UTC+2) is 22:30 the day before in UTC: an incident of
    "today" filed then must be accepted."""
    utc_evening = datetime(2026, 3, 9, 22, 30, tzinfo=timezone.utc)
    time_machine.move_to(utc_evening, tick=False)
    case = file(world.filer, "incident", occurred_on=date(2026, 3, 10))
    assert case.occurred_on == date(2026, 3, 10)
    with pytest.raises(Invalid):
        file(world.filer, "incident", occurred_on=date(2026, 3, 11))


# ---- one commit, one transaction ---------------------------------------------------

def test_filing_commits_once_with_its_event_and_notifications(world, app):
    from sqlalchemy import event as sa_event

    from afr_aid.extensions import db

    filer, _ = world.filer, world.coord_nk  # people first: their creation commits too
    commits = []
    sa_event.listen(db.session(), "after_commit", lambda session: commits.append(1))
    case_id = file(filer, urgency="critical").id
    assert len(commits) == 1
    # What was committed together is there for a fresh reader.
    db.session.remove()
    assert count(Case) == 1 and count(CaseEvent) == 1
    assert count(Notification, Notification.case_id == case_id) >= 1
    assert count(AuditEntry, AuditEntry.action == "case.create") == 0  # filing is on the timeline, not the audit log
