"""Throttling of sign-in (Flask-Limiter): failed attempts per account and per
address answer 429 with Retry-After, on the pages and the API; ordinary use
is never throttled; with Redis the counts are shared by every process."""
import os
import uuid

import pytest

from afr_aid.extensions import db, limiter
from afr_aid.infra.throttle import account_digest
from tests.conftest import PASSWORD, _make_app, csrf_from, otp_for

TOKENS = "/api/v1/tokens"


def web_attempt(client, email, password="wrong-password-x", environ=None):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base=environ or {})


def test_the_sign_in_page_throttles_one_account(client, make_user):
    user = make_user("volunteer")
    for n in range(10):  # from ten addresses: only the account is the same
        assert web_attempt(client, user.email, environ={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code == 200
    response = web_attempt(client, user.email.upper(), environ={"REMOTE_ADDR": "10.0.1.1"})
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Too many requests. Wait a moment and try again." in response.get_data(as_text=True)
    other = make_user("volunteer")  # another account from the same address is not held up
    assert web_attempt(client, other.email, PASSWORD, environ={"REMOTE_ADDR": "10.0.1.1"}).status_code == 302


def test_the_throttle_page_is_translated(client, make_user):
    user = make_user("volunteer")
    for _ in range(10):
        web_attempt(client, user.email)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": "x", "csrf_token": token},
                           headers={"Accept-Language": "fr"})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html and "Too many requests" not in html


def test_the_sign_in_page_throttles_one_address(client):
    for n in range(120):  # SIGN_IN_LIMIT_PER_ADDRESS: 120 failures a minute
        assert web_attempt(client, f"nobody{n}@tests.afr-aid.org").status_code == 200
    response = web_attempt(client, "someone-else@tests.afr-aid.org")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    # Another address still gets through.
    assert web_attempt(client, "x@tests.afr-aid.org", environ={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200


def test_failed_sign_ins_at_a_shared_address_do_not_hold_up_good_ones(app, client, make_user):
    """A field office: many people behind one address, some of them mistyping."""
    for n in range(30):
        assert web_attempt(client, f"nobody{n}@tests.afr-aid.org").status_code == 200
    people = [make_user("volunteer") for _ in range(4)]
    for n in range(20):
        response = web_attempt(app.test_client(), people[n % 4].email, PASSWORD)
        assert response.status_code == 302 and response.location.endswith("/"), n


def test_wrong_codes_and_wrong_passwords_share_one_count_per_account(client, make_user):
    coordinator = make_user("coordinator")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD, "csrf_token": token})
    for _ in range(4):  # four wrong codes on the page ...
        token = csrf_from(client.get("/login/code").get_data(as_text=True))
        assert client.post("/login/code", data={"code": "00000a", "csrf_token": token}).status_code == 200
    for _ in range(6):  # ... and six wrong passwords through the API (the account locks on the way)
        response = client.post(TOKENS, json={"email": coordinator.email, "password": "wrong-password-x"})
        assert response.status_code == 401
    response = client.post(TOKENS, json={"email": coordinator.email, "password": PASSWORD,
                                         "otp": otp_for(coordinator.email)})
    assert response.status_code == 429


def test_the_api_throttles_failed_sign_ins_with_the_json_error_shape(client, make_user):
    user = make_user("volunteer")
    for _ in range(10):
        assert client.post(TOKENS, json={"email": user.email, "password": "wrong-password-x"}).status_code == 401
    response = client.post(TOKENS, json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    error = response.get_json()["error"]
    assert error["code"] == "too_many_requests" and error["message"] and error["fields"] == {}
    french = client.post(TOKENS, json={"email": user.email, "password": PASSWORD},
                         headers={"Accept-Language": "fr"}).get_json()["error"]["message"]
    assert french != error["message"]


def test_ordinary_use_is_never_throttled(client, make_user):
    """docs/domain.md: at least 20 token requests a minute per address pass."""
    people = [make_user("volunteer") for _ in range(3)]
    for n in range(40):
        response = client.post(TOKENS, json={"email": people[n % 3].email, "password": PASSWORD})
        assert response.status_code == 201, n


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_store():
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is not reachable: {error}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable")
    # An account nobody else uses: other test runs may share this Redis database.
    email = f"redis-{uuid.uuid4().hex[:12]}@tests.afr-aid.org"
    yield connection, email
    for key in connection.scan_iter(f"*{account_digest(email)}*"):
        connection.delete(key)
    connection.close()


def test_with_redis_every_process_shares_the_counts(app, make_user, tmp_path, redis_store):
    connection, email = redis_store
    make_user("volunteer", email=email)
    db.session.commit()  # SQLite: the other apps' sessions need the write lock
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {"RATELIMIT_STORAGE_URI": REDIS_URL}

    first = _make_app(tmp_path / "worker1", url, **env)
    assert limiter.storage.__class__.__name__ == "RedisStorage"
    with first.app_context():
        client = first.test_client()
        for _ in range(6):
            assert client.post(TOKENS, json={"email": email, "password": "wrong-password-x"}).status_code == 401
        db.session.remove()
        db.engine.dispose()
    keys = list(connection.scan_iter(f"*{account_digest(email)}*"))
    assert keys  # counted in Redis, under a hashed key: no email in the store
    assert not any(email.encode() in key for key in connection.scan_iter("*"))

    second = _make_app(tmp_path / "worker2", url, **env)  # another process: a new connection
    with second.app_context():
        client = second.test_client()
        for _ in range(4):
            assert client.post(TOKENS, json={"email": email, "password": "wrong-password-x"}).status_code == 401
        response = client.post(TOKENS, json={"email": email, "password": PASSWORD})
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
        db.session.remove()
        db.engine.dispose()
