"""Helpers for the page tests: sign in, read a page's CSRF token, post a form."""
from __future__ import annotations

import re
import uuid

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_from, login

__all__ = ["PASSWORD", "count_cases", "field_value", "signed_in"]


class FreshGlobalsClient(FlaskClient):
    """Each request starts with an empty `g`, as in production.

    The shared `app` fixture keeps one app context open for the whole test, and
    Flask reuses it for every test-client request, so `g` would carry the
    signed-in user (Flask-Login), the CSRF token (Flask-WTF) and the locale
    (Flask-Babel) of one request, or one client, into the next."""

    def open(self, *args, **kwargs):
        vars(g._get_current_object()).clear()
        return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def _fresh_context_per_request(app):
    app.test_client_class = FreshGlobalsClient
    yield


@pytest.fixture
def signed_in(app, make_user):
    """signed_in(role, **make_user kwargs) -> (test client signed in, user)."""

    def factory(role="volunteer", **kwargs):
        user = make_user(role, **kwargs)
        client = app.test_client()
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client, user

    return factory


@pytest.fixture
def post(app):
    """post(client, url, data, page=url-to-read-the-token-from) with a valid CSRF token."""

    def send(client, url, data=None, page="/", **kwargs):
        token = csrf_from(client.get(page).get_data(as_text=True))
        return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)

    return send


def count_cases() -> int:
    from afr_aid.extensions import db
    from afr_aid.models import Case

    return db.session.scalar(select(func.count()).select_from(Case))


def field_value(html: str, name: str) -> str | None:
    """The value an <input name=...> carries in the page."""
    match = re.search(r'<input[^>]*name="%s"[^>]*>' % re.escape(name), html)
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def new_uuid() -> str:
    return str(uuid.uuid4())
