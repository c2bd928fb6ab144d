"""The error contract: one JSON shape, no 500 for any input, logs of one line,
messages in the caller's language."""
import logging

import pytest

from tests.api.conftest import API, assistance_body, incident_body

NASTY = [None, True, False, 0, -1, 2**31, 10**100, 1.5, 1e308, "", " ", "x" * 300, "\u0000", "\ud83d\ude00",
         "\u202e", "2026-13-45", "CD-NK-GOM", "food", [], [None], [[[]]], ["food"] * 100, {}, {"a": {"b": [1]}},
         "'; DROP TABLE cases; --", "%s%s%n", "../../etc/passwd"]


def _paths(body: dict, prefix=""):
    for key, value in body.items():
        yield prefix + key
        if isinstance(value, dict):
            yield from _paths(value, prefix + key + ".")


def _replace(body: dict, dotted: str, value) -> dict:
    import copy

    body = copy.deepcopy(body)
    target, *rest = dotted.split(".")
    if rest:
        body[target] = _replace(body[target], ".".join(rest), value)
    else:
        body[target] = value
    return body


def assert_error_shape(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["message"], str) and error["message"]
    assert all(isinstance(k, str) and all(isinstance(m, str) for m in v) for k, v in error["fields"].items())
    return error


@pytest.mark.parametrize("make", [assistance_body, incident_body])
def test_no_value_anywhere_in_a_case_gets_a_500(client, auth, make):
    base = make()
    for path in list(_paths(base)) + ["unknown", "person.unknown"]:
        if path.startswith("person.") and "person" not in base:
            continue
        for value in NASTY:
            body = _replace(make(), path, value) if path != "person.unknown" else make()
            response = client.post(f"{API}/cases", json=body, headers=auth.volunteer)
            assert response.status_code in (201, 400, 422), (path, value, response.get_json())
            if response.status_code == 422:
                fields = assert_error_shape(response, 422)["fields"]
                assert fields and all(name.split(".")[0] in base or name == path for name in fields), fields


def test_no_value_in_a_transition_or_note_gets_a_500(client, auth, people, case_in):
    case = case_in("assigned")
    names = ["action", "assignee", "note", "reason", "outcome", "duplicate_of", "verification"]
    for action in ("assign", "decline", "close", "verify", "accept"):
        for name in names:
            for value in NASTY:
                body = {"action": action, name: value} if name != "action" else {"action": value}
                response = client.post(f"{API}/cases/{case.ref}/transitions", json=body, headers=auth.admin)
                assert response.status_code in (200, 403, 409, 422), (body, response.get_json())
        for value in NASTY:
            response = client.post(f"{API}/cases/{case.ref}/notes", json={"body": value}, headers=auth.admin)
            assert response.status_code in (201, 422), value


def test_no_query_string_gets_a_500(client, auth):
    values = ["", "%00", "%FF", "%ED%A0%80", "x" * 5000, "-1", "1e9", "true", "none", "me", "CD", ",,,", "%%"]
    for name in ("kind", "status", "urgency", "location", "assignee", "overdue", "q", "limit", "cursor", "from"):
        for value in values:
            response = client.get(f"{API}/cases?{name}={value}", headers=auth.coordinator)
            assert response.status_code in (200, 422), (name, value)
            response = client.get(f"{API}/stats?{name}={value}", headers=auth.coordinator)
            assert response.status_code in (200, 422), (name, value)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=xyz", "application/xml", None])
def test_wrong_content_types_never_fail_badly(client, auth, content_type):
    for data in (b"kind=assistance", b"<case/>", b"\xff\xfe\x00", b'{"kind": "assistance"}'):
        response = client.post(f"{API}/cases", data=data, content_type=content_type, headers=auth.volunteer)
        assert response.status_code in (400, 422)
        assert_error_shape(response, response.status_code)


def test_unknown_paths_and_methods_answer_json(client, auth):
    assert_error_shape(client.get(f"{API}/nothing-here", headers=auth.volunteer), 404)
    error = assert_error_shape(client.put(f"{API}/cases", json={}, headers=auth.volunteer), 405)
    assert error["code"] == "method_not_allowed"
    response = client.patch(f"{API}/me", headers=auth.volunteer)
    assert_error_shape(response, 405)
    assert "GET" in response.headers["Allow"]


def test_throttled_answers_have_the_same_shape(app, client):
    from werkzeug.exceptions import TooManyRequests

    @app.route("/api/v1/_throttled_for_test")
    def throttled():
        raise TooManyRequests(retry_after=30)

    response = client.get("/api/v1/_throttled_for_test")
    assert assert_error_shape(response, 429)["code"] == "too_many_requests"
    assert response.headers["Retry-After"] == "30"


def test_client_errors_are_logged_in_one_line_without_a_traceback(client, auth, caplog):
    caplog.set_level(logging.INFO, logger="afr_aid.errors")
    client.post(f"{API}/cases", json={"kind": "x"}, headers=auth.volunteer)
    client.get(f"{API}/cases/AR-2026-000001", headers=auth.volunteer)
    client.post(f"{API}/cases", data="{", content_type="application/json", headers=auth.volunteer)
    records = [r for r in caplog.records if r.name == "afr_aid.errors"]
    assert len(records) == 3
    for record in records:
        assert record.levelno == logging.INFO and "\n" not in record.getMessage() and not record.exc_info
        assert "client error" in record.getMessage()


def test_a_server_error_is_json_with_a_reference_and_no_detail(app, client, auth, monkeypatch):
    from afr_aid.services.cases import records as cases

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(cases, "list_cases", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    error = assert_error_shape(client.get(f"{API}/cases", headers=auth.volunteer), 500)
    assert error["code"] == "server_error" and "secret" not in error["message"]


# ---- language ---------------------------------------------------------------------------

@pytest.fixture
def french(app):
    """fr("English message", **values): the committed French catalogue's wording."""
    from tests.catalogues import catalog

    def fr(english, **values):
        text = catalog("fr").get(english).string
        assert text and text != english, english
        return text.format(**values) if values else text

    return fr


def test_messages_follow_accept_language_else_the_users_locale(client, people, french, make_user):
    from tests.conftest import api_token

    response = client.get(f"{API}/me", headers={"Accept-Language": "fr-CD,fr;q=0.9"})
    assert response.get_json()["error"]["message"] == french("Sign in first.")
    assert client.get(f"{API}/me").get_json()["error"]["message"] == "Sign in first."

    headers = api_token(client, people.volunteer.email)
    body = assistance_body(urgency="soon", person={"age": 200}, colour="blue")
    del body["needs"]
    error = client.post(f"{API}/cases", json=body, headers={**headers, "Accept-Language": "fr"}).get_json()["error"]
    assert error["message"] == french("Some fields are not valid.")
    assert error["fields"]["needs"] == [french("This field is required.")]
    assert error["fields"]["urgency"][0].startswith(french("Choose one of: {choices}.", choices="low, medium")[:-1])
    assert error["fields"]["person.age"] == [french("Enter a number from {min} to {max}.", min=0, max=130)]
    assert error["fields"]["colour"] == [french("Unknown field.")]
    english = client.post(f"{API}/cases", json=body, headers={**headers, "Accept-Language": "en"}).get_json()
    assert english["error"]["fields"]["person.age"] == ["Enter a number from 0 to 130."]

    # No Accept-Language: the user's own locale.
    french_user = make_user("volunteer", languages=["fr"], locale="fr")
    headers = api_token(client, french_user.email)
    error = client.get(f"{API}/cases/AR-2026-000001", headers=headers).get_json()["error"]
    assert error["message"] == french("Not found.")
    assert client.get(f"{API}/cases/AR-2026-000001", headers={**headers, "Accept-Language": "en"}
                      ).get_json()["error"]["message"] == "Not found."


def test_flask_smorest_aborts_answer_in_the_same_format(app, client):
    from flask_smorest import abort

    @app.route("/api/v1/_smorest_abort_for_test")
    def smorest_abort():
        abort(422, messages={"json": {"person": {"age": ["Too old."]}, "needs": {"0": ["Unknown."]}}})

    error = assert_error_shape(client.get("/api/v1/_smorest_abort_for_test"), 422)
    assert error["fields"] == {"person.age": ["Too old."], "needs.0": ["Unknown."]}
