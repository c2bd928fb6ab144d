"""Two-step sign-in on the pages: enrolling (obliged for admins and
coordinators), the code step, recovery codes, the Security page, admin reset."""
import re
from datetime import timedelta

import pyotp
from sqlalchemy import select, text

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import AuditEntry, User
from afr_aid.services.accounts.two_factor import STEP_SECONDS
from tests.conftest import PASSWORD, SECOND_FACTORS, csrf_from, login, otp_for

WRONG = "This code is not right, or it was already used"


def password_step(client, email, password=PASSWORD):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def send_code(client, url, code):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"code": code, "csrf_token": token})


def now_code(secret, offset=0):
    return pyotp.TOTP(secret).generate_otp(int(clock.timestamp()) // STEP_SECONDS + offset)


def audited(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def assert_signed_out(client):
    for url in ("/", "/cases", "/admin/users", "/account/security", "/dashboard"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def test_a_coordinator_without_two_step_sign_in_must_enrol_before_anything_else(client, make_user):
    user = make_user("coordinator", two_factor=False)
    response = password_step(client, user.email)
    assert response.status_code == 302 and response.location.endswith("/login/setup")
    assert_signed_out(client)  # half signed in is not signed in

    page = client.get("/login/setup").get_data(as_text=True)
    assert re.search(r'<img src="data:image/svg\+xml;charset=utf-8,%3Csvg[^"]+" alt="QR code', page)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert client.get("/login/setup").get_data(as_text=True).count(secret[:4]) >= 1  # a reload keeps the key
    stored = db.session.execute(text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user.id}).scalar()
    assert stored and secret not in stored  # encrypted at rest

    response = send_code(client, "/login/setup", "000000" if now_code(secret) != "000000" else "111111")
    assert WRONG in response.get_data(as_text=True)
    assert_signed_out(client)

    page = send_code(client, "/login/setup", now_code(secret)).get_data(as_text=True)
    codes = re.findall(r"<code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code>", page)
    assert len(set(codes)) == 10
    assert user.name in client.get("/").get_data(as_text=True)
    assert [entry.target for entry in audited("2fa.enrol")] == [user.email]
    # Shown once: the Security page only counts them.
    security = client.get("/account/security").get_data(as_text=True)
    assert "Recovery codes left: 10" in security and codes[0] not in security


def test_an_enrolled_admin_signs_in_with_a_code_that_works_once(app, client, make_user):
    admin = make_user("admin", regions=["CD"])
    response = password_step(client, admin.email)
    assert response.location.endswith("/login/code")
    assert_signed_out(client)
    assert WRONG in send_code(client, "/login/code", "12345x").get_data(as_text=True)
    assert_signed_out(client)
    code = otp_for(admin.email)
    response = send_code(client, "/login/code", code)
    assert response.status_code == 302 and response.location.endswith("/")
    assert client.get("/admin/users").status_code == 200

    # The same code on another device, within its 30 seconds: refused.
    thief = app.test_client()
    assert password_step(thief, admin.email).location.endswith("/login/code")
    assert WRONG in send_code(thief, "/login/code", code).get_data(as_text=True)
    assert_signed_out(thief)


def test_a_recovery_code_signs_in_once(app, client, make_user):
    coordinator = make_user("coordinator")
    code = SECOND_FACTORS[coordinator.email]["codes"][0]
    password_step(client, coordinator.email)
    response = send_code(client, "/login/code", code.upper().replace("-", " "))
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "recovery code" in page and "Codes left: 9" in page
    assert [e.target for e in audited("2fa.recovery_code_used")] == [coordinator.email]
    again = app.test_client()
    password_step(again, coordinator.email)
    assert WRONG in send_code(again, "/login/code", code).get_data(as_text=True)
    assert_signed_out(again)


def test_five_wrong_codes_lock_the_account(client, make_user):
    admin = make_user("admin", regions=["CD"])
    password_step(client, admin.email)
    right = otp_for(admin.email)
    wrong = "999999" if right != "999999" else "888888"
    for _ in range(5):
        send_code(client, "/login/code", wrong)
    response = send_code(client, "/login/code", right)
    assert response.status_code == 302 and response.location.endswith("/login")
    assert_signed_out(client)
    assert audited("login.locked")


def test_a_volunteer_may_choose_two_step_sign_in_and_drop_it(app, signed_in, time_machine):
    client, volunteer = signed_in("volunteer")
    assert "Security" in client.get("/").get_data(as_text=True)
    assert "Off." in client.get("/account/security").get_data(as_text=True)
    page = client.get("/account/security/setup").get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    page = send_code(client, "/account/security/setup", now_code(secret)).get_data(as_text=True)
    assert len(re.findall(r"<code>[0-9a-z-]{19}</code>", page)) == 10

    other = app.test_client()
    assert password_step(other, volunteer.email).location.endswith("/login/code")
    assert send_code(other, "/login/code", now_code(secret, 1)).status_code == 302

    time_machine.move_to(clock.now() + timedelta(seconds=2 * STEP_SECONDS))  # the codes above are spent: a minute later
    token = csrf_from(client.get("/account/security").get_data(as_text=True))
    response = client.post("/account/security/off", data={"off-code": now_code(secret), "csrf_token": token})
    assert response.status_code == 302
    assert "Two-step sign-in is off." in client.get("/account/security").get_data(as_text=True)
    assert login(app.test_client(), volunteer.email).location.endswith("/")
    assert audited("2fa.disable")


def test_a_coordinator_cannot_turn_it_off(signed_in):
    client, coordinator = signed_in("coordinator")
    html = client.get("/account/security").get_data(as_text=True)
    assert "Turn off two-step sign-in" not in html and "Your role must use two-step sign-in." in html
    token = csrf_from(html)
    client.post("/account/security/off", data={"off-code": otp_for(coordinator.email), "csrf_token": token})
    db.session.refresh(coordinator)
    assert coordinator.totp_enrolled


def test_an_admin_resets_a_lost_phone(app, signed_in, make_user, post):
    admin_client, admin = signed_in("admin", regions=["CD"])
    coordinator_client, coordinator = signed_in("coordinator")
    assert coordinator_client.get("/").status_code == 200
    url = f"/admin/users/{coordinator.id}"
    assert "Reset two-step sign-in" in admin_client.get(url).get_data(as_text=True)
    response = post(admin_client, f"{url}/reset-two-factor", page=url)
    assert response.status_code == 302
    assert "is reset" in admin_client.get(url).get_data(as_text=True)
    assert_signed_out(coordinator_client)
    entry = audited("2fa.reset")[0]
    assert entry.actor_id == admin.id and entry.target == coordinator.email
    assert password_step(app.test_client(), coordinator.email).location.endswith("/login/setup")
    for role in ("coordinator", "volunteer"):
        client, _ = signed_in(role)
        assert post(client, f"{url}/reset-two-factor").status_code == 403


def test_a_volunteer_made_coordinator_must_enrol_before_going_on(app, signed_in, make_user):
    from afr_aid.services.accounts.users import update_user

    client, volunteer = signed_in("volunteer")
    admin = make_user("admin", regions=["CD"])
    update_user(admin, volunteer, name=volunteer.name, role="coordinator", regions=["CD-NK"],
                languages=volunteer.languages, skills=[], active=True, away=False, locale="en")
    assert_signed_out(client)
    assert password_step(client, volunteer.email).location.endswith("/login/setup")


def test_the_half_signed_in_state_ends_when_the_password_changes(client, make_user):
    from afr_aid.services.accounts.users import update_user

    coordinator = make_user("coordinator")
    admin = make_user("admin", regions=["CD"])
    password_step(client, coordinator.email)
    update_user(admin, coordinator, name=coordinator.name, role="coordinator", regions=["CD-NK"],
                languages=[], skills=[], active=True, away=False, locale="en", password="Another-" + PASSWORD)
    response = client.get("/login/code")
    assert response.status_code == 302 and response.location.endswith("/login")


def test_the_command_line_enrols_staff_without_a_phone_that_scans(app, make_user):
    coordinator = make_user("coordinator", two_factor=False)
    result = app.test_cli_runner().invoke(args=["users", "totp", "--email", coordinator.email.upper()])
    assert result.exit_code == 0, result.output
    secret = re.search(r"^secret=([A-Z2-7]+)$", result.output, re.M).group(1)
    assert "otpauth://totp/" in result.output and len(re.findall(r"^  \S{19}$", result.output, re.M)) == 10
    db.session.expire_all()
    client = app.test_client()
    assert password_step(client, coordinator.email).location.endswith("/login/code")
    assert send_code(client, "/login/code", now_code(secret)).status_code == 302
    bad = app.test_cli_runner().invoke(args=["users", "totp", "--email", "nobody@tests.afr-aid.org"])
    assert bad.exit_code != 0
