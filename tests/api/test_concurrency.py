"""Many requests at once through the real app, each thread its own session and
connection, on the database the suite runs on (a file on SQLite; PostgreSQL
with TEST_DATABASE_URL): filings all succeed with unique references, a
retried filing racing its first copy answers the first case, and the same
action twice on one case at once gives one success and one 409."""
from __future__ import annotations

import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from afr_aid.extensions import db
from afr_aid.models import Case, CaseCounter, CaseEvent
from afr_aid.services.accounts.sessions import issue_token
from afr_aid.services.cases import records as cases_service
from afr_aid.services.cases import workflow
from tests.api.conftest import API, assistance_body, incident_body

FILERS, EACH = 16, 3


def _bearer(user) -> dict:
    token, _ = issue_token(user)
    return {"Authorization": f"Bearer {token}"}


def _run(app, jobs) -> list:
    """Runs each job(client) in its own thread, all released at once; returns
    what each returned (or the exception it raised)."""
    db.session.commit()
    db.session.close()  # the test's own session holds nothing while the threads work
    start = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(n, job):
        # Each request in its own app context and session, as in production.
        client = FlaskClient(app, app.response_class)
        try:
            start.wait(timeout=30)
            results[n] = job(client)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            results[n] = error

    threads = [threading.Thread(target=run, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def test_sixteen_volunteers_filing_at_once_all_succeed(app, make_user):
    make_user("coordinator", regions=["CD-NK"])  # urgent cases notify them, in the same transactions
    headers = [_bearer(make_user("volunteer", regions=["CD-NK"])) for _ in range(FILERS)]

    def filer(n):
        def job(client):
            answers = []
            for i in range(EACH):
                urgency = ("low", "high", "critical")[(n + i) % 3]
                body = assistance_body(urgency=urgency) if i % 2 == 0 else incident_body(urgency=urgency)
                response = client.post(f"{API}/cases", json=body, headers=headers[n])
                answers.append((response.status_code, response.get_json()))
            return answers
        return job

    results = _run(app, [filer(n) for n in range(FILERS)])
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, [repr(f) for f in failures[:3]]
    answers = [answer for result in results for answer in result]
    assert [status for status, _ in answers] == [201] * FILERS * EACH, [a for a in answers if a[0] != 201][:3]
    assert not any("locked" in str(body) for _, body in answers)
    refs = {body["ref"] for _, body in answers}
    assert len(refs) == FILERS * EACH
    assert db.session.scalar(select(func.count()).select_from(Case)) == FILERS * EACH
    for kind, prefix in (("assistance", "AR-"), ("incident", "SI-")):
        numbers = sorted(int(ref.rsplit("-", 1)[1]) for ref in refs if ref.startswith(prefix))
        assert numbers == list(range(1, len(numbers) + 1)), kind  # no gap, no repeat
        assert db.session.scalar(select(func.sum(CaseCounter.last)).where(CaseCounter.kind == kind)) == len(numbers)


@pytest.fixture
def both_past_the_replay_check(monkeypatch):
    """Holds each filing after its client_uuid check until the other one has
    checked too: both find nothing, and only the unique constraint can tell."""
    checked = threading.Barrier(2)
    real = cases_service.replayed

    def replayed(actor, client_uuid):
        existing = real(actor, client_uuid)
        checked.wait(timeout=30)
        return existing

    monkeypatch.setattr(cases_service, "replayed", replayed)


@pytest.mark.parametrize("second", ["same_user", "other_user"])
def test_a_retry_racing_its_first_copy_answers_the_first_case(app, make_user, both_past_the_replay_check,
                                                              second):
    volunteer = make_user("volunteer", regions=["CD-NK"])
    other = volunteer if second == "same_user" else make_user("volunteer", regions=["CD-NK"])
    body = assistance_body(urgency="critical")
    headers = [_bearer(volunteer), _bearer(other)]

    def post(n):
        def job(client):
            response = client.post(f"{API}/cases", json=body, headers=headers[n])
            return response.status_code, response.get_json()
        return job

    results = _run(app, [post(0), post(1)])
    assert not any(isinstance(r, BaseException) for r in results), results
    statuses = sorted(status for status, _ in results)
    if second == "same_user":
        assert statuses == [200, 201], results
        assert results[0][1]["ref"] == results[1][1]["ref"]
    else:
        assert statuses == [201, 409], results
        refused = next(answer for status, answer in results if status == 409)
        assert refused["error"]["code"] == "client_uuid_reused"
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == 1
    # The loser's counter step was rolled back with it: the next case gets number 2.
    assert db.session.scalar(select(CaseCounter.last).where(CaseCounter.kind == "assistance")) == 1


def test_a_double_tapped_accept_happens_once_and_the_other_tap_gets_409(app, make_user, file_case,
                                                                         monkeypatch):
    """The assignee taps "accept" twice on a slow connection: two requests at
    once, each having read the case as "assigned". The one that takes the lock
    second re-reads the case under it, finds it accepted, and answers 409."""
    coordinator = make_user("coordinator", regions=["CD-NK"])
    assignee = make_user("volunteer", regions=["CD-NK"])
    case = file_case(make_user("volunteer", regions=["CD-NK"]))
    workflow.transition(coordinator, case, "assign", {"assignee": assignee.email})
    ref = case.ref
    headers = _bearer(assignee)
    # Both have read the case as "assigned" before either takes the lock.
    both_read = threading.Barrier(2)
    real_lock = workflow._lock

    def lock(case):
        both_read.wait(timeout=30)
        real_lock(case)

    monkeypatch.setattr(workflow, "_lock", lock)

    def tap(client):
        response = client.post(f"{API}/cases/{ref}/transitions", json={"action": "accept"}, headers=headers)
        return response.status_code, response.get_json()

    results = _run(app, [tap, tap])
    assert not any(isinstance(r, BaseException) for r in results), results
    assert sorted(status for status, _ in results) == [200, 409], results
    refused = next(answer for status, answer in results if status == 409)
    assert refused["error"]["code"] == "conflict"
    case = db.session.scalar(select(Case).where(Case.ref == ref))
    assert case.status == "accepted"
    timeline = list(db.session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case.id)
                                       .order_by(CaseEvent.id)))
    assert timeline == ["create", "assign", "accept"]
