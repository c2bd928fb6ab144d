"""POST /api/v1/tokens with a second factor (docs/domain.md): otp_required,
otp_setup_required, each code once, recovery codes."""
from tests.conftest import PASSWORD, SECOND_FACTORS, otp_for

TOKENS = "/api/v1/tokens"


def error_code(response):
    return response.get_json()["error"]["code"]


def test_a_coordinator_needs_the_current_code_and_each_code_works_once(client, make_user):
    coordinator = make_user("coordinator")
    body = {"email": coordinator.email, "password": PASSWORD}
    missing = client.post(TOKENS, json=body)
    assert missing.status_code == 401 and error_code(missing) == "otp_required"
    right = otp_for(coordinator.email)
    wrong = client.post(TOKENS, json={**body, "otp": "000000" if right != "000000" else "111111"})
    assert wrong.status_code == 401 and error_code(wrong) == "otp_required"
    good = client.post(TOKENS, json={**body, "otp": right})
    assert good.status_code == 201
    headers = {"Authorization": f"Bearer {good.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=headers).get_json()["email"] == coordinator.email
    reused = client.post(TOKENS, json={**body, "otp": right})
    assert reused.status_code == 401 and error_code(reused) == "otp_required"


def test_a_recovery_code_works_once_through_the_api(client, make_user):
    admin = make_user("admin", regions=["CD"])
    code = SECOND_FACTORS[admin.email]["codes"][3]
    body = {"email": admin.email, "password": PASSWORD, "otp": code}
    assert client.post(TOKENS, json=body).status_code == 201
    again = client.post(TOKENS, json=body)
    assert again.status_code == 401 and error_code(again) == "otp_required"


def test_not_enrolled_yet_reads_otp_setup_required_but_only_after_the_password(client, make_user):
    coordinator = make_user("coordinator", two_factor=False)
    response = client.post(TOKENS, json={"email": coordinator.email, "password": PASSWORD, "otp": "123456"})
    assert response.status_code == 401 and error_code(response) == "otp_setup_required"
    wrong_password = client.post(TOKENS, json={"email": coordinator.email, "password": "not it at all x"})
    assert wrong_password.status_code == 401 and error_code(wrong_password) == "unauthorized"


def test_a_wrong_password_never_says_whether_there_is_a_second_factor(client, make_user):
    with_2fa = make_user("admin", regions=["CD"])
    without = make_user("volunteer")
    answers = [client.post(TOKENS, json={"email": u.email, "password": "wrong-password-x"}).get_json()
               for u in (with_2fa, without)]
    assert answers[0] == answers[1]


def test_volunteers_without_two_step_sign_in_need_no_code(client, make_user):
    volunteer = make_user("volunteer")
    assert client.post(TOKENS, json={"email": volunteer.email, "password": PASSWORD}).status_code == 201


def test_wrong_codes_lock_the_account(client, make_user):
    coordinator = make_user("coordinator")
    for _ in range(5):
        client.post(TOKENS, json={"email": coordinator.email, "password": PASSWORD, "otp": "abcdef"})
    response = client.post(TOKENS, json={"email": coordinator.email, "password": PASSWORD,
                                         "otp": otp_for(coordinator.email)})
    assert response.status_code == 401


def test_the_openapi_document_describes_otp(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/tokens"]["post"]
    assert "otp_required" in operation["description"] and "otp_setup_required" in operation["description"]
    schema = spec["components"]["schemas"]["TokenIn"]["properties"]["otp"]
    assert "recovery" in schema["description"] and schema["maxLength"] == 32
    assert "429" in operation["responses"]
