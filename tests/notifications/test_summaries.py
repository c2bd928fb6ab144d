"""Weekly summaries: anonymous figures, each recipient once per week, in their
own language, with a working unsubscribe link."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import Case, Notification, WeeklySummary
from afr_aid.services.notifications import preferences, summaries
from afr_aid.services.notifications.summary_figures import protect
from afr_aid.tasks.summaries import send_weekly_summaries

from .conftest import assert_no_marker, file, parts_of, user, worker

ZONE = ZoneInfo("Africa/Lubumbashi")


def into_week(case, week: str, day: int = 1, hour: int = 10) -> Case:
    """Moves a case into a week, as if filed then (local time)."""
    monday, _ = summaries.parse_week(week)
    at = datetime(monday.year, monday.month, monday.day, hour, tzinfo=ZONE) + timedelta(days=day)
    shift = at.astimezone(timezone.utc) - case.created_at
    db.session.execute(update(Case).where(Case.id == case.id).values(
        created_at=case.created_at + shift, due_at=case.due_at + shift, updated_at=case.updated_at + shift))
    db.session.commit()
    return db.session.get(Case, case.id)


def fill(filer, week, counts: dict[str, int], **kw):
    return [into_week(file(filer, urgency="low", location=place, **kw), week)
            for place, n in counts.items() for _ in range(n)]


@pytest.mark.parametrize("counts,shown", [
    ({"a": 3, "b": 10, "c": 7}, {"a": "<5", "b": 10, "c": "<5"}),
    ({"a": 5, "b": 6, "c": 0}, {"a": 5, "b": 6}),
    # Two hidden cells summing to 2 can only be 1 and 1: hide one more.
    ({"a": 1, "b": 1, "c": 9, "d": 12}, {"a": "<5", "b": "<5", "c": "<5", "d": 12}),
    # Two hidden 4s summing to 8 can only be 4 and 4.
    ({"a": 4, "b": 4, "c": 9, "d": 12}, {"a": "<5", "b": "<5", "c": "<5", "d": 12}),
    # Nothing could stay shown: the breakdown is withheld.
    ({"a": 2}, None),
    ({"a": 1, "b": 1}, None),
    ({}, {}),
])
def test_no_hidden_cell_can_be_worked_back_out(counts, shown):
    assert protect(counts) == shown


@pytest.fixture
def week():
    return summaries.last_complete_week()


@pytest.fixture
def cast(live):
    vol = user("volunteer", "vol@tests.afr-aid.org", regions=["CD"])
    return {"vol": vol,
            "donor_en": user("donor", "donor.en@tests.afr-aid.org", languages=("en",)),
            "donor_fr": user("donor", "donor.fr@tests.afr-aid.org", languages=("fr",)),
            "coord_nk": user("coordinator", "coord.nk@tests.afr-aid.org", regions=["CD-NK"]),
            "coord_sk": user("coordinator", "coord.sk@tests.afr-aid.org", regions=["CD-SK"])}


def deliver(live, smtp, week, expected):
    with worker(live):
        report = summaries.send_week(week)
        smtp.wait_for(expected, timeout=40)
        time.sleep(1)  # a duplicate, if any, would arrive now
    return report


def test_donors_get_anonymous_masked_figures_in_their_own_language(live, smtp, cast, week):
    fill(cast["vol"], week, {"CD-NK-GOM": 7, "CD-SK-UVI": 2, "CD-IT-BUN": 6})
    fill(cast["vol"], week, {"CD-NK-GOM": 3}, consent_statistics=False)  # never counted
    report = deliver(live, smtp, week, 4)
    assert report["queued"] == 4 and not report["partial"]
    assert len(smtp.messages) == 4
    en, fr = smtp.to(cast["donor_en"].email), smtp.to(cast["donor_fr"].email)
    assert len(en) == len(fr) == 1
    monday, _ = summaries.parse_week(week)
    for message, locale in ((en[0], "en"), (fr[0], "fr")):
        text, html = parts_of(message)
        assert week in message["Subject"]
        assert format_date(monday, "long", locale=locale) in text  # the recipient's language
        with force_locale(locale):
            assert f"{gettext('New assistance requests')}: 15 /" in text  # 7 + 2 + 6, not the 3 without consent
        assert "North Kivu: 7" in text and "South Kivu: <5" in text and "Ituri: <5" in text
        assert "&lt;5" in html and "<td align=\"right\">15</td>" in html
        for place in ("Goma", "Uvira", "Bunia"):  # nothing below the province
            assert place not in text and place not in html
        assert "AR-" not in text  # donors never see a reference
        assert_no_marker(message)
    assert format_date(monday, "long", locale="fr") != format_date(monday, "long", locale="en")


def test_the_chart_is_inline_and_the_same_numbers_are_in_tables(live, smtp, cast, week):
    fill(cast["vol"], week, {"CD-NK-GOM": 6})
    deliver(live, smtp, week, 4)
    message = smtp.to(cast["donor_en"].email)[0]
    assert message.get_content_type() == "multipart/alternative"
    related = [p for p in message.walk() if p.get_content_type() == "multipart/related"]
    assert len(related) == 1
    image = next(p for p in message.walk() if p.get_content_type() == "image/png")
    cid = image["Content-ID"].strip("<>")
    assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    text, html = parts_of(message)
    assert f'src="cid:{cid}"' in html and "alt=" in html
    assert "North Kivu</td><td align=\"right\">6</td>" in html
    assert str(message["List-Unsubscribe"]).strip().startswith("<http://afr.test/notifications/unsubscribe/")


def due(cases, at):
    db.session.execute(update(Case).where(Case.id.in_([c.id for c in cases])).values(due_at=at))
    db.session.commit()


def test_coordinators_get_their_regions_with_overdue_references(live, smtp, cast, week):
    nk = fill(cast["vol"], week, {"CD-NK-GOM": 5})
    sk = fill(cast["vol"], week, {"CD-SK-UVI": 5})
    # The summary lists what is overdue when it is made: due an hour ago, or
    # due tomorrow, whatever the day and hour the test runs.
    late, on_time = nk[:3], nk[3:]
    due(late + sk, clock.now() - timedelta(hours=1))
    due(on_time, clock.now() + timedelta(days=1))
    deliver(live, smtp, week, 4)
    text, html = parts_of(smtp.to(cast["coord_nk"].email)[0])
    assert "North Kivu" in text and "South Kivu" not in text
    for case in late:
        assert case.ref in text and case.ref in html
    for case in on_time + sk:  # not overdue yet; another region's
        assert case.ref not in text and case.ref not in html
    assert_no_marker(smtp.to(cast["coord_nk"].email)[0])


def test_one_summary_per_recipient_and_week_even_when_sent_twice_at_once(live, smtp, cast, week):
    fill(cast["vol"], week, {"CD-NK-GOM": 5})
    db.session.commit()
    barrier, reports, errors = threading.Barrier(3), [], []

    def beat():
        with live.app_context():
            try:
                barrier.wait(timeout=10)
                reports.append(summaries.send_week(week))
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    with worker(live):
        threads = [threading.Thread(target=beat) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        send_weekly_summaries.delay()  # and the beat's own task, once more
        smtp.wait_for(4, timeout=40)
        time.sleep(2)
    assert not errors, errors
    assert sum(r["queued"] for r in reports) == 4
    assert sorted(m["To"] for m in smtp.messages) == sorted(
        u.email for k, u in cast.items() if k != "vol")
    assert db.session.scalar(select(func.count()).select_from(WeeklySummary)) == 3  # movement, NK, SK


def test_a_resend_reads_the_same_and_sends_nothing(live, smtp, cast, week):
    fill(cast["vol"], week, {"CD-NK-GOM": 5})
    deliver(live, smtp, week, 4)
    fill(cast["vol"], week, {"CD-NK-GOM": 9})  # late data changes nothing already sent
    assert summaries.send_week(week)["queued"] == 0
    from afr_aid.services.notifications.delivery import render

    note = db.session.scalar(select(Notification).where(Notification.user_id == cast["donor_en"].id))
    again = render(note).message()
    sent = smtp.to(cast["donor_en"].email)[0]
    assert again["Message-ID"] == sent["Message-ID"]
    text_again = next(p for p in again.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert parts_of(sent)[0].replace("\r\n", "\n") == text_again.decode().replace("\r\n", "\n")


def test_unsubscribing_needs_no_sign_in_and_stops_the_next_summary(live, smtp, cast, week):
    deliver(live, smtp, week, 4)
    text, _ = parts_of(smtp.to(cast["donor_fr"].email)[0])
    link = next(word for word in text.split() if "/notifications/unsubscribe/" in word)
    path = link.replace("http://afr.test", "")
    client = live.test_client()
    page = client.get(path)
    assert page.status_code == 200 and "<form" in page.get_data(as_text=True)
    assert preferences.mode_for(cast["donor_fr"], "summary") == "immediate"  # a GET changes nothing
    done = client.post(path)  # as a mail reader's one-click unsubscribe: no session, no CSRF token
    assert done.status_code == 200
    assert preferences.mode_for(cast["donor_fr"], "summary") == "off"
    assert client.get(path[:-3] + "xyz").status_code == 404
    next_week = summaries.week_of(summaries.parse_week(week)[0] + timedelta(days=7))
    report = summaries.send_week(next_week)
    keys = db.session.scalars(select(Notification.idempotency_key).where(
        Notification.idempotency_key.like(f"summary:{next_week}%"))).all()
    assert f"summary:{next_week}-partial:{cast['donor_fr'].id}" not in keys
    assert report["queued"] == 3


@pytest.mark.parametrize("moment", [
    datetime(2026, 12, 9, 10, tzinfo=ZONE),  # a Wednesday morning
    datetime(2026, 12, 7, 6, 59, tzinfo=ZONE),  # Monday, a minute before the beat's summary
    datetime(2027, 1, 3, 23, 58, tzinfo=ZONE),  # the last minutes of 2026-W53 (Sunday 3 January)
])
def test_the_command_sends_a_week_once_and_the_current_week_as_partial(live, cast, time_machine, moment):
    time_machine.move_to(moment, tick=False)
    week = summaries.last_complete_week()
    runner = live.test_cli_runner()
    dry = runner.invoke(args=["summaries", "send", "--week", week, "--dry-run"])
    assert dry.exit_code == 0 and "would queue 4" in dry.output
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert db.session.scalar(select(func.count()).select_from(WeeklySummary)) == 0
    first = runner.invoke(args=["summaries", "send", "--week", week])
    assert first.exit_code == 0 and "queued 4" in first.output and "complete" in first.output
    again = runner.invoke(args=["summaries", "send", "--week", week])
    assert "queued 0, 4 already had it" in again.output
    current = runner.invoke(args=["summaries", "send", "--week", summaries.current_week()])
    assert current.exit_code == 0 and "partial" in current.output and "queued 4" in current.output
    assert db.session.scalar(select(func.count()).select_from(WeeklySummary)
                             .where(WeeklySummary.partial.is_(True))) == 3
    for bad in ("2026-W60", "next week", summaries.week_of(clock.today(ZONE) + timedelta(days=14))):
        refused = runner.invoke(args=["summaries", "send", "--week", bad])
        assert refused.exit_code == 1, bad
