import re
from datetime import timedelta

from afr_aid import clock

from .conftest import field_value


def test_the_donor_dashboard_shows_small_counts_as_less_than_five(signed_in, make_user, file_case):
    client, _ = signed_in("donor")
    volunteer = make_user("volunteer", regions=["CD-NK-GOM"])
    for _ in range(3):
        file_case(volunteer, needs=["food"], person={"name": "Secret Name", "sex": "female"})
    file_case(volunteer, kind="incident", location="CD-NK-RUT")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "&lt;5" in html and "North Kivu" in html
    # nothing below province, no case, no name
    for hidden in ("Secret Name", "AR-", "SI-", "Goma", "Rutshuru"):
        assert hidden not in html, hidden
    assert 'href="/cases' not in html


def test_the_period_filter(signed_in, make_user, file_case):
    client, _ = signed_in("coordinator", regions=["CD-NK"])
    volunteer = make_user("volunteer")
    for _ in range(6):
        file_case(volunteer)
    today = clock.now().date()  # the figures' days are UTC days
    html = client.get(f"/dashboard?from={today - timedelta(days=1)}&to={today}").get_data(as_text=True)
    assert re.search(r"New in the period</th><td>6<", html)
    html = client.get("/dashboard?from=2020-01-01&to=2020-01-31").get_data(as_text=True)
    assert re.search(r"New in the period</th><td>0<", html)
    html = client.get("/dashboard?from=2024-05-01&to=2024-04-01").get_data(as_text=True)
    assert "The end date comes before the start date." in html
    assert client.get("/dashboard?from=31/12/2024&to=x").status_code == 200


def test_volunteers_get_no_dashboard(signed_in):
    client, _ = signed_in("volunteer")
    assert client.get("/dashboard").status_code == 403
    assert field_value(client.get("/").get_data(as_text=True), "csrf_token")
