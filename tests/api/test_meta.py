"""GET /api/v1/me, /locations and /stats, per role."""
from datetime import timedelta

import pytest

from afr_aid import clock
from tests.api.conftest import API


def test_me_tells_each_user_who_they_are(client, auth, people):
    body = client.get(f"{API}/me", headers=auth.coordinator).get_json()
    assert body == {"email": people.coordinator.email, "name": "Cora Coordinator", "role": "coordinator",
                    "regions": ["CD-NK"], "languages": ["rw"], "skills": [], "locale": "en"}
    for role in ("volunteer", "donor", "admin"):
        assert client.get(f"{API}/me", headers=getattr(auth, role)).get_json()["role"] == role


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "admin"])
def test_case_workers_get_the_whole_place_tree(client, auth, role):
    items = client.get(f"{API}/locations", headers=getattr(auth, role)).get_json()["items"]
    by_code = {item["code"]: item for item in items}
    assert by_code["CD"] == {"code": "CD", "name": "DR Congo", "level": "country", "parent": None}
    assert by_code["CD-NK"]["level"] == "province" and by_code["CD-NK"]["parent"] == "CD"
    assert by_code["CD-NK-GOM"] == {"code": "CD-NK-GOM", "name": "Goma", "level": "territory", "parent": "CD-NK"}
    assert len(items) >= 43
    assert items[0]["code"] == "CD"  # root first: a parent always comes before its children


def test_donors_get_the_country_and_provinces_only(client, auth):
    items = client.get(f"{API}/locations", headers=auth.donor).get_json()["items"]
    assert {item["level"] for item in items} == {"country", "province"}
    assert {"CD-NK", "CD-SK", "CD-IT", "CD-TA", "CD-MA"} <= {item["code"] for item in items}


@pytest.mark.parametrize("role", ["donor", "coordinator", "admin"])
def test_figures_for_those_who_may_see_them(client, auth, people, file_case, role):
    for _ in range(6):
        file_case(people.volunteer)  # in North Kivu, consent to statistics
    file_case(people.volunteer, consent={"record": True, "share": True, "statistics": False})
    file_case(people.volunteer, "incident")
    response = client.get(f"{API}/stats", headers=getattr(auth, role))
    assert response.status_code == 200
    body = response.get_json()
    expected_new = 6 if role == "donor" else 7  # donors: only cases with consent to statistics
    assert body["assistance"]["new"] == expected_new
    assert body["incidents"]["reported"] == "<5"
    assert body["assistance"]["by_province"] == {"CD-NK": expected_new}
    assert body["provinces"]["CD-NK"] == "North Kivu"


def test_volunteers_get_no_figures_even_when_asking_badly(client, auth):
    assert client.get(f"{API}/stats", headers=auth.volunteer).status_code == 403
    assert client.get(f"{API}/stats?from=yesterday", headers=auth.volunteer).status_code == 403


@pytest.mark.parametrize("query, fields", [
    ("from=2026-13-01", {"from"}),
    ("to=01/02/2026", {"to"}),
    ("from=2026-02-01&to=2026-01-01", {"from"}),
    ("from=0001-01-01", {"from"}),
    ("to=9999-12-31", {"to"}),
    ("from=&to=", set()),
    ("since=2026-01-01", {"since"}),
    ("from=2026-01-01%00", {"from"}),
])
def test_bad_dates_in_figures_are_named(client, auth, query, fields):
    response = client.get(f"{API}/stats?{query}", headers=auth.coordinator)
    if not fields:
        assert response.status_code == 200
        return
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == fields


def test_figures_between_two_dates(client, auth):
    end = clock.now().date()  # the figures' days are UTC days
    start = end - timedelta(days=6)
    body = client.get(f"{API}/stats?from={start}&to={end}", headers=auth.admin).get_json()
    assert (body["from"], body["to"]) == (start.isoformat(), end.isoformat())
