"""The moments where afr_aid's calendar turns over, set on the clock rather
than waited for: the Monday summary and the 06:30 digest in SUMMARY_TIMEZONE,
the last minute of a week, ISO week 2026-W53, a leap day, a month's end, and
the hours when Lubumbashi's date is not UTC's. `make test-clock` runs the rest
of the suite at these instants too (libfaketime)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from afr_aid import clock
from afr_aid.celery_app import BEAT_SCHEDULE
from afr_aid.errors import Invalid
from afr_aid.services.cases import records as cases_service
from afr_aid.services.notifications import digest, summaries

from ..conftest import FIELD_ZONE, incident_data

ZONE = ZoneInfo(FIELD_ZONE)
UTC = timezone.utc

# moment (in Lubumbashi), the week it is in, the last complete week, today there
TURNOVERS = [
    pytest.param(datetime(2026, 12, 7, 6, 59, tzinfo=ZONE), "2026-W50", "2026-W49", date(2026, 12, 7),
                 id="monday-before-the-summary"),
    pytest.param(datetime(2026, 12, 13, 23, 59, tzinfo=ZONE), "2026-W50", "2026-W49", date(2026, 12, 13),
                 id="sunday-a-minute-before-midnight"),
    pytest.param(datetime(2026, 12, 14, 0, 0, 30, tzinfo=ZONE), "2026-W51", "2026-W50", date(2026, 12, 14),
                 id="monday-just-after-midnight"),
    pytest.param(datetime(2026, 12, 31, 23, 30, tzinfo=ZONE), "2026-W53", "2026-W52", date(2026, 12, 31),
                 id="new-years-eve-in-w53"),
    pytest.param(datetime(2027, 1, 3, 23, 59, tzinfo=ZONE), "2026-W53", "2026-W52", date(2027, 1, 3),
                 id="last-minute-of-w53"),
    pytest.param(datetime(2028, 2, 29, 12, 0, tzinfo=ZONE), "2028-W09", "2028-W08", date(2028, 2, 29),
                 id="leap-day"),
    pytest.param(datetime(2027, 2, 1, 7, 0, tzinfo=ZONE), "2027-W05", "2027-W04", date(2027, 2, 1),
                 id="first-monday-after-a-months-end"),
    # 22:05 UTC on the 7th is 00:05 on the 8th in Lubumbashi.
    pytest.param(datetime(2026, 12, 7, 22, 5, tzinfo=UTC), "2026-W50", "2026-W49", date(2026, 12, 8),
                 id="next-day-in-lubumbashi-not-in-utc"),
    pytest.param(datetime(2026, 12, 8, 0, 5, tzinfo=UTC), "2026-W50", "2026-W49", date(2026, 12, 8),
                 id="just-after-midnight-utc"),
]


@pytest.mark.parametrize("moment,week,last_week,today", TURNOVERS)
def test_weeks_and_days_are_read_in_the_summary_time_zone(app, time_machine, moment, week, last_week, today):
    time_machine.move_to(moment, tick=False)
    assert clock.today(FIELD_ZONE) == today
    assert digest.local_today() == today
    assert summaries.current_week() == week
    assert summaries.last_complete_week() == last_week
    assert summaries.is_partial(week) and not summaries.is_partial(last_week)
    lo, hi = summaries.bounds(week)
    assert lo <= clock.now() < hi
    assert lo.astimezone(ZONE).isoweekday() == 1 and lo.astimezone(ZONE).hour == 0
    assert hi - lo == timedelta(days=7)


def test_2026_has_a_week_53_and_its_days_straddle_the_year(app):
    monday, sunday = summaries.parse_week("2026-W53")
    assert (monday, sunday) == (date(2026, 12, 28), date(2027, 1, 3))
    assert summaries.week_of(date(2027, 1, 1)) == "2026-W53"
    assert summaries.week_of(date(2027, 1, 4)) == "2027-W01"
    with pytest.raises(Invalid):
        summaries.parse_week("2027-W53")  # 2027 has 52 weeks


@pytest.mark.parametrize("moment,week,last_week,today", TURNOVERS)
def test_an_incident_of_today_where_it_happened_is_never_in_the_future(world, time_machine, moment, week,
                                                                        last_week, today):
    time_machine.move_to(moment, tick=False)
    case, _ = cases_service.file_case(world.filer, "incident", uuid.uuid4(), incident_data(occurred_on=today))
    assert case.occurred_on == today
    with pytest.raises(Invalid) as refused:
        cases_service.file_case(world.filer, "incident", uuid.uuid4(),
                                incident_data(occurred_on=today + timedelta(days=1)))
    assert list(refused.value.fields) == ["occurred_on"]


def _due(time_machine, name: str, moment: datetime, last_run: datetime) -> bool:
    """Whether beat would run `name` at `moment`, its last run being `last_run`
    (the schedule reads the app's clock and time zone, as the beat does)."""
    time_machine.move_to(moment, tick=False)
    return BEAT_SCHEDULE[name]["schedule"].is_due(last_run).is_due


def test_the_weekly_summary_is_due_on_monday_at_seven_in_lubumbashi_not_in_utc(app, time_machine):
    last_run = datetime(2026, 11, 30, 7, 0, 5, tzinfo=ZONE)
    assert not _due(time_machine, "weekly-summaries", datetime(2026, 12, 7, 6, 59, tzinfo=ZONE), last_run)
    assert _due(time_machine, "weekly-summaries", datetime(2026, 12, 7, 7, 0, 30, tzinfo=ZONE), last_run)
    # 05:00 UTC is 07:00 there: due; 07:00 UTC (09:00 there) after that run is not due again.
    assert _due(time_machine, "weekly-summaries", datetime(2026, 12, 7, 5, 0, 30, tzinfo=UTC), last_run)
    assert not _due(time_machine, "weekly-summaries", datetime(2026, 12, 7, 7, 0, 30, tzinfo=UTC),
                    datetime(2026, 12, 7, 7, 0, 5, tzinfo=ZONE))


def test_the_digest_is_due_at_half_past_six_in_lubumbashi(app, time_machine):
    last_run = datetime(2026, 12, 6, 6, 30, 5, tzinfo=ZONE)
    assert not _due(time_machine, "daily-digests", datetime(2026, 12, 7, 6, 29, tzinfo=ZONE), last_run)
    assert not _due(time_machine, "daily-digests", datetime(2026, 12, 7, 4, 29, tzinfo=UTC), last_run)
    assert _due(time_machine, "daily-digests", datetime(2026, 12, 7, 6, 30, 30, tzinfo=ZONE), last_run)
