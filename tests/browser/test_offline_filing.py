"""Filing without a connection, in Debian's Chromium at 360x740 as on a cheap
phone: a case typed offline is kept on the phone (encrypted with the
volunteer's PIN), survives a reload, is sent once the network returns, and
arrives exactly once and exactly as typed. Signing out erases the queue."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from afr_aid.extensions import db
from afr_aid.models import Case
from tests.browser.conftest import SHOTS, sign_in
from tests.conftest import api_token

pytestmark = pytest.mark.browser
PIN = "2468"
ASSISTANCE = {"location": "CD-NK-MAS", "place": "Kitchanga, near the market", "person_name": "Uwase Marie-Claire",
              "person_age": "34", "person_phone": "+243990001111", "person_household_size": "6",
              "description": "Family of six displaced from Kitchanga; no food since Monday."}
INCIDENT = {"location": "CD-NK-RUT", "place": "Kiwanja", "occurred_on": "2026-11-30", "occurred_time": "05:30",
            "perpetrator_detail": "Armed men in civilian clothes", "victims_abducted": "2", "victims_injured": "1",
            "reporter_name": "Habimana Jean", "reporter_phone": "+243970002222",
            "description": "Two young men taken at dawn from their homes."}


def shell_ready(page):
    """The service worker is active and the forms are in its cache (a page
    opened before the worker was active is not controlled by it: reload)."""
    page.wait_for_function("() => navigator.serviceWorker.getRegistration().then(r => !!(r && r.active))",
                           timeout=15000)
    if page.evaluate("() => navigator.serviceWorker.controller === null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.wait_for_function("() => localStorage.getItem('afr-shell') !== null", timeout=15000)
    page.wait_for_function("() => caches.open('afr-shell').then(c => c.keys()).then(k => k.length >= 3)",
                           timeout=15000)


def fill_assistance(page):
    for name, value in ASSISTANCE.items():
        page.locator(f"[name={name}]").fill(value) if name != "location" else \
            page.select_option("select[name=location]", value)
    page.select_option("select[name=person_sex]", "female")
    for name in ("consent_record", "consent_share", "consent_statistics"):
        page.check(f"input[name={name}]")
    page.check("input[name=needs][value=food]")
    page.check("input[name=needs][value=shelter]")
    page.check("input[name=vulnerabilities][value=single_headed_household]")
    page.check("input[name=urgency][value=high]")


def fill_incident(page):
    for name, value in INCIDENT.items():
        page.locator(f"[name={name}]").fill(value) if name != "location" else \
            page.select_option("select[name=location]", value)
    page.check("input[name=types][value=abduction]")
    page.select_option("select[name=perpetrator]", "armed_group")
    page.select_option("select[name=severity]", "4")
    page.select_option("select[name=source]", "witness")
    page.select_option("select[name=reliability]", "probable")
    page.check("input[name=consent_record]")
    page.check("input[name=consent_statistics]")
    page.check("input[name=urgency][value=critical]")


def give_pin(page, first=False):
    page.wait_for_selector("form.pin")
    page.fill("#afr-pin", PIN)
    if first:
        page.fill("#afr-pin-again", PIN)
    page.click("form.pin button[type=submit]")


def waiting_count(page) -> str:
    return page.locator("#afr-queue .waiting h2").inner_text()


def test_a_case_filed_offline_arrives_once_and_as_typed(browser, server, make_user, client, shots):
    volunteer = make_user("volunteer", regions=["CD-NK"])
    coordinator = make_user("coordinator", regions=["CD-NK"])  # sees every field of an incident
    email, reader = volunteer.email, coordinator.email
    db.session.commit()
    db.session.close()
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    try:
        sign_in(page, server, email)
        # Online: the form files at once and opens the case.
        page.goto(server + "/cases/new/assistance")
        fill_assistance(page)
        page.click("form.case-form button[type=submit].primary")
        page.wait_for_url("**/cases/AR-*")
        shell_ready(page)

        context.set_offline(True)
        page.goto(server + "/cases/new/assistance")  # from the service worker's cache
        fill_assistance(page)
        page.click("form.case-form button[type=submit].primary")
        give_pin(page, first=True)
        page.wait_for_selector("#afr-queue .waiting")
        assert waiting_count(page) == "Waiting to send: 1"
        assert page.locator("input[name=person_name]").input_value() == ""  # ready for the next case

        page.goto(server + "/cases/new/incident")
        fill_incident(page)
        page.click("form.case-form button[type=submit].primary")
        give_pin(page)
        page.wait_for_selector("#afr-queue .waiting h2:has-text('Waiting to send: 2')")

        page.reload()  # still offline: the queue is on the phone, not in the page
        page.wait_for_selector("#afr-queue .waiting")
        assert waiting_count(page) == "Waiting to send: 2"
        page.screenshot(path=str(shots / "offline-waiting-en-360.png"), full_page=True)
        stored = page.evaluate("""new Promise(done => { const r = indexedDB.open('afr-offline');
            r.onsuccess = () => { const t = r.result.transaction('records').objectStore('records').getAll();
              t.onsuccess = () => done(JSON.stringify(t.result, (k, v) => v instanceof Uint8Array ?
                Array.from(v) : v)); }; })""")
        for secret in ("Uwase", "Habimana", "+243990001111", "Kitchanga", "dawn"):
            assert secret not in stored, secret  # encrypted at rest

        context.set_offline(False)
        page.click("#afr-queue .waiting button")  # "Send now" (asks the PIN after the reload)
        give_pin(page)
        page.wait_for_selector("#afr-queue .flash.success")
        assert "Sent: AR-" in page.locator("#afr-queue .flash.success").inner_text()
        assert page.locator("#afr-queue .waiting").count() == 0
    finally:
        context.close()

    assert db.session.scalar(select(func.count()).select_from(Case)) == 3
    headers = api_token(client, reader)
    items = client.get("/api/v1/cases?limit=10", headers=headers).get_json()["items"]
    kinds = sorted(item["kind"] for item in items)
    assert kinds == ["assistance", "assistance", "incident"]
    incident = client.get(f"/api/v1/cases/{next(i['ref'] for i in items if i['kind'] == 'incident')}",
                          headers=headers).get_json()
    assert incident["location"]["code"] == "CD-NK-RUT" and incident["place"] == "Kiwanja"
    assert incident["occurred_on"] == "2026-11-30" and incident["occurred_time"].startswith("05:30")
    assert incident["types"] == ["abduction"] and incident["perpetrator"] == "armed_group"
    assert incident["perpetrator_detail"] == INCIDENT["perpetrator_detail"] and incident["severity"] == 4
    assert incident["victims"] == {"killed": None, "injured": 1, "abducted": 2, "arrested": None,
                                   "displaced_households": None}
    assert (incident["source"], incident["reliability"], incident["urgency"]) == ("witness", "probable", "critical")
    assert incident["reporter"] == {"name": INCIDENT["reporter_name"], "phone": INCIDENT["reporter_phone"]}
    assert incident["description"] == INCIDENT["description"]
    assert incident["consent"] == {"record": True, "share": False, "statistics": True}
    assistances = [client.get(f"/api/v1/cases/{i['ref']}", headers=headers).get_json()
                   for i in items if i["kind"] == "assistance"]
    for case in assistances:  # the one filed online and the one filed offline: the same typed values
        assert case["location"]["code"] == "CD-NK-MAS" and case["place"] == ASSISTANCE["place"]
        assert case["person"]["name"] == ASSISTANCE["person_name"] and case["person"]["sex"] == "female"
        assert case["person"]["age"] == 34 and case["person"]["phone"] == ASSISTANCE["person_phone"]
        assert case["person"]["household_size"] == 6
        assert sorted(case["needs"]) == ["food", "shelter"]
        assert case["vulnerabilities"] == ["single_headed_household"]
        assert case["urgency"] == "high" and case["description"] == ASSISTANCE["description"]
        assert case["consent"] == {"record": True, "share": True, "statistics": True}


def test_signing_out_erases_what_the_phone_kept(browser, server, make_user):
    volunteer = make_user("volunteer", regions=["CD-NK"])
    email = volunteer.email
    db.session.commit()
    db.session.close()
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        sign_in(page, server, email)
        page.goto(server + "/cases/new/assistance")
        shell_ready(page)
        context.set_offline(True)
        page.goto(server + "/cases/new/assistance")
        fill_assistance(page)
        page.click("form.case-form button[type=submit].primary")
        give_pin(page, first=True)
        page.wait_for_selector("#afr-queue .waiting")
        page.reload()  # the key leaves with the page: what is kept needs the PIN again
        context.set_offline(False)
        page.goto(server + "/cases/new/incident")  # online again, the PIN not given: nothing sent
        page.wait_for_selector("#afr-queue .waiting")
        page.once("dialog", lambda dialog: dialog.accept())  # "1 case kept on this phone ... Sign out anyway?"
        page.click("form.out button[type=submit]")
        page.wait_for_url("**/login")
        left = page.evaluate("""new Promise(done => { const r = indexedDB.open('afr-offline');
            r.onsuccess = () => { const db = r.result; if (!db.objectStoreNames.contains('records')) return done(0);
              const t = db.transaction('records').objectStore('records').count(); t.onsuccess = () => done(t.result); };
            r.onerror = () => done(-1); })""")
        assert left == 0
        assert page.evaluate("caches.keys()") == []
    finally:
        context.close()
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_an_action_taken_offline_on_a_case_that_moved_on_is_a_conflict_not_forced(
        browser, server, make_user, file_case):
    from afr_aid.models import CaseEvent
    from afr_aid.services.cases import workflow

    volunteer = make_user("volunteer", regions=["CD-NK"])
    other = make_user("volunteer", regions=["CD-NK"])
    coordinator = make_user("coordinator", regions=["CD-NK"])
    case = file_case(volunteer, location="CD-NK-GOM")  # hers: she keeps seeing it, assigned or not
    workflow.transition(coordinator, case, "assign", {"assignee": volunteer.email})
    email, ref, case_id = volunteer.email, case.ref, case.id
    other_id, other_email, other_name, coordinator_id = other.id, other.email, other.name, coordinator.id
    db.session.commit()
    db.session.close()
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        sign_in(page, server, email)
        page.click("#afr-queue button:has-text('Keep my open cases')")
        give_pin(page, first=True)
        page.wait_for_selector("#afr-queue .flash.success")
        shell_ready(page)

        # Meanwhile, the coordinator gives the case to someone else.
        from afr_aid.models import Case, User

        workflow.transition(db.session.get(User, coordinator_id), db.session.get(Case, case_id), "assign",
                            {"assignee": other_email})
        db.session.commit()
        db.session.close()

        context.set_offline(True)
        page.goto(server + "/offline")
        give_pin(page)
        page.wait_for_selector(f"#afr-mine li[data-ref='{ref}']")
        page.click(f"#afr-mine li[data-ref='{ref}'] button[data-action=accept]")
        page.wait_for_selector("#afr-queue .waiting")
        page.fill(f"#afr-mine li[data-ref='{ref}'] textarea", "Met the family at the school; they wait for us.")
        page.click(f"#afr-mine li[data-ref='{ref}'] button:has-text('Add note')")
        page.wait_for_selector("#afr-queue .waiting h2:has-text('Waiting to send: 2')")
        page.screenshot(path=str(SHOTS / "offline-my-cases-en-360.png"), full_page=True)

        context.set_offline(False)  # the page still holds the key: sent at once
        page.wait_for_selector("#afr-queue .conflicts")
        conflict = page.locator("#afr-queue .conflicts").inner_text()
        assert "You: Accept (the case was Assigned)" in conflict
        assert "Now: Assigned, assigned to" in conflict and other_name in conflict
        page.screenshot(path=str(SHOTS / "offline-conflict-en-360.png"), full_page=True)
        assert page.locator("#afr-queue .waiting").count() == 0  # the note went; the action did not
    finally:
        context.close()
    db.session.expire_all()
    stored = db.session.get(Case, case_id)
    assert stored.status == "assigned" and stored.assignee_id == other_id  # never forced through
    actions = [e.action for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                                    .order_by(CaseEvent.id))]
    assert actions == ["create", "assign", "assign", "note"]  # the offline note appended, no accept


@pytest.mark.parametrize("locale", ["rw", "sw", "fr", "en", "ln"])
def test_the_offline_pages_fit_a_phone_in_every_language(browser, server, make_user, file_case, locale):
    """The waiting list, the PIN form, the offline page with the volunteer's
    cases and a conflict, at 360 px, in each language; screenshots kept."""
    volunteer = make_user("volunteer", regions=["CD-NK"], locale=locale)
    file_case(volunteer, location="CD-NK-GOM")
    email = volunteer.email
    db.session.commit()
    db.session.close()
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        sign_in(page, server, email)
        assert page.locator("html").get_attribute("lang") == locale
        page.click("#afr-queue button.wide")  # keep my open cases on this phone
        page.wait_for_selector("form.pin")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, (locale, "PIN")
        page.screenshot(path=str(SHOTS / f"offline-pin-{locale}-360.png"), full_page=True)
        give_pin(page, first=True)
        page.wait_for_selector("#afr-queue .flash.success")
        shell_ready(page)
        context.set_offline(True)
        page.goto(server + "/cases/new/incident")
        page.click("form.case-form button[type=submit].primary")  # sent empty: kept as typed
        give_pin(page)
        page.wait_for_selector("#afr-queue .waiting")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, (locale, "waiting")
        page.screenshot(path=str(SHOTS / f"offline-waiting-{locale}-360.png"), full_page=True)
        page.goto(server + "/offline")
        give_pin(page)
        page.wait_for_selector("#afr-mine li.case")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, (locale, "offline page")
        page.screenshot(path=str(SHOTS / f"offline-page-{locale}-360.png"), full_page=True)
        context.set_offline(False)  # sent at once (the page holds the key); the empty case comes back to fix
        page.wait_for_selector("#afr-queue .drafts")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, (locale, "drafts")
        page.click("#afr-queue .drafts a")
        give_pin(page)
        page.wait_for_selector("form.case-form .flash.error.from-server")
        assert page.locator("ul.errors.from-server").count() >= 2  # each field the server refused is marked
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, (locale, "draft to fix")
        page.screenshot(path=str(SHOTS / f"offline-draft-{locale}-360.png"), full_page=True)
    finally:
        context.close()


def test_the_first_load_of_a_filing_form_is_light(app, client, make_user):
    """What a first visit to a filing form downloads (the page, its stylesheet,
    the offline scripts it imports, the manifest and icon), uncompressed: the
    app shell's budget is 60 KB. Later visits come from the service worker."""
    import re
    from pathlib import Path

    from tests.conftest import login

    login(client, make_user("volunteer", regions=["CD-NK"]).email)
    html = client.get("/cases/new/assistance").get_data()
    static = Path(app.static_folder)
    assets = ["css/app.css", "js/offline.js", "js/offline-store.js", "vendor/idb-keyval-6.3.0/index.js",
              "manifest.webmanifest", "icons/icon-192.png"]
    for asset in assets[:2]:  # what the page itself names
        assert f"/static/{asset}".encode() in html, asset
    assert re.search(rb'from "\./offline-store\.js"', (static / "js/offline.js").read_bytes())
    sizes = {"page": len(html), **{asset: (static / asset).stat().st_size for asset in assets}}
    print("first load, bytes:", sizes, "total", sum(sizes.values()))
    assert sum(sizes.values()) < 60_000, sizes
