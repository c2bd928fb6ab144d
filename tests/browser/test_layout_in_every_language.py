"""The longest French or Kinyarwanda label must not break a 360 px wide page:
the filing forms, their errors and the case page, in every language, in a real
Chromium (Debian's; never a downloaded browser). A page that scrolls sideways
on a cheap phone is a broken page."""
from __future__ import annotations

import pytest

from afr_aid.extensions import db
from afr_aid.services.accounts.users import UI_LOCALES
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
WIDTH = 360


def _overflow(page) -> int:
    """How far the page reaches beyond the screen's width (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth") - WIDTH


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_filing_forms_errors_and_case_page_fit_a_phone(browser, server, make_user, file_case, locale):
    volunteer = make_user("volunteer", regions=["CD-NK-GOM"], locale=locale)
    case = file_case(volunteer, kind="incident", description="Seen by neighbours at night.")
    ref, email = case.ref, volunteer.email
    # Hold no transaction here: on SQLite it would hold the write lock the server needs.
    db.session.commit()
    db.session.close()
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    try:
        sign_in(page, server, email)
        assert page.locator("html").get_attribute("lang") == locale

        for url in ("/cases/new/assistance", "/cases/new/incident", f"/cases/{ref}", "/account"):
            page.goto(server + url)
            assert _overflow(page) <= 0, (locale, url, _overflow(page))

        # Sent empty: the error summary and the field messages must fit too.
        page.goto(server + "/cases/new/assistance")
        page.click("form button[type=submit].primary")
        page.wait_for_selector("ul.errors, [role=alert]")  # the server's answer, shown by offline.js
        assert page.locator(".errors, [role=alert]").count() > 0, locale
        assert _overflow(page) <= 0, (locale, "errors", _overflow(page))
    finally:
        context.close()


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_the_queue_and_the_paged_user_list_fit_a_phone(browser, server, make_user, file_case, locale):
    """Where staff spend their day: the coordinator's queue, and the admin's
    user list with its page links."""
    coordinator = make_user("coordinator", regions=["CD-NK"], locale=locale)
    admin = make_user("admin", locale=locale)
    filer = make_user("volunteer", regions=["CD-NK-GOM"])
    for urgency in ("critical", "high", "medium", "low"):
        file_case(filer, urgency=urgency, description="Family displaced twice this month.")
    for n in range(55):
        make_user("volunteer", name=f"Mukamana Uwimana Nyiramahoro {n:02d}")
    emails = coordinator.email, admin.email
    db.session.commit()
    db.session.close()
    # One phone each: coordinators can file, so the queue page starts the offline
    # scripts, whose background fetches would race a second sign-in on this phone.
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, device_scale_factor=1)
    try:
        page = context.new_page()
        sign_in(page, server, emails[0])
        page.goto(server + "/")
        assert page.locator("html").get_attribute("lang") == locale
        assert page.locator("li.case").count() == 4, locale  # every open case filed above
        assert _overflow(page) <= 0, (locale, "queue", _overflow(page))
    finally:
        context.close()
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, device_scale_factor=1)
    try:
        page = context.new_page()
        sign_in(page, server, emails[1])
        page.goto(server + "/admin/users")
        assert page.locator(".pager a.button").count() == 1, locale  # the next page's link
        assert _overflow(page) <= 0, (locale, "users", _overflow(page))
        page.click(".pager a.button")
        page.wait_for_load_state()
        assert _overflow(page) <= 0, (locale, "users page 2", _overflow(page))
    finally:
        context.close()
