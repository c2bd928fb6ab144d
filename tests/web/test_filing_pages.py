import re
from datetime import timedelta

from sqlalchemy import select

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import Case
from tests.conftest import FIELD_ZONE

from .conftest import count_cases, field_value


def _form(client, kind):
    html = client.get(f"/cases/new/{kind}").get_data(as_text=True)
    return html, {"csrf_token": field_value(html, "csrf_token"), "client_uuid": field_value(html, "client_uuid")}


def _assistance(base, **changes):
    data = {**base, "location": "CD-NK-GOM", "place": "Camp Mugunga", "urgency": "high",
            "needs": ["food", "health"], "vulnerabilities": ["child"], "consent_record": "y",
            "consent_share": "y", "consent_statistics": "y", "person_name": "Aline Test",
            "person_sex": "female", "person_age": "9", "person_age_estimated": "y",
            "person_displacement": "idp", "person_household_size": "5", "person_language": "sw",
            "person_phone": "+243 999 000 111", "description": "Needs food and a clinic."}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_volunteer_files_an_assistance_request_and_lands_on_its_page(signed_in):
    client, user = signed_in("volunteer", regions=["CD-NK-GOM"])
    html, base = _form(client, "assistance")
    assert re.fullmatch(r"[0-9a-f-]{36}", base["client_uuid"])
    response = client.post("/cases/new/assistance", data=_assistance(base))
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    ref = re.search(r"AR-\d{4}-\d{6}", page).group(0)
    assert f"Filed as {ref}" in page
    for shown in ("Aline Test", "Goma", "Camp Mugunga", "Food", "Health", "Child", "Internally displaced",
                  "Needs food and a clinic.", "High"):
        assert shown in page, shown
    case = db.session.scalar(select(Case).where(Case.ref == ref))
    assert case.needs == ["food", "health"] and case.person_age == 9 and case.person_age_estimated
    assert case.consent_statistics and case.created_by_id == user.id


def test_wrong_fields_come_back_with_everything_typed_and_a_message_each(signed_in):
    client, _ = signed_in("volunteer")
    _, base = _form(client, "assistance")
    response = client.post("/cases/new/assistance",
                           data=_assistance(base, needs=None, person_age="abc", urgency=None,
                                            person_name="x" * 201))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and count_cases() == 0
    assert "Choose at least one need." in html
    assert "Enter a whole number." in html and 'value="abc"' in html
    assert "Use at most 200 characters." in html
    assert "This field is required." in html  # urgency
    # what was typed is still there
    assert 'value="Camp Mugunga"' in html and "Needs food and a clinic." in html
    assert re.search(r'value="idp"\s+selected|selected[^>]*value="idp"', html)
    assert re.search(r'<input[^>]*checked[^>]*value="child"|<input[^>]*value="child"[^>]*checked', html)
    assert field_value(html, "client_uuid") == base["client_uuid"]
    # the summary names the fields
    assert '<a href="#needs">Needs</a>' in html and '<a href="#person_age">Age</a>' in html


def test_a_service_refusal_lands_on_the_field_it_names(signed_in):
    client, _ = signed_in("volunteer")
    _, base = _form(client, "assistance")
    response = client.post("/cases/new/assistance", data=_assistance(base, consent_record=None))
    html = response.get_data(as_text=True)
    assert count_cases() == 0
    assert 'id="person_name-err"' in html and "did not consent to being recorded" in html
    assert 'value="Aline Test"' in html


def test_a_double_submit_files_once(signed_in):
    client, _ = signed_in("volunteer")
    _, base = _form(client, "assistance")
    first = client.post("/cases/new/assistance", data=_assistance(base))
    second = client.post("/cases/new/assistance", data=_assistance(base))
    assert count_cases() == 1
    assert first.location == second.location
    assert "already filed" in client.get(second.location).get_data(as_text=True)


def test_a_security_incident_is_filed_with_its_own_reference(signed_in):
    client, _ = signed_in("volunteer")
    html, base = _form(client, "incident")
    data = {**base, "location": "CD-NK-RUT", "occurred_on": (clock.today(FIELD_ZONE) - timedelta(days=2)).isoformat(),
            "occurred_time": "06:30", "types": ["abduction", "looting_or_extortion"], "perpetrator": "armed_group",
            "perpetrator_detail": "Men in uniform", "severity": "4", "victims_abducted": "3",
            "victims_killed": "0", "source": "witness", "reliability": "probable", "urgency": "critical",
            "reporter_name": "Jean Witness", "reporter_phone": "0999", "consent_record": "y",
            "consent_statistics": "y"}
    response = client.post("/cases/new/incident", data=data)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert re.search(r"SI-\d{4}-\d{6}", page)
    for shown in ("Abduction", "Looting or extortion", "Armed group", "4 / 5", "06:30", "Jean Witness"):
        assert shown in page, shown
    case = db.session.scalar(select(Case))
    assert case.victims_abducted == 3 and case.victims_killed == 0 and case.victims_injured is None


def test_an_incident_in_the_future_or_without_type_is_refused_with_its_field(signed_in):
    client, _ = signed_in("volunteer")
    _, base = _form(client, "incident")
    data = {**base, "location": "CD-NK-RUT", "occurred_on": (clock.today(FIELD_ZONE) + timedelta(days=3)).isoformat(),
            "urgency": "low", "victims_injured": "-1", "occurred_time": "25:99"}
    html = client.post("/cases/new/incident", data=data).get_data(as_text=True)
    assert count_cases() == 0
    assert "Choose at least one type." in html
    assert "Enter a number from 0 to 100000." in html
    assert "Enter a time as HH:MM." in html
    data.update(types=["killing"], victims_injured="", occurred_time="")
    html = client.post("/cases/new/incident", data=data).get_data(as_text=True)
    assert count_cases() == 0 and "The date cannot be in the future." in html


def test_nonsense_never_breaks_the_form(signed_in):
    client, _ = signed_in("volunteer")
    _, base = _form(client, "assistance")
    junk = {**base, "client_uuid": "not-a-uuid", "location": "XX-NOPE", "urgency": "extreme",
            "needs": ["food", "caviar"], "person_age": "1e309", "person_sex": "robot"}
    response = client.post("/cases/new/assistance", data=junk)
    assert response.status_code == 200 and count_cases() == 0
    assert re.fullmatch(r"[0-9a-f-]{36}", field_value(response.get_data(as_text=True), "client_uuid"))


def test_donors_may_not_file(signed_in):
    client, _ = signed_in("donor")
    assert client.get("/cases/new/assistance").status_code == 403
    assert client.get("/cases/new/incident").status_code == 403
