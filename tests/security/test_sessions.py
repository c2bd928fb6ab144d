"""Sessions: idle 30 min, absolute 12 h, a new id at sign-in, cookie flags,
and ending every session and token of a user (lost phone, deactivation)."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from afr_aid.extensions import db
from afr_aid.models import AuditEntry, UserSession
from tests.conftest import PASSWORD, _make_app, api_token, csrf_from, login

# Monday 06:50 in Lubumbashi: the clock is set, then moved as a person's day would.
MONDAY_MORNING = datetime(2026, 12, 7, 4, 50, tzinfo=timezone.utc)


def test_thirty_idle_minutes_sign_out(client, make_user, time_machine):
    time_machine.move_to(MONDAY_MORNING, tick=False)
    login(client, make_user("volunteer").email)
    time_machine.shift(timedelta(minutes=29))
    assert client.get("/").status_code == 200  # and the visit counts as activity
    time_machine.shift(timedelta(minutes=29))
    assert client.get("/").status_code == 200
    time_machine.shift(timedelta(minutes=31))
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location


def test_twelve_hours_sign_out_however_active(client, make_user, time_machine):
    time_machine.move_to(MONDAY_MORNING, tick=False)
    login(client, make_user("coordinator").email)
    for _ in range(28):  # a visit every 25 minutes: never idle
        time_machine.shift(timedelta(minutes=25))
        assert client.get("/").status_code == 200
    time_machine.shift(timedelta(minutes=25))  # 12 h 5 min after signing in
    assert client.get("/").status_code == 302

def test_each_sign_in_step_gets_a_new_cookie_session(client, make_user):
    admin = make_user("admin", regions=["CD"])
    client.get("/login")
    before = client.get_cookie("session").value
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    half = client.get_cookie("session").value
    from tests.conftest import second_step

    assert second_step(client, admin.email).status_code == 302
    assert len({before, half, client.get_cookie("session").value}) == 3
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == admin.id)) is not None

def test_the_cookie_is_http_only_and_same_site_lax(client, make_user):
    response = login(client, make_user("volunteer").email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

def test_behind_https_the_cookie_is_secure(app, tmp_path):
    secure = _make_app(tmp_path / "https", app.config["SQLALCHEMY_DATABASE_URI"], FORCE_HTTPS="1")
    client = secure.test_client()
    response = client.get("/login", base_url="https://afr.test",
                          headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert client.get("/login", base_url="http://afr.test").status_code == 301

def _revoked_everywhere(app, user, web_client, headers):
    assert web_client.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401

def test_an_admin_ends_every_session_and_token_of_a_lost_phone(app, make_user):

    admin = make_user("admin", regions=["CD"])
    user = make_user("volunteer")
    phone = app.test_client()
    login(phone, user.email)
    headers = api_token(app.test_client(), user.email)
    admin_client = app.test_client()
    login(admin_client, admin.email)
    url = f"/admin/users/{user.id}"
    token = csrf_from(admin_client.get(url).get_data(as_text=True))
    assert admin_client.post(f"{url}/revoke-sessions", data={"csrf_token": token}).status_code == 302
    _revoked_everywhere(app, user, phone, headers)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.sessions_revoked"))
    assert entry.actor_id == admin.id and entry.target == user.email
    assert admin_client.get("/").status_code == 200  # the admin's own session is untouched
    assert login(app.test_client(), user.email).status_code == 302  # the password still works

def test_deactivating_a_user_ends_their_sessions_and_tokens(app, make_user):
    from afr_aid.services.accounts.users import update_user

    admin = make_user("admin", regions=["CD"])
    user = make_user("coordinator")
    phone = app.test_client()
    login(phone, user.email)
    headers = api_token(app.test_client(), user.email)
    update_user(admin, user, name=user.name, role=user.role, regions=["CD-NK"], languages=[], skills=[],
                active=False, away=False, locale="en")
    _revoked_everywhere(app, user, phone, headers)
    assert db.session.scalar(select(UserSession.revoked_at).where(UserSession.user_id == user.id)) is not None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.update",
                                                       AuditEntry.target == user.email)).all()[-1]
    assert entry.detail.get("active") is False and entry.actor_id == admin.id
