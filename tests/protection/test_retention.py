"""Retention: closed cases lose their direct identifiers after RETENTION_DAYS,
the figures stay; an admin erases one person's identifiers on request."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from afr_aid import clock
from afr_aid.celery_app import BEAT_SCHEDULE
from afr_aid.errors import Forbidden, NotFound
from afr_aid.extensions import db
from afr_aid.models import AuditEntry, Case, CaseNameToken
from afr_aid.services.cases import records as cases_service
from afr_aid.services.cases import workflow
from afr_aid.services.protection import audit, retention, stats

from ..conftest import csrf_from, login


def _close(case, manager, days_ago):
    workflow.transition(manager, case, "close", {"outcome": "assisted" if case.kind == "assistance" else "documented"})
    db.session.execute(update(Case).where(Case.id == case.id)
                       .values(closed_at=clock.now() - timedelta(days=days_ago)))
    db.session.commit()


def workflow_events(case):
    from afr_aid.models import CaseEvent

    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))


def _tokens(case_id):
    return db.session.scalar(select(func.count()).select_from(CaseNameToken).where(CaseNameToken.case_id == case_id))


@pytest.fixture
def people(make_user):
    class People:
        admin = make_user("admin", regions=["CD"])
        coordinator = make_user("coordinator", regions=["CD-NK"])
        volunteer = make_user("volunteer")
    return People


def test_long_closed_cases_lose_identifiers_and_the_figures_stay(app, people, file_case):
    old = file_case(people.volunteer, person={"name": "Aline Uwimana", "phone": "+243990000001", "unhcr_id": "U1",
                                              "sex": "female", "age": 31},
                    description="Aline lives behind the Kanyaruchinya church.")
    workflow.add_note(people.coordinator, old, "Called Aline's brother.")
    old_incident = file_case(people.volunteer, "incident", reporter={"name": "Jean Temoin", "phone": "0999"},
                             perpetrator_detail="Commander X")
    recent = file_case(people.volunteer, person={"name": "Grace Mukamana"})
    still_open = file_case(people.volunteer, person={"name": "Eric Habimana"})
    _close(old, people.coordinator, 400)
    _close(old_incident, people.coordinator, 366)
    _close(recent, people.coordinator, 30)
    figures_before = stats.figures(people.admin)
    events_before = len(workflow_events(old))

    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0 and "identifiers erased from 2 closed cases" in result.output, result.output
    db.session.expire_all()

    for case in (db.session.get(Case, old.id), db.session.get(Case, old_incident.id)):
        assert all(getattr(case, name) is None for name in Case.IDENTIFIERS)
        assert case.identifiers_erased_at is not None and _tokens(case.id) == 0
    kept = db.session.get(Case, old.id)
    assert (kept.needs, kept.person_sex, kept.person_age) == (["food"], "female", 31)
    # The free text about the person goes too; the timeline's rows stay.
    assert kept.description is None
    assert len(workflow_events(kept)) == events_before and all(e.note is None for e in workflow_events(kept))
    assert db.session.get(Case, old_incident.id).types == ["threat_or_intimidation"]
    assert db.session.get(Case, recent.id).person_name == "Grace Mukamana" and _tokens(recent.id) > 0
    assert db.session.get(Case, still_open.id).person_name == "Eric Habimana"
    assert stats.figures(people.admin) == figures_before
    items, _ = cases_service.list_cases(people.admin, {"q": "Uwimana"})
    assert items == []
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "retention.run"))
    assert entry.detail == {"cases": 2, "days": 365}
    # A second run finds nothing more to do.
    assert retention.run_retention() == 0


def test_the_retention_time_is_configurable(app, people, file_case):
    case = file_case(people.volunteer, person={"name": "Aline Uwimana"})
    _close(case, people.coordinator, 40)
    app.config["RETENTION_DAYS"] = 30
    assert retention.run_retention(batch=1) == 1


def test_a_reopened_case_keeps_its_identifiers(app, people, file_case):
    case = file_case(people.volunteer, person={"name": "Aline Uwimana"})
    _close(case, people.coordinator, 400)
    workflow.transition(people.coordinator, case, "reopen", {"reason": "Back again."})
    assert retention.run_retention() == 0
    assert db.session.get(Case, case.id).person_name == "Aline Uwimana"


def test_retention_runs_daily_from_beat():
    entry = [e for e in BEAT_SCHEDULE.values() if e["task"] == "afr_aid.tasks.retention.erase_expired_identifiers"]
    schedule = entry[0]["schedule"]
    assert len(entry) == 1 and len(schedule.hour) == 1 and len(schedule.day_of_week) == 7  # once a day
    from afr_aid.tasks import retention as task  # the task module is registered

    assert task.erase_expired_identifiers.name == "afr_aid.tasks.retention.erase_expired_identifiers"


def test_an_admin_erases_one_persons_identifiers_on_request(app, people, file_case):
    case = file_case(people.volunteer, person={"name": "Aline Uwimana", "phone": "+243990000001"},
                     description="Aline asked for a clinic.")
    workflow.add_note(people.volunteer, case, "Aline's phone is off.")
    other = file_case(people.volunteer, person={"name": "Aline Uwimana"})
    with pytest.raises(Forbidden):
        retention.erase_identifiers(people.coordinator, case)
    with pytest.raises(NotFound):
        retention.erase_identifiers(_outsider(app), case)
    retention.erase_identifiers(people.admin, case)
    db.session.expire_all()
    erased = db.session.get(Case, case.id)
    assert erased.person_name is None and erased.person_phone is None and erased.status == "new"
    assert erased.description is None and all(e.note is None for e in workflow_events(erased))
    items, _ = cases_service.list_cases(people.admin, {"q": "Uwimana"})
    assert [c.ref for c in items] == [other.ref]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.erase_identifiers"))
    assert entry.target == case.ref and entry.actor_id == people.admin.id
    assert entry.detail == {"fields": ["person_name", "person_phone", "description"]}
    assert "Aline" not in str(entry.detail) and "Uwimana" not in str(entry.detail)
    assert audit.verify_chain()[:2] == (None, None)


def _outsider(app):
    from afr_aid.services.accounts.users import create_user

    from ..conftest import PASSWORD

    return create_user(None, email="outsider@tests.afr-aid.org", name="Outsider", role="volunteer",
                       password=PASSWORD, regions=["CD-SK"])


def test_the_case_page_offers_erasure_to_admins_only(app, people, file_case):
    case = file_case(people.volunteer, person={"name": "Aline Uwimana"})
    url = f"/cases/{case.ref}/erase"
    coordinator = app.test_client()
    login(coordinator, people.coordinator.email)
    page = coordinator.get(f"/cases/{case.ref}").get_data(as_text=True)
    assert url not in page
    assert coordinator.post(url, data={"csrf_token": csrf_from(page)}).status_code == 403

    admin = app.test_client()
    login(admin, people.admin.email)
    page = admin.get(f"/cases/{case.ref}").get_data(as_text=True)
    assert url in page
    assert admin.post(url).status_code == 400  # no CSRF token
    response = admin.post(url, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).person_name is None
    page = admin.get(f"/cases/{case.ref}").get_data(as_text=True)
    assert "were erased on" in page and "Aline" not in page and url not in page
