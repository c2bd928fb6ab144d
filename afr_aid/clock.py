"""The one source of "now": every moment afr_aid reads comes from here.

Due dates, overdue flags, ISO weeks, the Monday summary, the 06:30 digest,
session lifetimes, two-step codes and retention all turn on the time. Reading
it in one place lets a test set it (time-machine patches what these functions
call) instead of racing the wall clock, and lets `make test-clock` run the
suite at the instants where things turn over (libfaketime). A check in the
suite (`tests/test_clock_rule.py`) fails when any other module calls
`datetime.now()`, `date.today()`, `datetime.utcnow()` or `time.time()`.

Durations (timeouts, back-offs, lock waits) are measured with
`time.monotonic()`: an interval, not a moment of the calendar, so not read here.
"""
from __future__ import annotations

import time
from datetime import date, datetime, timezone, tzinfo
from zoneinfo import ZoneInfo


def now() -> datetime:
    """This moment, in UTC (timezone-aware: stored and compared as such)."""
    return datetime.now(timezone.utc)


def timestamp() -> float:
    """This moment as seconds since the epoch (TOTP steps, signed cookies)."""
    return time.time()


def local(zone: str | tzinfo, at: datetime | None = None) -> datetime:
    """`at` (default: now) on the wall clocks of `zone` ("Africa/Lubumbashi")."""
    return (at or now()).astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)


def today(zone: str | tzinfo) -> date:
    """Today's date in `zone`. At 00:30 in Goma it is 22:30 of the day before
    in UTC: "today" always names the zone it is read in."""
    return local(zone).date()
