"""Downloading the case list as CSV or XLSX from the list page."""
from __future__ import annotations

import html
import re

from sqlalchemy import select

from afr_aid.extensions import db
from afr_aid.models import AuditEntry
from tests.api.test_export import FORMULA, read_csv, read_xlsx


def download_links(page: str) -> dict:
    links = re.findall(r'<a href="(/cases/export\?[^"]+)" download>', page)
    return {("xlsx" if "format=xlsx" in link else "csv"): html.unescape(link) for link in links}


def test_the_list_offers_its_filtered_cases_as_csv_and_xlsx(signed_in, make_user, file_case):
    client, coordinator = signed_in("coordinator", regions=["CD-NK"])
    volunteer = make_user("volunteer", regions=["CD-NK"])
    request = file_case(volunteer, description=FORMULA, person={"name": "Aline Uwimana"})
    incident = file_case(volunteer, "incident")
    file_case(make_user("volunteer", regions=["CD-SK"]), location="CD-SK-UVI")  # another region

    links = download_links(client.get("/cases?kind=assistance&status=new").get_data(as_text=True))
    assert set(links) == {"csv", "xlsx"}
    for fmt, read in (("csv", read_csv), ("xlsx", read_xlsx)):
        assert "kind=assistance" in links[fmt] and "status=new" in links[fmt]
        response = client.get(links[fmt])
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        rows = read(response)
        assert [row["ref"] for row in rows] == [request.ref]
        assert rows[0]["description"] == "'" + FORMULA and rows[0]["person_name"] == "Aline Uwimana"

    everything = read_csv(client.get("/cases/export?format=csv"))
    assert {row["ref"] for row in everything} == {request.ref, incident.ref}
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.export")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.actor_id, e.detail["format"], e.detail["rows"]) for e in entries] == [
        (coordinator.id, "csv", 1), (coordinator.id, "xlsx", 1), (coordinator.id, "csv", 2)]
    assert entries[0].detail["filters"] == {"kind": "assistance", "status": ["new"]}


def test_a_volunteer_downloads_only_their_own_cases(signed_in, make_user, file_case):
    client, volunteer = signed_in("volunteer", regions=["CD-NK"])
    mine = file_case(volunteer)
    file_case(make_user("volunteer", regions=["CD-NK"]))  # same region, someone else's
    rows = read_xlsx(client.get("/cases/export?format=xlsx"))
    assert [row["ref"] for row in rows] == [mine.ref]


def test_donors_get_no_download_and_no_link(signed_in, file_case, make_user):
    client, _ = signed_in("donor")
    file_case(make_user("volunteer"))
    assert client.get("/cases/export?format=csv").status_code == 403
    assert client.get("/cases/export?format=xlsx").status_code == 403
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.export")).all() == []


def test_wrong_filters_go_back_to_the_list_that_names_them(signed_in):
    client, _ = signed_in("coordinator")
    response = client.get("/cases/export?format=csv&urgency=whenever")
    assert response.status_code == 302 and response.location.startswith("/cases?")
    assert "urgency=whenever" in response.location and "format" not in response.location
    assert client.get("/cases/export?format=pdf").status_code == 404
    assert client.get("/cases/export?format=csv", follow_redirects=False).status_code == 200
