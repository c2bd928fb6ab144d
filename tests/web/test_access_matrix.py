"""Route × role: what each role gets on every page, and what every page is made of."""
import re

import pytest

from tests.conftest import assert_no_inline_code, login

OK, AWAY, DENIED, HIDDEN = 200, 302, 403, 404
PAGES = ["/", "/cases", "/cases/new/assistance", "/cases/new/incident", "/cases/{ref}", "/dashboard", "/regions",
         "/admin/users", "/admin/users/new", "/admin/users/{uid}", "/admin/places", "/admin/audit"]
EXPECTED = {
    "volunteer": [OK, OK, OK, OK, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED],
    "coordinator": [OK, OK, OK, OK, OK, OK, OK, DENIED, DENIED, DENIED, DENIED, DENIED],
    "donor": [AWAY, DENIED, DENIED, DENIED, HIDDEN, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED],
    "admin": [OK] * 12,
    None: [AWAY] * 12,
}


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "donor", "admin", None])
def test_route_by_role(app, make_user, file_case, role):
    client = app.test_client()
    user = None
    if role:
        user = make_user(role, regions=["CD"] if role == "admin" else ())
        login(client, user.email)
    filer = user if role == "volunteer" else make_user("volunteer")
    ref = file_case(filer).ref
    for page, expected in zip(PAGES, EXPECTED[role]):
        url = page.format(ref=ref, uid=filer.id)
        response = client.get(url)
        assert response.status_code == expected, (role, url)
        if role is None:
            assert "/login" in response.location
        if response.status_code == OK:
            html = response.get_data(as_text=True)
            # The CSP forbids inline code, and nothing may come from another origin.
            assert_no_inline_code(html)
            assert not re.search(r'(src|href|action)="(https?:)?//', html), url
            assert len(html.encode()) < 50_000, url


def test_error_pages_are_pages_under_the_csp(client):
    response = client.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "Not found" in html and "<script" not in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
