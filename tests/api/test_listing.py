"""GET /api/v1/cases: scope per role, every filter, limits and keyset pagination."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import Case
from afr_aid.services.cases import workflow
from afr_aid.services.cases.records import encode_cursor
from tests.api.conftest import API


def refs(client, headers, query="") -> list[str]:
    response = client.get(f"{API}/cases?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [item["ref"] for item in response.get_json()["items"]]


@pytest.fixture
def spread(people, file_case):
    """Cases in North and South Kivu, filed and held by different people."""
    own = file_case(people.volunteer, person={"name": "Amani Bahati"})
    held = file_case(people.coordinator, "incident", location="CD-NK-BEN", urgency="critical",
                     reporter={"name": "Jean Reporter", "phone": None})
    workflow.transition(people.coordinator, held, "assign", {"assignee": people.volunteer.email})
    south = file_case(people.sk_volunteer, location="CD-SK-UVI", urgency="low")
    north_other = file_case(people.other_volunteer, location="CD-NK-GOM", urgency="high")
    return {"own": own, "held": held, "south": south, "north_other": north_other}


def test_each_role_lists_what_it_may_see_newest_first(client, auth, spread):
    ref = {name: case.ref for name, case in spread.items()}
    assert refs(client, auth.volunteer) == [ref["held"], ref["own"]]
    assert refs(client, auth.coordinator) == [ref["north_other"], ref["held"], ref["own"]]
    assert refs(client, auth.sk_coordinator) == [ref["south"]]
    assert refs(client, auth.admin) == [ref["north_other"], ref["south"], ref["held"], ref["own"]]
    assert refs(client, auth.sk_volunteer) == [ref["south"]]


def test_donors_may_not_list_cases_however_they_ask(client, auth):
    assert client.get(f"{API}/cases", headers=auth.donor).status_code == 403
    assert client.get(f"{API}/cases?limit=0&cursor=%%%", headers=auth.donor).status_code == 403


def test_every_filter(client, auth, people, spread):
    ref = {name: case.ref for name, case in spread.items()}
    admin = auth.admin
    assert refs(client, admin, "kind=incident") == [ref["held"]]
    assert refs(client, admin, "status=assigned") == [ref["held"]]
    assert refs(client, admin, "status=new,assigned&kind=assistance") == [ref["north_other"], ref["south"],
                                                                           ref["own"]]
    assert refs(client, admin, "status=resolved,closed") == []
    assert refs(client, admin, "urgency=critical") == [ref["held"]]
    assert refs(client, admin, "location=CD-SK") == [ref["south"]]
    assert refs(client, admin, "location=cd-nk-ben") == [ref["held"]]
    assert refs(client, admin, "location=CD") == refs(client, admin)
    assert refs(client, admin, f"assignee={people.volunteer.email.upper()}") == [ref["held"]]
    assert refs(client, auth.volunteer, "assignee=me") == [ref["held"]]
    assert refs(client, admin, "assignee=none") == [ref["north_other"], ref["south"], ref["own"]]
    assert refs(client, admin, "assignee=nobody@tests.afr-aid.org") == []
    assert refs(client, admin, f"q={ref['south'].lower()}") == [ref["south"]]
    assert refs(client, admin, "q=bahati") == [ref["own"]]
    assert refs(client, admin, "q=reporter") == [ref["held"]]
    assert refs(client, auth.volunteer, "q=reporter") == []  # volunteers do not see that reporter's name
    assert refs(client, admin, "overdue=true") == []
    db.session.execute(update(Case).where(Case.ref == ref["held"])
                       .values(due_at=clock.now() - timedelta(minutes=1)))
    db.session.commit()
    assert refs(client, admin, "overdue=true") == [ref["held"]]
    assert ref["held"] not in refs(client, admin, "overdue=false")
    items = client.get(f"{API}/cases?overdue=true", headers=admin).get_json()["items"]
    assert items[0]["overdue"] is True
    assert refs(client, admin, "kind=&status=&q=") == refs(client, admin)  # blank means no filter


@pytest.mark.parametrize("query, field", [
    ("kind=complaint", "kind"), ("status=new,open", "status"), ("status=,", None), ("urgency=urgent", "urgency"),
    ("location=CD-XX-YYY", "location"), ("location=not a code", "location"), ("overdue=yes", "overdue"),
    ("limit=0", "limit"), ("limit=201", "limit"), ("limit=-1", "limit"), ("limit=ten", "limit"),
    ("limit=1.5", "limit"), ("limit=99999999999999999999999", "limit"), ("cursor=%%%", "cursor"),
    ("cursor=bm90IGpzb24", "cursor"), ("q=" + "x" * 201, "q"), ("q=a%00b", "q"), ("page=2", "page"),
    ("assignee=" + "a" * 255, "assignee")])
def test_wrong_filters_are_named(client, auth, query, field):
    response = client.get(f"{API}/cases?{query}", headers=auth.coordinator)
    if field is None:
        assert response.status_code == 200
        return
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["error"]["fields"]) == [field]


def test_every_wrong_filter_is_named_at_once(client, auth):
    response = client.get(f"{API}/cases?limit=0&cursor=abc&kind=x&location=CD-ZZ", headers=auth.coordinator)
    assert set(response.get_json()["error"]["fields"]) == {"limit", "cursor", "kind", "location"}


@pytest.mark.parametrize("limit", ["1", "200"])
def test_limit_bounds_are_accepted(client, auth, limit):
    assert client.get(f"{API}/cases?limit={limit}", headers=auth.coordinator).status_code == 200


@pytest.mark.parametrize("forged", [
    ["2026-01-01T00:00:00+00:00", True], ["2026-01-01T00:00:00+00:00", 2**70], ["2026-01-01T00:00:00", 5],
    ["0001-01-01T00:00:00+14:00", 5], ["9999-12-31T23:59:59-12:00", 5], {"a": 1, "b": 2}, [1, 2, 3],
    ["2026-01-01T00:00:00+00:00", -4], ["2026-01-01T00:00:00+00:00", "5"]])
def test_forged_cursors_are_refused(client, auth, forged):
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    response = client.get(f"{API}/cases?cursor={cursor}", headers=auth.admin)
    assert response.status_code == 422 and list(response.get_json()["error"]["fields"]) == ["cursor"]


def test_pages_walk_every_case_once_newest_first(client, auth, people, file_case):
    filed = [file_case(people.volunteer) for _ in range(12)]
    # Several cases created in the same instant: the id breaks the tie.
    same = clock.now() - timedelta(hours=1)
    db.session.execute(update(Case).where(Case.id.in_([c.id for c in filed[3:8]])).values(created_at=same))
    db.session.commit()
    seen, cursor, pages = [], None, 0
    while True:
        query = "limit=5" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(f"{API}/cases?{query}", headers=auth.volunteer).get_json()
        seen += [item["ref"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    expected = db.session.scalars(__import__("sqlalchemy").select(Case.ref)
                                  .order_by(Case.created_at.desc(), Case.id.desc())).all()
    assert seen == expected and len(set(seen)) == 12 and pages == 3


def test_the_last_full_page_says_there_is_no_next(client, auth, people, file_case):
    for _ in range(4):
        file_case(people.volunteer)
    body = client.get(f"{API}/cases?limit=4", headers=auth.volunteer).get_json()
    assert len(body["items"]) == 4 and body["next_cursor"] is None
    first = client.get(f"{API}/cases?limit=3", headers=auth.volunteer).get_json()
    assert first["next_cursor"] == encode_cursor(db.session.scalar(
        __import__("sqlalchemy").select(Case).where(Case.ref == first["items"][-1]["ref"])))
