"""Alerts raised by the clock: unassigned critical/high cases, overdue cases.
Each is written once, whatever how many beat processes run."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from afr_aid.extensions import db
from afr_aid.models import Case, Notification
from afr_aid.services.cases import workflow
from afr_aid.services.notifications import alerts
from afr_aid.tasks.alerts import overdue_alerts, unassigned_alerts

from .conftest import age, assert_no_marker, file, parts_of, user, worker


def rows(kind=None, case=None):
    query = select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    if case is not None:
        query = query.where(Notification.case_id == case.id)
    return list(db.session.scalars(query))


@pytest.fixture
def staff(app):
    return {"coord": user("coordinator", "coord@tests.afr-aid.org", regions=["CD-NK"]),
            "coord_goma": user("coordinator", "goma@tests.afr-aid.org", regions=["CD-NK-GOM"]),
            "coord_sk": user("coordinator", "sk@tests.afr-aid.org", regions=["CD-SK"]),
            "vol": user("volunteer", "vol@tests.afr-aid.org", regions=["CD-NK-GOM"])}


def test_a_critical_case_unassigned_for_an_hour_alerts_its_coordinators_once(staff):
    case = file(staff["vol"], urgency="critical")
    assert alerts.raise_unassigned_alerts() == 0  # just filed
    case = age(case, 0.9)
    assert alerts.raise_unassigned_alerts() == 0
    case = age(case, 0.2)
    assert alerts.raise_unassigned_alerts() == 1
    assert sorted(n.user_id for n in rows("critical_unassigned")) == sorted(
        [staff["coord"].id, staff["coord_goma"].id])
    assert alerts.raise_unassigned_alerts() == 0
    assert len(rows("critical_unassigned")) == 2
    assert db.session.get(Case, case.id).unassigned_alert_at is not None


def test_a_high_case_waits_three_hours_and_an_assigned_one_never_alerts(staff):
    high = age(file(staff["vol"], urgency="high"), 2.5)
    held = age(file(staff["vol"], urgency="high"), 5)
    workflow.transition(staff["coord"], held, "assign", {"assignee": staff["vol"].email})
    assert alerts.raise_unassigned_alerts() == 0
    age(high, 1)
    assert alerts.raise_unassigned_alerts() == 1
    assert {n.case_id for n in rows("unassigned")} == {high.id}


def test_a_reopened_case_starts_a_new_wait(staff):
    case = age(file(staff["vol"], urgency="critical"), 2)
    assert alerts.raise_unassigned_alerts() == 1
    workflow.transition(staff["coord"], case, "close", {"outcome": "assisted"})
    workflow.transition(staff["coord"], case, "reopen", {"reason": "Displaced again."})
    assert alerts.raise_unassigned_alerts() == 0
    age(case, 1.5)
    assert alerts.raise_unassigned_alerts() == 1
    assert len(rows("critical_unassigned", case)) == 4  # two coordinators, twice


def test_two_beat_processes_at_once_alert_once(app, staff):
    cases = [age(file(staff["vol"], urgency="critical"), 2) for _ in range(5)]
    overdue = [age(file(staff["vol"], urgency="high"), 50) for _ in range(3)]
    barrier, results, errors = threading.Barrier(4), [], []
    db.session.close()  # on SQLite even a read holds the write lock: hold none while they run

    def beat(service):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results.append(service())
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=beat, args=(s,)) for s in
               (alerts.raise_unassigned_alerts, alerts.raise_unassigned_alerts,
                alerts.raise_overdue_alerts, alerts.raise_overdue_alerts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    db.session.expire_all()
    keys = [n.idempotency_key for n in rows()]
    assert len(keys) == len(set(keys))
    assert len(rows("critical_unassigned")) == 2 * len(cases)
    assert len(rows("unassigned")) == 2 * len(overdue)
    # Nobody holds them and they are overdue by 26 h (over another 24 h): the
    # coordinators hear once that they are overdue, once that they still are.
    assert len(rows("overdue")) == 2 * len(overdue)
    assert len(rows("overdue_escalation")) == 2 * len(overdue)


def test_an_overdue_case_alerts_its_assignee_then_its_coordinators(staff):
    case = file(staff["vol"], urgency="high")
    workflow.transition(staff["coord"], case, "assign", {"assignee": staff["vol"].email})
    due = case.due_at
    assert alerts.raise_overdue_alerts(now=due - timedelta(minutes=5)) == 0
    assert alerts.raise_overdue_alerts(now=due + timedelta(hours=1)) == 1
    assert [(n.user_id, n.kind) for n in rows(case=case) if n.kind.startswith("overdue")] == [
        (staff["vol"].id, "overdue")]
    assert alerts.raise_overdue_alerts(now=due + timedelta(hours=2)) == 0
    # Still overdue another 24 h later: its coordinators hear of it, once.
    assert alerts.raise_overdue_alerts(now=due + timedelta(hours=23)) == 0
    assert alerts.raise_overdue_alerts(now=due + timedelta(hours=25)) == 2
    assert sorted(n.user_id for n in rows("overdue_escalation")) == sorted(
        [staff["coord"].id, staff["coord_goma"].id])
    assert alerts.raise_overdue_alerts(now=due + timedelta(hours=26)) == 0
    # Handed to someone else while overdue: the new assignee hears of it too.
    other = user("volunteer", "other@tests.afr-aid.org", regions=["CD-NK-GOM"])
    workflow.transition(staff["coord"], case, "assign", {"assignee": other.email})
    assert alerts.raise_overdue_alerts(now=due + timedelta(hours=27)) == 1
    assert rows("overdue")[-1].user_id == other.id


def test_a_critical_case_escalates_four_hours_after_it_is_overdue(staff):
    case = file(staff["vol"], urgency="critical")
    workflow.transition(staff["coord"], case, "assign", {"assignee": staff["vol"].email})
    alerts.raise_overdue_alerts(now=case.due_at + timedelta(hours=3.9))
    assert rows("overdue_escalation") == []
    alerts.raise_overdue_alerts(now=case.due_at + timedelta(hours=4.1))
    assert len(rows("overdue_escalation")) == 2


def test_resolved_and_long_forgotten_cases_raise_nothing(staff):
    done = file(staff["vol"], urgency="high")
    workflow.transition(staff["coord"], done, "assign", {"assignee": staff["vol"].email})
    workflow.transition(staff["vol"], done, "accept", {})
    workflow.transition(staff["vol"], done, "resolve", {"note": "Done."})
    age(done, 30)
    age(file(staff["vol"], urgency="high"), 24 + 24 * 8)  # overdue for 8 days: beyond the horizon
    assert alerts.raise_overdue_alerts() == 0
    assert alerts.raise_unassigned_alerts() == 0


def test_the_beat_tasks_put_alerts_in_the_coordinators_mail(live, smtp):
    coord = user("coordinator", "coord@tests.afr-aid.org", regions=["CD-NK"])
    vol = user("volunteer", "vol@tests.afr-aid.org", regions=["CD-NK-GOM"])
    from afr_aid.services.notifications import preferences

    preferences.set_preferences(coord, coord, {"decline": "off"})
    case = file(vol, urgency="critical")
    workflow.transition(coord, case, "assign", {"assignee": vol.email})
    workflow.transition(vol, case, "decline", {"reason": "Too far."})
    age(case, 5)  # unassigned for 5 h and overdue for 1 h
    with worker(live):
        unassigned_alerts.delay()
        overdue_alerts.delay()
        messages = smtp.wait_for(4, timeout=30)  # the filing's alert, the clock's two, the assignment
        import time

        time.sleep(1)  # a duplicate, if any, would arrive now
    mine = smtp.to(coord.email)
    assert sorted(m["Subject"] for m in mine) == sorted([
        f"[AFR Aid] Critical case {case.ref} filed in your region",
        f"[AFR Aid] Critical case {case.ref} is still unassigned", f"[AFR Aid] Case {case.ref} is overdue"])
    for message in mine:
        text, html = parts_of(message)
        assert case.ref in text and case.ref in html and "North Kivu" in text
        assert "Goma" not in text and "Goma" not in html
        assert_no_marker(message)
    assert len(smtp.messages) == 4 and len(smtp.to(vol.email)) == 1
