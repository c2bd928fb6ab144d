"""SQL statements per call: constant, whatever the number of cases (no N+1)."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from afr_aid.extensions import db
from afr_aid.services.cases import workflow
from tests.api.conftest import API


@contextmanager
def counting():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("BEGIN"):  # transaction control, not a query
            statements.append(statement)

    # Each request starts with a fresh session, as in production (tests share one app context).
    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _fill(people, file_case, how_many: int) -> str:
    """Cases of both kinds, by several filers, some assigned; then the case
    shown: filed by the volunteer, held by the other, closed as a duplicate."""
    filers = [people.volunteer, people.coordinator, people.admin, people.other_volunteer]
    assignees = [people.volunteer, people.other_volunteer, people.coordinator]
    for n in range(how_many - 1):
        kind = "incident" if n % 3 == 0 else "assistance"
        case = file_case(filers[n % len(filers)], kind, location=["CD-NK-GOM", "CD-NK-BEN", "CD-NK"][n % 3])
        if n % 2:
            workflow.transition(people.coordinator, case, "assign", {"assignee": assignees[n % 3].email})
    original = file_case(people.admin)
    shown = file_case(people.volunteer)
    workflow.transition(people.coordinator, shown, "assign", {"assignee": people.other_volunteer.email})
    workflow.transition(people.coordinator, shown, "close", {"outcome": "duplicate", "duplicate_of": original.ref})
    return shown.ref


# The token with its user and the user's regions (one query); the page of
# cases with their places and people (the people's own regions are not loaded).
LIST_QUERIES = 2
# The token with its user and regions; the case with its place, people and the
# reference it duplicates; the audit line, chained onto the head it locks, and
# the head moved on (services/protection/audit.py).
DETAIL_QUERIES = 4
# The token; the case; its events with their actors.
TIMELINE_QUERIES = 3
# The token; the page of cases found through the blind name index.
SEARCH_QUERIES = 2
# The token; the place filtered on (once, though the API and the service both ask); the page.
QUEUE_QUERIES = 3


@pytest.mark.parametrize("how_many", [5, 30])
def test_listing_costs_the_same_for_5_and_30_cases(client, auth, people, file_case, how_many):
    _fill(people, file_case, how_many)
    headers = auth.coordinator
    with counting() as statements:
        response = client.get(f"{API}/cases?limit=200", headers=headers)
    assert len(response.get_json()["items"]) == how_many + 1
    assert len(statements) == LIST_QUERIES, "\n\n".join(statements)


@pytest.mark.parametrize("how_many", [5, 30])
def test_a_case_costs_the_same_whatever_else_exists(client, auth, people, file_case, how_many):
    ref = _fill(people, file_case, how_many)
    headers = auth.coordinator
    with counting() as statements:
        response = client.get(f"{API}/cases/{ref}", headers=headers)
    assert response.status_code == 200
    assert len(statements) == DETAIL_QUERIES, "\n\n".join(statements)


@pytest.mark.parametrize("how_many", [5, 30])
def test_a_timeline_costs_the_same_whatever_else_exists(client, auth, people, file_case, how_many):
    ref = _fill(people, file_case, how_many)
    headers = auth.coordinator
    with counting() as statements:
        response = client.get(f"{API}/cases/{ref}/events", headers=headers)
    assert response.status_code == 200 and len(response.get_json()["items"]) == 3
    assert len(statements) == TIMELINE_QUERIES, "\n\n".join(statements)


@pytest.mark.parametrize("how_many", [5, 30])
def test_a_name_search_costs_the_same_whatever_it_finds(client, auth, people, file_case, how_many):
    for n in range(how_many):
        file_case(people.volunteer, location="CD-NK-GOM", person={"name": f"Aline Uwimana{'n' * (n % 2)}"})
    headers = auth.coordinator
    with counting() as statements:
        response = client.get(f"{API}/cases?q=Alinne%20Uwimanna&limit=200", headers=headers)
    assert len(response.get_json()["items"]) == how_many
    assert len(statements) == SEARCH_QUERIES, "\n\n".join(statements)


@pytest.mark.parametrize("how_many", [5, 30])
def test_the_queue_and_its_next_pages_cost_the_same(client, auth, people, file_case, how_many):
    """The coordinator's queue with three filters, and a page further on (keyset)."""
    _fill(people, file_case, how_many)
    headers = auth.coordinator
    url = f"{API}/cases?status=new,assigned,accepted,in_progress&urgency=medium&location=CD-NK&limit=2"
    first = client.get(url, headers=headers).get_json()
    assert first["next_cursor"]
    with counting() as statements:
        response = client.get(f"{url}&cursor={first['next_cursor']}", headers=headers)
    assert response.status_code == 200 and response.get_json()["items"]
    assert len(statements) == QUEUE_QUERIES, "\n\n".join(statements)


# The token with its user and regions; whose the client_uuid is (asked once,
# though the API and the service both know of it); the place; auto-routing
# on?; the counter moved on (made first for a year's first case); the case;
# its name index; its first event. An urgent case: its coordinators (with
# their regions), their preferences, their notifications. The answer is the
# case as written: nothing read again after the commit.
FILING_QUERIES = {"medium": 8, "critical": 12}


@pytest.mark.parametrize("urgency", ["medium", "critical"])
def test_filing_reads_nothing_twice(client, auth, people, urgency):
    from tests.api.conftest import assistance_body

    headers = auth.volunteer
    client.post(f"{API}/cases", json=assistance_body(), headers=headers)  # the counter exists
    with counting() as statements:
        response = client.post(f"{API}/cases", json=assistance_body(urgency=urgency), headers=headers)
    assert response.status_code == 201
    assert response.get_json()["created_by"]["email"] == people.volunteer.email
    assert len(statements) == FILING_QUERIES[urgency], "\n\n".join(statements)
