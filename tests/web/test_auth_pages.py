from sqlalchemy import select

from afr_aid.extensions import db
from afr_aid.models import AuditEntry
from tests.conftest import PASSWORD, csrf_from, login

GENERIC = "Sign-in failed"


def test_sign_in_page_has_the_contract_fields(client):
    html = client.get("/login").get_data(as_text=True)
    for name in ("email", "password", "csrf_token"):
        assert f'name="{name}"' in html


def test_signing_in_lands_on_the_start_page_and_is_audited(client, make_user):
    user = make_user("volunteer")
    response = login(client, user.email)
    assert response.status_code == 302 and response.location.endswith("/")
    page = client.get("/").get_data(as_text=True)
    assert user.name in page and "File an assistance request" in page
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "login",
                                                      AuditEntry.target == user.email))


def test_the_cookie_session_is_rotated_on_sign_in(client, make_user):
    user = make_user("volunteer")
    client.get("/login")
    before = client.get_cookie("session").value
    login(client, user.email)
    assert client.get_cookie("session").value != before


def test_wrong_password_and_unknown_email_read_the_same(client, make_user):
    user = make_user("volunteer")
    wrong = login(client, user.email, "not-the-password-at-all")
    unknown = login(client, "nobody@tests.afr-aid.org")
    assert GENERIC in wrong.get_data(as_text=True) and GENERIC in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_five_wrong_passwords_lock_the_account(client, make_user):
    user = make_user("volunteer")
    for _ in range(5):
        login(client, user.email, "wrong-password-xyz")
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 200 and GENERIC in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logout_makes_a_copied_cookie_useless(app, client, make_user, post):
    user = make_user("volunteer")
    login(client, user.email)
    stolen = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    assert post(client, "/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.location


def test_a_get_on_logout_only_asks(client, make_user):
    user = make_user("volunteer")
    login(client, user.email)
    assert "Sign out" in client.get("/logout").get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_form_posts_without_csrf_answer_400(client, make_user):
    user = make_user("volunteer")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
    assert client.post("/locale", data={"locale": "fr"}).status_code == 400
    login(client, user.email)
    assert client.post("/logout").status_code == 400
    assert client.post("/cases/new/assistance", data={"urgency": "low"}).status_code == 400


def test_language_switcher_works_before_sign_in_and_survives_it(client, make_user):
    user = make_user("volunteer", languages=["en"])
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/locale", data={"locale": "fr", "next": "/login", "csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert '<html lang="fr">' in client.get("/login").get_data(as_text=True)
    login(client, user.email)
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)


def test_the_switcher_never_sends_anyone_to_another_site(client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post("/locale", data={"locale": "sw", "next": target, "csrf_token": token})
        assert response.status_code == 302 and "evil" not in response.location
        assert not response.location.startswith("javascript")


def test_sign_in_returns_to_the_page_asked_for_but_never_elsewhere(client, make_user):
    user = make_user("volunteer")
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.location
    assert "Sign in to see this page." in client.get(response.location).get_data(as_text=True)
    token = csrf_from(client.get("/login?next=/cases").get_data(as_text=True))
    response = client.post("/login?next=/cases", data={"email": user.email, "password": PASSWORD,
                                                       "csrf_token": token})
    assert response.location.endswith("/cases")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD,
                                                                      "csrf_token": token})
    assert "evil" not in response.location
