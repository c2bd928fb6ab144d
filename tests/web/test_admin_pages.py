import io
import re

from sqlalchemy import select

from afr_aid.extensions import db
from afr_aid.models import AuditEntry, Place, RegionSetting, User
from afr_aid.services.cases import routing
from tests.conftest import PASSWORD, login

from .conftest import field_value

NEW_PASSWORD = "Kivu-lake-" + PASSWORD[-8:] + "-x"


def _token(client, url):
    return field_value(client.get(url).get_data(as_text=True), "csrf_token")


def test_an_admin_creates_a_user_who_can_then_sign_in(app, signed_in):
    client, _ = signed_in("admin", regions=["CD"])
    data = {"csrf_token": _token(client, "/admin/users/new"), "email": "New.Vol@Tests.AFR-aid.org",
            "name": "Neema Vol", "role": "volunteer", "regions": ["CD-NK-GOM", "CD-NK-NYI"],
            "languages": ["sw", "fr"], "skills": ["medical"], "password": NEW_PASSWORD, "locale": ""}
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 302
    assert "The user is created." in client.get(response.location).get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "new.vol@tests.afr-aid.org"))
    assert sorted(p.code for p in user.regions) == ["CD-NK-GOM", "CD-NK-NYI"] and user.locale == "sw"
    assert "Neema Vol" in client.get("/admin/users").get_data(as_text=True)
    newcomer = app.test_client()
    assert login(newcomer, user.email, NEW_PASSWORD).status_code == 302


def test_a_refused_user_comes_back_with_messages_and_what_was_typed(signed_in):
    client, _ = signed_in("admin", regions=["CD"])
    data = {"csrf_token": _token(client, "/admin/users/new"), "email": "c@tests.afr-aid.org",
            "name": "Coordinator Without Region", "role": "coordinator", "password": "password123",
            "languages": ["fr"]}
    html = client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert "A coordinator needs at least one region." in html
    assert "This password is too common." in html or "Use at least 12 characters." in html
    assert 'value="Coordinator Without Region"' in html and 'value="c@tests.afr-aid.org"' in html
    assert db.session.scalar(select(User).where(User.email == "c@tests.afr-aid.org")) is None


def test_an_admin_edits_deactivates_and_revokes(app, signed_in, make_user):
    client, admin = signed_in("admin", regions=["CD"])
    target = make_user("volunteer", regions=["CD-NK-GOM"])
    phone = app.test_client()
    login(phone, target.email)
    assert phone.get("/").status_code == 200

    url = f"/admin/users/{target.id}"
    html = client.get(url).get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="CD-NK-GOM"', html)  # the current region is ticked
    assert not re.search(r'<input checked[^>]*value="CD-SK"', html)
    response = client.post(f"{url}/revoke-sessions", data={"csrf_token": _token(client, url)})
    assert response.status_code == 302
    assert phone.get("/").status_code == 302  # the lost phone is signed out

    data = {"csrf_token": _token(client, url), "name": target.name, "role": "volunteer",
            "regions": ["CD-NK-GOM"], "languages": ["rw"], "locale": "fr", "away": "y"}
    assert client.post(url, data=data).status_code == 302  # "active" left unticked
    db.session.refresh(target)
    assert not target.active and target.away and target.locale == "fr"
    assert login(app.test_client(), target.email).status_code == 200  # refused

    data.update(active="y", name="")
    html = client.post(url, data=data).get_data(as_text=True)
    assert "This field is required." in html
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.sessions_revoked"))
    assert client.get("/admin/users/999999").status_code == 404


def test_admin_pages_are_for_admins_only(signed_in, make_user):
    someone = make_user("volunteer")
    for role in ("volunteer", "coordinator", "donor"):
        client, _ = signed_in(role)
        for url in ("/admin/users", "/admin/users/new", f"/admin/users/{someone.id}", "/admin/places",
                    "/admin/audit"):
            assert client.get(url).status_code == 403, (role, url)
        token = _token(client, "/dashboard" if role == "donor" else "/")
        assert client.post(f"/admin/users/{someone.id}/revoke-sessions",
                           data={"csrf_token": token}).status_code == 403


def test_the_audit_log_filters_and_pages(signed_in, make_user):
    client, admin = signed_in("admin", regions=["CD"])
    for _ in range(3):
        signed_in("volunteer")
    html = client.get("/admin/audit?action=login").get_data(as_text=True)
    assert html.count("<strong>login</strong>") == 4
    html = client.get(f"/admin/audit?actor={admin.email}&action=login").get_data(as_text=True)
    assert html.count("<strong>login</strong>") == 1
    assert "No entry matches." in client.get("/admin/audit?from=2001-01-01&to=2001-01-02").get_data(as_text=True)
    assert client.get("/admin/audit?from=yesterday&before=abc").status_code == 200


def test_places_upload_and_auto_routing_switches(signed_in):
    client, admin = signed_in("admin", regions=["CD"])
    csv = "code,name,level,parent\nCD-NK-GOM-KYS,Kyeshero,locality,CD-NK-GOM\n"
    response = client.post("/admin/places/import", content_type="multipart/form-data",
                           data={"csrf_token": _token(client, "/admin/places"),
                                 "file": (io.BytesIO(csv.encode()), "places.csv")})
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    assert "Places added: 1; renamed: 0." in html and "1 locality" in html
    assert "Kyeshero" in client.get("/admin/places?under=CD-NK-GOM").get_data(as_text=True)
    bad = client.post("/admin/places/import", content_type="multipart/form-data",
                      data={"csrf_token": _token(client, "/admin/places"),
                            "file": (io.BytesIO(b"code,name\nX,Y\n"), "bad.csv")})
    assert "columns code, name, level and parent" in client.get(bad.location).get_data(as_text=True)

    response = client.post("/regions/CD-SK/auto-routing", data={"csrf_token": _token(client, "/admin/places"),
                                                                 "enabled": "1", "next": "/admin/places"})
    assert response.location.endswith("/admin/places")
    assert routing.auto_routed_regions() == ["CD-SK"]


def test_a_coordinator_switches_auto_routing_for_their_regions_only(signed_in):
    client, _ = signed_in("coordinator", regions=["CD-NK"])
    html = client.get("/regions").get_data(as_text=True)
    assert "Goma" in html and "Bukavu" not in html
    token = _token(client, "/regions")
    client.post("/regions/CD-NK-GOM/auto-routing", data={"csrf_token": token, "enabled": "1"})
    response = client.post("/regions/CD-SK/auto-routing", data={"csrf_token": token, "enabled": "1"})
    assert response.status_code == 403 and "You may not do this" in response.get_data(as_text=True)
    assert routing.auto_routed_regions() == ["CD-NK-GOM"]
    assert client.post("/regions/NOPE/auto-routing", data={"csrf_token": token}).status_code == 404
    volunteer, _ = signed_in("volunteer")
    assert volunteer.get("/regions").status_code == 403


def test_the_user_list_comes_in_pages_that_walk_everyone_once(signed_in, make_user):
    """A movement has thousands of users: 50 a page, by name, every user on
    exactly one page, whatever the page links are made of."""
    client, admin = signed_in("admin", regions=["CD"])
    for n in range(120):
        make_user("volunteer", name=f"Page Person {n:03d}", email=f"pager{n:03d}@tests.afr-aid.org")
    link = re.compile(r'<a class="ref" href="/admin/users/(\d+)">')
    url, seen, pages = "/admin/users", [], 0
    while url:
        html = client.get(url).get_data(as_text=True)
        page = [int(uid) for uid in link.findall(html)]
        assert 0 < len(page) <= 50
        seen.extend(page)
        pages += 1
        nxt = re.search(r'<a class="button" href="([^"]+)">Next page', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
        assert ("First page" in html) == (pages > 1)
    everyone = db.session.scalars(select(User).order_by(User.name, User.id)).all()
    assert sorted(seen) == sorted(u.id for u in everyone) and len(seen) == len(set(seen))
    names = [db.session.get(User, uid).name.lower() for uid in seen]
    assert names == sorted(names)
    assert pages == -(-len(everyone) // 50)
    searched = client.get("/admin/users?q=page+person+11").get_data(as_text=True)
    assert len(link.findall(searched)) == 10 and "Next page" not in searched


def test_a_made_up_page_link_shows_the_first_page_not_an_error(signed_in):
    client, admin = signed_in("admin", regions=["CD"], name="Ada Admin")
    for after in ("999999", "0", "-1", "99999999999999999999", "x", ""):
        response = client.get(f"/admin/users?after={after}")
        assert response.status_code == 200, after
        assert "Ada Admin" in response.get_data(as_text=True), after
