"""POST /api/v1/tokens, DELETE /api/v1/tokens/current, and who counts as signed in."""
from datetime import datetime, timedelta

from sqlalchemy import select, update

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import ApiToken, AuditEntry
from tests.api.conftest import API
from tests.conftest import PASSWORD, otp_for


def test_good_credentials_give_a_token_that_works_until_it_expires(client, people):
    response = client.post(f"{API}/tokens", json={"email": people.volunteer.email, "password": PASSWORD,
                                                  "otp": ""})
    assert response.status_code == 201
    body = response.get_json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires.utcoffset() is not None and expires > clock.now()
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.get(f"{API}/me", headers=headers).get_json()["email"] == people.volunteer.email
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "login",
                                                      AuditEntry.target == people.volunteer.email))
    db.session.execute(update(ApiToken).values(expires_at=clock.now() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(f"{API}/me", headers=headers).status_code == 401


def test_email_is_not_case_sensitive_and_the_password_is(client, people):
    email = people.volunteer.email.upper()
    assert client.post(f"{API}/tokens", json={"email": email, "password": PASSWORD}).status_code == 201
    assert client.post(f"{API}/tokens", json={"email": email, "password": PASSWORD.upper()}).status_code == 401


def test_wrong_password_unknown_email_and_inactive_user_all_read_401(client, people):
    from afr_aid.services.accounts.users import update_user

    wrong = client.post(f"{API}/tokens", json={"email": people.volunteer.email, "password": "not it at all"})
    unknown = client.post(f"{API}/tokens", json={"email": "nobody@tests.afr-aid.org", "password": PASSWORD})
    user = people.other_volunteer
    update_user(people.admin, user, name=user.name, role=user.role, regions=["CD-NK"], languages=[],
                skills=[], active=False, away=False, locale="en")
    inactive = client.post(f"{API}/tokens", json={"email": user.email, "password": PASSWORD})
    for response in (wrong, unknown, inactive):
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
    assert wrong.get_json() == unknown.get_json() == inactive.get_json()


def test_five_failures_lock_the_account_for_the_api_too(client, people):
    for _ in range(5):
        client.post(f"{API}/tokens", json={"email": people.volunteer.email, "password": "wrong-password"})
    response = client.post(f"{API}/tokens", json={"email": people.volunteer.email, "password": PASSWORD})
    assert response.status_code == 401


def test_a_token_request_with_a_bad_body(client, people):
    assert client.post(f"{API}/tokens", data="email=a&password=b",
                       content_type="application/x-www-form-urlencoded").status_code == 400
    response = client.post(f"{API}/tokens", json={"email": 5, "password": ["x"], "remember": True})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"email", "password", "remember"}
    response = client.post(f"{API}/tokens", json={})
    assert set(response.get_json()["error"]["fields"]) == {"email", "password"}


def test_signing_out_ends_the_token_at_once(client, auth):
    headers = auth.volunteer
    assert client.delete(f"{API}/tokens/current", headers=headers).status_code == 204
    response = client.get(f"{API}/me", headers=headers)
    assert response.status_code == 401
    assert client.delete(f"{API}/tokens/current", headers=headers).status_code == 401


def test_without_a_valid_token_every_call_is_401_with_a_bearer_challenge(client, people):
    calls = [("get", "/me"), ("get", "/locations"), ("get", "/stats"), ("get", "/cases"),
             ("post", "/cases"), ("get", "/cases/AR-2026-000001"), ("get", "/cases/AR-2026-000001/events"),
             ("post", "/cases/AR-2026-000001/transitions"), ("post", "/cases/AR-2026-000001/notes"),
             ("get", "/cases/AR-2026-000001/suggestions"), ("delete", "/tokens/current")]
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic dXNlcjpwYXNz"},
                    {"Authorization": "Bearer "}, {"Authorization": "Bearer \u00e9\u00e9"}):
        for method, path in calls:
            response = getattr(client, method)(API + path, headers=headers, json={"x": 1})
            assert response.status_code == 401, (headers, method, path)
            assert response.get_json()["error"]["code"] == "unauthorized"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_session_cookie_of_the_web_pages_is_not_accepted(app, client, people):
    from afr_aid.services.accounts.sessions import sign_in

    token = sign_in(people.volunteer)
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    assert client.get("/").status_code == 200  # the cookie signs the pages in...
    assert client.get(f"{API}/me").status_code == 401  # ...never the API


def test_the_api_needs_no_csrf_token(client, people):
    # CSRFProtect is on for the pages; the API is exempt because it reads no cookie.
    response = client.post(f"{API}/tokens", json={"email": people.admin.email, "password": PASSWORD,
                                                  "otp": otp_for(people.admin.email)})
    assert response.status_code == 201
