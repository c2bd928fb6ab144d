"""Every route of the URL map × every kind of caller, from one table.

The test walks `app.url_map` itself: each rule, each of its methods, its URL
parameters filled with real objects (a case of North Kivu filed by the
volunteer, a case of South Kivu, a user, a region, a mail in the outbox...).
A route that the table does not classify fails the run, so a new route is
covered the day it is added: give it a row in ROUTES.

Callers: a volunteer and a coordinator of North Kivu, a donor, an admin, a
coordinator of another region (South Kivu), someone not signed in, and a
coordinator half signed in (the password given, not the code yet): nothing
that needs signing in opens for them (the sign-in page or the code step, 401
on the API); only the public routes and the code step answer. Pages
are reached through a signed-in session (the conftest `login` helper), the
API with a bearer token. POSTs carry a valid CSRF token and an empty form or
JSON object: what matters here is who gets in, and a caller let in then gets
a form or field error, never a server error.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.conftest import PASSWORD, api_token, csrf_from, login

OK, LOGIN, UNAUTH, DENIED, HIDDEN = "ok", "sign-in page", 401, 403, 404
CODE_STEP = "code step"  # a redirect to /login/code (the second step of signing in)
CALLERS = ("volunteer", "coordinator", "donor", "admin", "other_region", "anonymous", "half_signed_in")
SKIPPED_METHODS = {"HEAD", "OPTIONS"}  # answered by Flask for every rule


def row(volunteer, coordinator, donor, admin, other_region, anonymous, half_signed_in) -> dict:
    return dict(zip(CALLERS, (volunteer, coordinator, donor, admin, other_region, anonymous, half_signed_in)))


# Pages.
PUBLIC = row(OK, OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(OK, OK, OK, OK, OK, LOGIN, LOGIN)
CASE_WORKERS = row(OK, OK, DENIED, OK, OK, LOGIN, LOGIN)
MANAGERS = row(DENIED, OK, DENIED, OK, OK, LOGIN, LOGIN)
FIGURES = row(DENIED, OK, OK, OK, OK, LOGIN, LOGIN)
ADMINS = row(DENIED, DENIED, DENIED, OK, DENIED, LOGIN, LOGIN)
# One case: "near" is the volunteer's case in North Kivu, "far" one in South Kivu.
CASE_PAGE = {"near": row(OK, OK, HIDDEN, OK, HIDDEN, LOGIN, LOGIN),
             "far": row(HIDDEN, HIDDEN, HIDDEN, OK, OK, LOGIN, LOGIN)}
ERASE = {"near": row(DENIED, DENIED, HIDDEN, OK, HIDDEN, LOGIN, LOGIN),
         "far": row(HIDDEN, HIDDEN, HIDDEN, OK, DENIED, LOGIN, LOGIN)}
# The API.
API_PUBLIC = row(OK, OK, OK, OK, OK, OK, OK)
API_SIGNED_IN = row(OK, OK, OK, OK, OK, UNAUTH, UNAUTH)
API_CASE_WORKERS = row(OK, OK, DENIED, OK, OK, UNAUTH, UNAUTH)
API_FIGURES = row(DENIED, OK, OK, OK, OK, UNAUTH, UNAUTH)
API_CASE = {"near": row(OK, OK, HIDDEN, OK, HIDDEN, UNAUTH, UNAUTH),
            "far": row(HIDDEN, HIDDEN, HIDDEN, OK, OK, UNAUTH, UNAUTH)}
API_SUGGESTIONS = {"near": row(DENIED, OK, HIDDEN, OK, HIDDEN, UNAUTH, UNAUTH),
                   "far": row(HIDDEN, HIDDEN, HIDDEN, OK, OK, UNAUTH, UNAUTH)}

ROUTES = {
    ("static", "GET"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    # Signing out ends on the sign-in page (a GET asks first, when signed in).
    ("auth.logout", "GET"): SIGNED_IN,
    ("auth.logout", "POST"): row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    ("auth.set_locale", "POST"): PUBLIC,
    # Two-step sign-in: the code step and enrolling answer the half-signed-in (enrolling
    # sends an enrolled coordinator to the code step); someone signed in is sent on,
    # anyone else back to the sign-in page.
    ("auth.second_step", "GET"): row(OK, OK, OK, OK, OK, LOGIN, OK),
    ("auth.second_step", "POST"): row(OK, OK, OK, OK, OK, LOGIN, OK),
    ("auth.enrol", "GET"): row(OK, OK, OK, OK, OK, LOGIN, CODE_STEP),
    ("auth.enrol", "POST"): row(OK, OK, OK, OK, OK, LOGIN, CODE_STEP),
    ("auth.security", "GET"): SIGNED_IN,
    ("auth.account", "GET"): SIGNED_IN,
    ("auth.account", "POST"): SIGNED_IN,
    ("auth.security_setup", "GET"): SIGNED_IN,
    ("auth.security_setup", "POST"): SIGNED_IN,
    ("auth.renew_recovery_codes", "POST"): SIGNED_IN,
    ("auth.turn_off", "POST"): SIGNED_IN,
    ("cases.home", "GET"): SIGNED_IN,
    ("cases.list_cases", "GET"): CASE_WORKERS,
    ("cases.export_cases", "GET"): CASE_WORKERS,
    ("cases.new_case", "GET"): CASE_WORKERS,
    ("cases.new_case", "POST"): CASE_WORKERS,
    ("cases.detail", "GET"): CASE_PAGE,
    ("cases.add_note", "POST"): CASE_PAGE,
    ("cases.transition", "POST"): CASE_PAGE,
    ("cases.erase_identifiers", "POST"): ERASE,
    ("dashboard.index", "GET"): FIGURES,
    ("admin.regions", "GET"): MANAGERS,
    # Auto-routing of North Kivu: its coordinator and admins; South Kivu's coordinator may not.
    ("admin.set_auto_routing", "POST"): row(DENIED, OK, DENIED, OK, DENIED, LOGIN, LOGIN),
    ("admin.users", "GET"): ADMINS,
    ("admin.new_user", "GET"): ADMINS,
    ("admin.new_user", "POST"): ADMINS,
    ("admin.edit_user", "GET"): ADMINS,
    ("admin.edit_user", "POST"): ADMINS,
    ("admin.revoke_sessions", "POST"): ADMINS,
    ("admin.reset_two_factor", "POST"): ADMINS,
    ("admin.places", "GET"): ADMINS,
    ("admin.import_places", "POST"): ADMINS,
    ("admin.audit", "GET"): ADMINS,
    ("notifications.delivery", "GET"): ADMINS,
    ("notifications.outbox", "GET"): ADMINS,
    ("notifications.outbox_message", "GET"): ADMINS,
    ("notifications.summary_preview", "GET"): ADMINS,
    ("notifications.settings", "GET"): SIGNED_IN,
    ("notifications.settings", "POST"): SIGNED_IN,
    # The signed token in the link is the credential (mail readers follow it signed out).
    ("notifications.unsubscribe", "GET"): PUBLIC,
    ("notifications.unsubscribe", "POST"): PUBLIC,
    # The offline app shell: the worker script and manifest are public (no data);
    # the offline page, the fresh CSRF token and the open cases are for those who file.
    ("offline.service_worker", "GET"): PUBLIC,
    ("offline.manifest", "GET"): PUBLIC,
    ("offline.shell", "GET"): CASE_WORKERS,
    ("offline.token", "GET"): CASE_WORKERS,
    ("offline.mine", "GET"): CASE_WORKERS,
    ("api-docs.openapi_json", "GET"): API_PUBLIC,
    ("api_tokens.create_token", "POST"): API_PUBLIC,
    ("api_tokens.delete_token", "DELETE"): API_SIGNED_IN,
    ("api_meta.me", "GET"): API_SIGNED_IN,
    ("api_meta.locations", "GET"): API_SIGNED_IN,
    ("api_meta.figures", "GET"): API_FIGURES,
    ("api_cases.list_cases", "GET"): API_CASE_WORKERS,
    ("api_cases.file_case", "POST"): API_CASE_WORKERS,
    ("api_cases.export_cases", "GET"): API_CASE_WORKERS,
    ("api_cases.get_case", "GET"): API_CASE,
    ("api_workflow.events", "GET"): API_CASE,
    ("api_workflow.add_note", "POST"): API_CASE,
    ("api_workflow.transition", "POST"): API_CASE,
    ("api_workflow.suggestions", "GET"): API_SUGGESTIONS,
}
# Calls that end the caller's session or token: each gets a fresh one.
ENDS_SESSION = {("auth.logout", "GET"), ("auth.logout", "POST"), ("api_tokens.delete_token", "DELETE")}


def routes(app):
    return sorted((rule.endpoint, method, rule) for rule in app.url_map.iter_rules()
                  for method in rule.methods - SKIPPED_METHODS)


def test_every_route_is_classified(app):
    found = {(endpoint, method) for endpoint, method, _ in routes(app)}
    assert sorted(found - set(ROUTES)) == [], "new route not classified: add it to ROUTES"
    assert sorted(set(ROUTES) - found) == [], "ROUTES names a route that no longer exists"


@pytest.fixture
def world(app, make_user, file_case):
    from pathlib import Path

    from afr_aid.services.notifications import preferences

    volunteer = make_user("volunteer", regions=["CD-NK"])
    people = SimpleNamespace(
        volunteer=volunteer, coordinator=make_user("coordinator", regions=["CD-NK"]), donor=make_user("donor"),
        admin=make_user("admin", regions=["CD"]), other_region=make_user("coordinator", regions=["CD-SK"]),
        half_signed_in=make_user("coordinator", regions=["CD-NK"]))
    cases = {"near": file_case(volunteer, location="CD-NK-GOM"),
             "far": file_case(make_user("volunteer", regions=["CD-SK"]), location="CD-SK-UVI")}
    mail = Path(app.config["MAIL_DIR"])
    mail.mkdir(parents=True, exist_ok=True)
    (mail / "20260105-0700-test.eml").write_text("Subject: Test\nTo: a@afr.test\n\nHello\n")
    values = {"user_id": volunteer.id, "code": "CD-NK", "action": "accept", "kind": "assistance",
              "name": "20260105-0700-test.eml", "token": preferences.unsubscribe_token(volunteer),
              "filename": "css/app.css"}
    return SimpleNamespace(people=people, cases=cases, values=values)


class Caller:
    """A signed-in session and a bearer token (or neither), renewed on demand.
    Half signed in: the password step only, no token."""

    def __init__(self, app, user, half_signed_in=False):
        self.app, self.user, self.half_signed_in = app, user, half_signed_in
        self.renew()

    def renew(self):
        self.client = self.app.test_client()
        self.token, self._csrf = None, None
        if self.half_signed_in:
            response = password_step(self.client, self.user.email)
            assert response.status_code == 302 and response.location.endswith("/login/code")
        elif self.user is not None:
            login(self.client, self.user.email)  # the conftest helper completes every step of signing in
            self.token = api_token(self.app.test_client(), self.user.email)

    @property
    def csrf(self) -> str:
        if self._csrf is None:
            page = "/login/code" if self.half_signed_in else \
                "/notifications/preferences" if self.user is not None else "/login"
            self._csrf = csrf_from(self.client.get(page).get_data(as_text=True))
        return self._csrf

    def call(self, method: str, url: str):
        if url.startswith("/api/"):
            return self.client.open(url, method=method, headers=self.token or {},
                                    json={} if method in ("POST", "PUT", "PATCH") else None)
        data = {"csrf_token": self.csrf} if method != "GET" else None
        return self.client.open(url, method=method, data=data)


def password_step(client, email):
    """The first step of signing in only: the password, not the code."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})


def outcome(response):
    if response.status_code in (301, 302, 303) and \
            (response.location or "").partition("?")[0].endswith("/login/code"):
        return CODE_STEP
    if response.status_code in (301, 302, 303) and "/login" in (response.location or ""):
        return LOGIN
    if response.status_code in (UNAUTH, DENIED, HIDDEN):
        return response.status_code
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return OK


@pytest.mark.parametrize("who", CALLERS)
def test_every_route_for_every_caller(app, world, who):
    if who == "half_signed_in":
        caller = Caller(app, world.people.half_signed_in, half_signed_in=True)
    else:
        caller = Caller(app, getattr(world.people, who, None))
    adapter = app.url_map.bind("afr.test")
    got, expected = {}, {}
    for endpoint, method, rule in routes(app):
        entry = ROUTES.get((endpoint, method))
        assert entry is not None, f"new route not classified: {endpoint} {method} {rule}"
        variants = entry.items() if "ref" in rule.arguments else [(None, entry)]
        for variant, answers in variants:
            values = {name: world.values.get(name) for name in rule.arguments}
            if variant:
                values["ref"] = world.cases[variant].ref
            url = adapter.build(endpoint, values, method=method)
            if (endpoint, method) in ENDS_SESSION:
                caller.renew()
            key = f"{method} {rule}" + (f" ({variant} case)" if variant else "")
            got[key], expected[key] = outcome(caller.call(method, url)), answers[who]
            if (endpoint, method) in ENDS_SESSION:
                caller.renew()
    assert got == expected
