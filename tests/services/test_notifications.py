"""Who hears of what: outbox rows (afr_aid.models.Notification) written in the
same transaction as the change that causes them."""
from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event

from afr_aid.errors import Invalid
from afr_aid.extensions import db
from afr_aid.models import Notification
from afr_aid.services.cases import workflow

from .conftest import bring_to, count, file, notifications


def recipients(case, kind=None):
    rows = notifications(case_id=case.id, **({"kind": kind} if kind else {}))
    return sorted(row.user_id for row in rows)


@pytest.fixture
def region_staff(world, make_user):
    """Coordinators at every level around Goma, and some who must not hear."""
    goma = make_user("coordinator", regions=["CD-NK-GOM"])
    country = make_user("coordinator", regions=["CD"])
    masisi = make_user("coordinator", regions=["CD-NK-MAS"])
    inactive = make_user("coordinator", regions=["CD-NK"])
    inactive.active = False
    db.session.commit()
    return {"hear": sorted([world.coord_nk.id, goma.id, country.id]),
            "never": {world.coord_sk.id, masisi.id, inactive.id, world.donor.id, world.admin.id}}


def test_a_new_critical_or_high_case_alerts_the_coordinators_of_its_place(world, region_staff):
    for kind in ("assistance", "incident"):
        for urgency in ("critical", "high"):
            case = file(world.filer, kind, urgency=urgency, location="CD-NK-GOM")
            assert recipients(case) == region_staff["hear"], (kind, urgency)
            rows = notifications(case_id=case.id)
            assert {row.kind for row in rows} == {"critical" if urgency == "critical" else "urgent"}
            assert all(row.status == "queued" for row in rows)


def test_a_medium_or_low_case_alerts_nobody(world, region_staff):
    for urgency in ("medium", "low"):
        assert recipients(file(world.filer, urgency=urgency)) == [], urgency


def test_assigning_tells_the_assignee_and_only_them(world, region_staff):
    case = file(world.filer, urgency="low")
    workflow.transition(world.coord_nk, case, "assign", {"assignee": world.assignee.email})
    assert [(n.user_id, n.kind) for n in notifications(case_id=case.id)] == [(world.assignee.id, "assignment")]
    workflow.transition(world.coord_nk, case, "assign", {"assignee": world.other.email})
    assert [(n.user_id, n.kind) for n in notifications(case_id=case.id)] == [
        (world.assignee.id, "assignment"), (world.other.id, "assignment")]


def test_a_decline_tells_the_coordinators(world, region_staff):
    case = bring_to(file(world.filer, urgency="low"), "assigned", world.coord_nk, world.assignee)
    before = {n.id for n in notifications(case_id=case.id)}
    workflow.transition(world.assignee, case, "decline", {"reason": "Sick"})
    new = [n for n in notifications(case_id=case.id) if n.id not in before]
    assert sorted(n.user_id for n in new) == region_staff["hear"]
    assert {n.kind for n in new} == {"decline"}


def test_closing_tells_the_filer(world, region_staff):
    case = bring_to(file(world.filer, urgency="low"), "resolved", world.coord_nk, world.assignee)
    before = {n.id for n in notifications(case_id=case.id)}
    workflow.transition(world.coord_nk, case, "close", {"outcome": "assisted"})
    new = [(n.user_id, n.kind) for n in notifications(case_id=case.id) if n.id not in before]
    assert new == [(world.filer.id, "closed")]


def test_a_coordinator_closing_their_own_case_is_not_told_about_it(world):
    case = file(world.coord_nk, urgency="low")
    workflow.transition(world.coord_nk, case, "close", {"outcome": "invalid"})
    assert notifications(case_id=case.id, kind="closed") == []


def test_donors_never_get_a_notification(world, region_staff):
    """A whole life of a critical case: donors hear of none of it."""
    case = file(world.filer, "incident", urgency="critical")
    bring_to(case, "new", world.coord_nk, world.assignee)              # assign, decline
    bring_to(case, "closed", world.admin, world.assignee)              # ... through to closed
    workflow.transition(world.admin, case, "reopen", {"reason": "again"})
    assert count(Notification) > 0
    assert notifications(user_id=world.donor.id) == []


def test_a_refused_action_queues_nothing(world):
    case = file(world.filer, urgency="low")
    with pytest.raises(Invalid):
        workflow.transition(world.coord_nk, case, "assign", {"assignee": world.donor.email})
    assert count(Notification) == 0


@pytest.mark.parametrize("step", ["assign", "decline", "close"])
def test_each_change_commits_once_with_its_notifications(world, app, step):
    case = file(world.filer, urgency="low")
    if step != "assign":
        bring_to(case, "assigned", world.coord_nk, world.assignee)
    fields = {"assign": {"assignee": world.assignee.email}, "decline": {"reason": "Too far"},
              "close": {"outcome": "assisted"}}[step]
    actor = world.assignee if step == "decline" else world.coord_nk
    seen_at_commit = []

    def on_commit(session):
        seen_at_commit.append(1)

    sa_event.listen(db.session(), "after_commit", on_commit)
    before = count(Notification)
    workflow.transition(actor, case, step, fields)
    assert len(seen_at_commit) == 1
    case_id = case.id
    db.session.remove()  # a fresh session: only what was committed
    assert count(Notification) > before
    assert all(n.case_id == case_id for n in notifications())
