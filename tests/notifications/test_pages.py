"""Admin pages of the notification machinery: admins only, a 403 for anyone
else, and no inline script or style (the CSP forbids them)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from afr_aid.extensions import db
from afr_aid.models import Notification
from afr_aid.services.notifications import delivery, summaries
from tests.conftest import assert_no_inline_code, login

from .conftest import MARKERS, file, user

ADMIN_PAGES = ["/admin/notifications", "/admin/notifications?status=failed&kind=critical",
               "/admin/mail", "/admin/summaries", "/admin/summaries?week=2026-W47&scope=movement"]


@pytest.fixture
def signed_in(app):
    def factory(role, **kw):
        person = user(role, f"{role}@tests.afr-aid.org", **kw)
        client = app.test_client()
        assert login(client, person.email).status_code == 302
        return client

    return factory


def assert_clean(html: str) -> None:
    assert_no_inline_code(html)
    for marker in MARKERS.values():
        assert marker not in html


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("role", ["volunteer", "coordinator", "donor"])
def test_only_admins_see_the_notification_pages(signed_in, role, path):
    assert signed_in(role).get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES + ["/admin/mail/20260101-x.eml"])
def test_the_notification_pages_need_a_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_delivery_log_shows_status_attempts_and_errors(app, signed_in):
    admin = signed_in("admin")
    coord = user("coordinator", "coord@tests.afr-aid.org", regions=["CD-NK"])
    vol = user("volunteer", "vol@tests.afr-aid.org", regions=["CD-NK-GOM"])
    case = file(vol, urgency="critical")
    db.session.execute(update(Notification).values(status="failed", attempts=8,
                                                   last_error="SMTPRecipientsRefused: 550 mailbox unavailable"))
    db.session.commit()
    page = admin.get("/admin/notifications")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert case.ref in html and coord.email in html and "550 mailbox unavailable" in html
    assert "attempts: 8" in html and "Failed" in html
    assert_clean(html)
    assert coord.email not in admin.get("/admin/notifications?status=sent").get_data(as_text=True)
    assert case.ref in admin.get(f"/admin/notifications?ref={case.ref.lower()}").get_data(as_text=True)


def test_mail_written_to_files_is_listed_and_readable(app, signed_in):
    admin = signed_in("admin")
    coord = user("coordinator", "coord@tests.afr-aid.org", regions=["CD-NK"])
    case = file(user("volunteer", "vol@tests.afr-aid.org", regions=["CD-NK-GOM"]), urgency="critical")
    note_id = db.session.scalar(select(Notification.id).where(Notification.user_id == coord.id))
    assert delivery.deliver(note_id) == "sent"  # no MAIL_SERVER here: written to instance/mail/
    listing = admin.get("/admin/mail").get_data(as_text=True)
    assert case.ref in listing and coord.email in listing
    assert_clean(listing)
    name = listing.split('/admin/mail/')[1].split('"')[0]
    message = admin.get(f"/admin/mail/{name}")
    html = message.get_data(as_text=True)
    assert message.status_code == 200 and case.ref in html and "text/html" in html and "North Kivu" in html
    assert_clean(html)
    for bad in ("../secret_key", "nothing.eml", "%2e%2e%2fsecret_key"):
        assert admin.get(f"/admin/mail/{bad}").status_code == 404


def test_the_summary_preview_shows_the_figures_and_the_chart(app, signed_in):
    admin = signed_in("admin")
    user("donor", "donor@tests.afr-aid.org")
    vol = user("volunteer", "vol@tests.afr-aid.org", regions=["CD-NK-GOM"])
    for _ in range(6):
        file(vol, urgency="low")
    week = summaries.current_week()
    page = admin.get(f"/admin/summaries?week={week}&scope=movement")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "North Kivu" in html and 'src="data:image/png;base64,' in html
    assert "not kept" in html  # a preview never freezes a week's figures
    assert_clean(html)
    assert db.session.scalar(select(Notification.id).where(Notification.kind == "summary")) is None
    bad = admin.get("/admin/summaries?week=2026-W99&scope=movement")
    assert bad.status_code == 200 and "YYYY-Www" in bad.get_data(as_text=True)
