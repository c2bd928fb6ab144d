"""Every check of a two-step code is throttled and counted as a failed sign-in:
the code step, enrolling at sign-in, and the Security page of someone signed
in (a stolen session cookie must not try codes without end)."""
import re
import uuid
from datetime import timedelta

import pyotp
from sqlalchemy import select

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import AuditEntry, RecoveryCode
from afr_aid.services.accounts import two_factor
from afr_aid.services.accounts.two_factor import STEP_SECONDS
from tests.conftest import PASSWORD, SECOND_FACTORS, csrf_from, login, otp_for

WRONG = "This code is not right, or it was already used"
LOCKED = "After several failed tries the account is locked for a while."


def password_step(client, email):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})


def wrong_code(email):
    right = otp_for(email) if email in SECOND_FACTORS else ""
    return "999999" if right != "999999" else "888888"


def security_post(client, what, code):
    """what: "renew" (new recovery codes) or "off" (turn two-step sign-in off)."""
    url = {"renew": "/account/security/recovery-codes", "off": "/account/security/off"}[what]
    token = csrf_from(client.get("/account/security").get_data(as_text=True))
    return client.post(url, data={f"{what}-code": code, "csrf_token": token})


def audited(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def assert_signed_out(client):
    for url in ("/", "/cases", "/account/security"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def signed_in_with_two_factor(app, make_user, role):
    user = make_user(role, two_factor=True)
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    assert client.get("/account/security").status_code == 200
    return client, user


# 1. The Security page.

def test_wrong_codes_on_the_security_page_lock_the_account_and_end_the_session(app, make_user):
    client, user = signed_in_with_two_factor(app, make_user, "coordinator")
    elsewhere = app.test_client()  # the same person on another phone
    assert login(elsewhere, user.email).status_code == 302
    codes_before = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    for n in range(4):
        response = security_post(client, "renew", wrong_code(user.email))
        assert response.status_code == 302 and response.location.endswith("/account/security"), n
        assert WRONG in client.get("/account/security").get_data(as_text=True)
    db.session.refresh(user)
    assert user.failed_logins == 4
    response = security_post(client, "renew", wrong_code(user.email))  # the fifth locks the account
    assert response.status_code == 302 and response.location.endswith("/login")
    assert LOCKED in client.get("/login").get_data(as_text=True)
    assert_signed_out(client)
    assert audited("login.locked")
    # Locked: no sign-in (the password page refuses it); the recovery codes did not change.
    response = password_step(app.test_client(), user.email)
    assert response.status_code == 200 and "Sign-in failed" in response.get_data(as_text=True)
    assert sorted(codes_before) == sorted(db.session.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all())
    # A lock refuses new sign-ins; it does not end the user's other sessions.
    assert elsewhere.get("/").status_code == 200
    # While locked, that other session cannot try codes either: it ends too.
    response = security_post(elsewhere, "renew", otp_for(user.email))
    assert response.status_code == 302 and response.location.endswith("/login")
    assert_signed_out(elsewhere)


def test_wrong_codes_to_turn_it_off_count_too(app, make_user):
    client, user = signed_in_with_two_factor(app, make_user, "volunteer")
    for _ in range(4):
        assert security_post(client, "off", wrong_code(user.email)).location.endswith("/account/security")
    response = security_post(client, "off", wrong_code(user.email))
    assert response.status_code == 302 and response.location.endswith("/login")
    assert_signed_out(client)
    db.session.refresh(user)
    assert user.totp_enrolled and two_factor.is_locked(user)


def test_the_security_page_code_checks_are_throttled_per_account(app, make_user):
    app.config["LOGIN_MAX_FAILURES"] = 1000  # the throttle alone, not the lockout
    client, user = signed_in_with_two_factor(app, make_user, "volunteer")
    for n in range(10):  # SIGN_IN_LIMIT_PER_ACCOUNT: 10 failures in 15 minutes
        what = "renew" if n % 2 else "off"
        assert security_post(client, what, wrong_code(user.email)).status_code == 302, n
    response = security_post(client, "renew", otp_for(user.email))
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    # The same count as the sign-in of that account.
    other = app.test_client()
    token = csrf_from(other.get("/login").get_data(as_text=True))
    assert other.post("/login", data={"email": user.email, "password": PASSWORD,
                                      "csrf_token": token}).status_code == 429


def test_a_right_code_on_the_security_page_clears_nothing_and_still_works(app, make_user):
    client, user = signed_in_with_two_factor(app, make_user, "coordinator")
    security_post(client, "renew", wrong_code(user.email))
    page = security_post(client, "renew", otp_for(user.email)).get_data(as_text=True)
    assert len(re.findall(r"<code>[0-9a-z-]{19}</code>", page)) == 10


# 2. The code step keys only on the account half-way through signing in.

def test_an_email_field_at_the_code_step_does_not_open_a_fresh_count(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES"] = 1000  # the throttle alone, not the lockout
    coordinator = make_user("coordinator")
    password_step(client, coordinator.email)
    for n in range(10):
        token = csrf_from(client.get("/login/code").get_data(as_text=True))
        response = client.post("/login/code", data={"code": wrong_code(coordinator.email), "csrf_token": token,
                                                    "email": f"{uuid.uuid4().hex}@tests.afr-aid.org"})
        assert response.status_code == 200, n
    token = csrf_from(client.get("/login/code").get_data(as_text=True))
    response = client.post("/login/code", data={"code": otp_for(coordinator.email), "csrf_token": token,
                                                "email": f"{uuid.uuid4().hex}@tests.afr-aid.org"})
    assert response.status_code == 429


def test_an_email_field_when_enrolling_does_not_open_a_fresh_count(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES"] = 1000
    coordinator = make_user("coordinator", two_factor=False)
    password_step(client, coordinator.email)
    for n in range(10):
        token = csrf_from(client.get("/login/setup").get_data(as_text=True))
        response = client.post("/login/setup", data={"code": "12345x", "csrf_token": token,
                                                     "email": f"{uuid.uuid4().hex}@tests.afr-aid.org"})
        assert response.status_code == 200, n
    token = csrf_from(client.get("/login/setup").get_data(as_text=True))
    response = client.post("/login/setup", data={"code": "12345x", "csrf_token": token, "email": "a@b.org"})
    assert response.status_code == 429


# 3. Enrolling at sign-in: a locked account is refused, wrong codes count.

def enrol_secret(client):
    page = client.get("/login/setup").get_data(as_text=True)
    return re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")


def send_setup_code(client, code):
    token = csrf_from(client.get("/login/setup").get_data(as_text=True))
    return client.post("/login/setup", data={"code": code, "csrf_token": token})


def test_wrong_codes_when_enrolling_lock_the_account(client, make_user):
    coordinator = make_user("coordinator", two_factor=False)
    password_step(client, coordinator.email)
    secret = enrol_secret(client)
    right = pyotp.TOTP(secret).generate_otp(int(clock.timestamp()) // STEP_SECONDS)
    wrong = "999999" if right != "999999" else "888888"
    for n in range(4):
        assert WRONG in send_setup_code(client, wrong).get_data(as_text=True), n
    db.session.refresh(coordinator)
    assert coordinator.failed_logins == 4
    response = send_setup_code(client, wrong)
    assert response.status_code == 302 and response.location.endswith("/login")
    assert LOCKED in client.get("/login").get_data(as_text=True)
    assert client.get("/login/setup").location.endswith("/login")  # the half-signed-in state ended
    db.session.refresh(coordinator)
    assert two_factor.is_locked(coordinator) and not coordinator.totp_enrolled
    assert_signed_out(client)


def test_a_locked_account_cannot_enrol_at_sign_in(client, make_user):
    coordinator = make_user("coordinator", two_factor=False)
    password_step(client, coordinator.email)
    secret = enrol_secret(client)
    coordinator.locked_until = clock.now() + timedelta(minutes=15)
    db.session.commit()
    response = send_setup_code(client, pyotp.TOTP(secret).generate_otp(int(clock.timestamp()) // STEP_SECONDS))
    assert response.status_code == 302 and response.location.endswith("/login")
    db.session.refresh(coordinator)
    assert not coordinator.totp_enrolled
    assert_signed_out(client)
