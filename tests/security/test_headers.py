"""Every answer carries the headers that keep a case off other origins, out of
frames and out of caches; behind HTTPS, the browser is told to stay on it."""
from __future__ import annotations

import pytest

from tests.conftest import _make_app, api_token, login


def _answers(app, make_user, file_case):
    volunteer = make_user("volunteer", regions=["CD-NK-GOM"])
    case = file_case(volunteer)
    client = app.test_client()
    anonymous = app.test_client().get("/login")
    missing = app.test_client().get("/no-such-page")
    login(client, volunteer.email)
    headers = api_token(app.test_client(), volunteer.email)
    return {
        "sign-in page": anonymous,
        "404 page": missing,
        "case page": client.get(f"/cases/{case.ref}"),
        "filing form": client.get("/cases/new/assistance"),
        "API case": app.test_client().get(f"/api/v1/cases/{case.ref}", headers=headers),
        "API list": app.test_client().get("/api/v1/cases", headers=headers),
        "API error": app.test_client().get("/api/v1/cases/AR-2000-000001", headers=headers),
        "export": client.get("/cases/export?format=csv"),
    }


def test_every_answer_forbids_inline_code_framing_sniffing_referrers_and_caching(app, make_user, file_case):
    for name, response in _answers(app, make_user, file_case).items():
        assert response.status_code in (200, 404), (name, response.status_code)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, name
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Referrer-Policy"] == "no-referrer", name
        assert response.headers["Cache-Control"] == "no-store", name
        assert "Strict-Transport-Security" not in response.headers, name  # plain HTTP: no HSTS promise


def test_the_stylesheet_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and response.headers.get("Cache-Control") != "no-store"


@pytest.fixture
def https_app(tmp_path, app):
    """The same database, served behind a TLS-terminating proxy (FORCE_HTTPS)."""
    return _make_app(tmp_path / "https-instance", app.config["SQLALCHEMY_DATABASE_URI"], FORCE_HTTPS="1")


def test_behind_https_hsts_is_sent_and_plain_http_is_sent_to_https(https_app):
    client = https_app.test_client()
    secure = client.get("/login", base_url="http://afr.test", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = client.get("/login", base_url="http://afr.test")  # the proxy saw plain HTTP
    assert plain.status_code == 301 and plain.location.startswith("https://")
