import re

from sqlalchemy import select

from afr_aid.extensions import db
from afr_aid.models import AuditEntry, Case
from afr_aid.services.cases import workflow
from tests.conftest import login

from .conftest import field_value


def _token(client, url):
    return field_value(client.get(url).get_data(as_text=True), "csrf_token")


def _act(client, ref, action, **fields):
    url = f"/cases/{ref}"
    return client.post(f"{url}/transitions/{action}", data={"csrf_token": _token(client, url), **fields})


def test_the_whole_workflow_through_the_pages(app, signed_in, make_user, file_case):
    volunteer_client, volunteer = signed_in("volunteer", regions=["CD-NK-GOM"], skills=["food"])
    coordinator_client, coordinator = signed_in("coordinator", regions=["CD-NK"])
    case = file_case(volunteer, urgency="critical")
    ref = case.ref

    queue = coordinator_client.get("/").get_data(as_text=True)
    assert ref in queue and "Critical" in queue

    page = coordinator_client.get(f"/cases/{ref}").get_data(as_text=True)
    # the suggestion, with its reasons and open-case count, and a one-click button
    assert volunteer.name in page and "0 open cases" in page and "Skills: Food" in page
    assert f'name="assignee" value="{volunteer.email}"' in page
    response = _act(coordinator_client, ref, "assign", assignee=volunteer.email)
    assert response.status_code == 302

    mine = volunteer_client.get("/").get_data(as_text=True)
    assert ref in mine.split("My recent cases")[0]  # under "Assigned to me"
    for action in ("accept", "start"):
        assert _act(volunteer_client, ref, action).status_code == 302
    assert _act(volunteer_client, ref, "resolve", note="Food delivered.").status_code == 302
    assert _act(coordinator_client, ref, "close", outcome="assisted", note="Checked.").status_code == 302

    page = coordinator_client.get(f"/cases/{ref}").get_data(as_text=True)
    timeline = page.split('id="timeline"')[1]
    labels = re.findall(r"<strong>([^<]+)</strong>", timeline)
    assert labels == ["Filed", "Assigned", "Accepted", "Started", "Resolved", "Closed"]
    assert "Food delivered." in timeline and "Checked." in timeline and volunteer.email in timeline
    assert "Assisted" in page and "Closed" in page
    db.session.refresh(case)
    assert case.status == "closed" and case.outcome == "assisted"


def test_out_of_reach_case_pages_answer_404(app, signed_in, make_user, file_case):
    filer = make_user("volunteer", regions=["CD-NK-GOM"])
    case = file_case(filer)
    for role, regions in (("volunteer", ["CD-SK"]), ("volunteer", ["CD-NK-GOM"]), ("donor", ()),
                          ("coordinator", ["CD-SK"])):
        client, _ = signed_in(role, regions=regions) if regions else signed_in(role)
        assert client.get(f"/cases/{case.ref}").status_code == 404
        assert client.get("/cases/AR-2026-999999").status_code == 404
        assert client.get("/cases/not-a-ref").status_code == 404
    filer_client = app.test_client()
    login(filer_client, filer.email)
    assert filer_client.get(f"/cases/{case.ref}").status_code == 200


def test_viewing_a_case_is_audited_and_donors_get_no_list(signed_in, file_case):
    client, volunteer = signed_in("volunteer")
    case = file_case(volunteer)
    client.get(f"/cases/{case.ref}")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.view",
                                                      AuditEntry.target == case.ref))
    donor, _ = signed_in("donor")
    assert donor.get("/cases").status_code == 403
    assert donor.get("/").status_code == 302


def test_domain_errors_come_back_as_messages_naming_the_field(signed_in, file_case):
    coordinator_client, coordinator = signed_in("coordinator", regions=["CD-NK"])
    volunteer_client, volunteer = signed_in("volunteer", regions=["CD-NK-GOM"])
    outsider = signed_in("volunteer", regions=["CD-SK"])[1]
    case = file_case(volunteer)

    response = _act(coordinator_client, case.ref, "assign", assignee=outsider.email)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Assignee: Choose an active volunteer" in html
    assert f'value="{outsider.email}"' in html  # what was typed stays

    html = _act(coordinator_client, case.ref, "close").get_data(as_text=True)
    assert "Outcome: Choose one of" in html
    html = _act(coordinator_client, case.ref, "close", outcome="duplicate",
                duplicate_of="AR-2020-000001").get_data(as_text=True)
    assert "Duplicate of: No other case you can see" in html

    workflow.transition(coordinator, case, "assign", {"assignee": volunteer.email})
    html = _act(volunteer_client, case.ref, "decline").get_data(as_text=True)
    assert "Reason: This field is required." in html

    # a wrong status or a role that may not: a message, never a 500
    response = _act(volunteer_client, case.ref, "start")
    assert response.status_code == 302
    assert "not possible while the case is Assigned" in volunteer_client.get(response.location).get_data(as_text=True)
    response = _act(volunteer_client, case.ref, "close", outcome="assisted")
    assert response.status_code == 302
    assert "You may not do this" in volunteer_client.get(response.location).get_data(as_text=True)
    assert _act(volunteer_client, case.ref, "fly").status_code == 404
    db.session.refresh(case)
    assert case.status == "assigned"


def test_notes_are_added_and_an_empty_one_is_refused(signed_in, file_case):
    client, volunteer = signed_in("volunteer")
    case = file_case(volunteer)
    url = f"/cases/{case.ref}"
    html = client.post(f"{url}/notes", data={"csrf_token": _token(client, url), "body": "  "}).get_data(as_text=True)
    assert "Add a note: This field is required." in html
    response = client.post(f"{url}/notes", data={"csrf_token": _token(client, url), "body": "Called back."})
    assert response.status_code == 302
    assert "Called back." in client.get(url).get_data(as_text=True).split('id="timeline"')[1]


def test_reporter_and_perpetrator_detail_only_for_those_allowed(signed_in, file_case):
    filer_client, filer = signed_in("volunteer", regions=["CD-NK-GOM"])
    assignee_client, assignee = signed_in("volunteer", regions=["CD-NK-GOM"])
    coordinator_client, coordinator = signed_in("coordinator", regions=["CD-NK"])
    case = file_case(filer, kind="incident", reporter={"name": "Reporter Zed", "phone": "0812"},
                     perpetrator_detail="Commander X")
    workflow.transition(coordinator, case, "assign", {"assignee": assignee.email})
    seen = {name: c.get(f"/cases/{case.ref}").get_data(as_text=True)
            for name, c in (("filer", filer_client), ("assignee", assignee_client), ("coordinator", coordinator_client))}
    assert "Reporter Zed" in seen["filer"] and "Reporter Zed" in seen["coordinator"]
    assert "Reporter Zed" not in seen["assignee"] and "0812" not in seen["assignee"]
    assert "Commander X" in seen["coordinator"]
    assert "Commander X" not in seen["filer"] and "Commander X" not in seen["assignee"]


def test_the_list_filters_and_pages_newest_first(signed_in, file_case):
    client, coordinator = signed_in("coordinator", regions=["CD-NK"])
    filer = signed_in("volunteer")[1]
    refs = [file_case(filer, urgency="low").ref for _ in range(27)]
    incident = file_case(filer, kind="incident")
    page = client.get("/cases").get_data(as_text=True)
    shown = re.findall(r'class="ref" href="/cases/([A-Z]{2}-\d{4}-\d{6})"', page)
    assert shown[0] == incident.ref and len(shown) == 25
    next_link = re.search(r'href="([^"]*cursor=[^"]+)"[^>]*>Next page', page).group(1).replace("&amp;", "&")
    second = client.get(next_link).get_data(as_text=True)
    rest = re.findall(r'class="ref" href="/cases/([A-Z]{2}-\d{4}-\d{6})"', second)
    assert set(shown + rest) == set(refs) | {incident.ref} and "Next page" not in second

    only = client.get("/cases?kind=incident&status=new&status=assigned").get_data(as_text=True)
    assert re.findall(r'class="ref" href="/cases/([^"]+)"', only) == [incident.ref]
    assert client.get(f"/cases?q={refs[3]}").get_data(as_text=True).count('class="ref"') == 1
    assert client.get("/cases?assignee=none&urgency=high").get_data(as_text=True).count('class="ref"') == 1
    assert client.get("/cases?assignee=nobody@x.org").get_data(as_text=True).count('class="ref"') == 0
    assert client.get("/cases?status=new,assigned&overdue=false").get_data(as_text=True).count('class="ref"') == 25


def test_bad_filters_and_cursors_never_break_the_list(signed_in):
    client, _ = signed_in("coordinator", regions=["CD-NK"])
    for query in ("cursor=garbage", "cursor=W10", "status=lost", "kind=x&urgency=y&overdue=maybe",
                  "location=ZZ", "q=" + "x" * 500, "assignee=%00"):
        response = client.get(f"/cases?{query}")
        assert response.status_code == 200, query


def test_the_queue_flags_overdue_and_unassigned_cases(signed_in, file_case):
    from datetime import timedelta

    client, _ = signed_in("coordinator", regions=["CD-NK"])
    filer = signed_in("volunteer")[1]
    case = file_case(filer, urgency="critical")
    case.created_at -= timedelta(hours=5)
    case.due_at -= timedelta(hours=5)
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Overdue" in html and "Unassigned too long" in html
