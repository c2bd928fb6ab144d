"""The time zones a user may pick for the times shown on pages.

A short list instead of the 600 of the tz database: the five provinces and their
neighbours, then where donors and the diaspora live. Every province AFR works
in is on Lubumbashi's time (UTC+2), the default."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ... import clock

CHOICES = (
    "Africa/Lubumbashi", "Africa/Kinshasa", "Africa/Kigali", "Africa/Bujumbura", "Africa/Kampala",
    "Africa/Nairobi", "Africa/Dar_es_Salaam", "Africa/Johannesburg", "Africa/Lagos", "Africa/Casablanca",
    "Europe/London", "Europe/Brussels", "Europe/Paris", "Europe/Amsterdam", "Europe/Berlin",
    "Europe/Zurich", "Europe/Stockholm", "America/New_York", "America/Toronto",
    "America/Chicago", "America/Los_Angeles", "Australia/Sydney", "UTC",
)


def label(zone: str, now: datetime | None = None) -> str:
    """ "Africa/Lubumbashi (UTC+02:00)": the offset now, so summer time shows."""
    offset = (now or clock.now()).astimezone(ZoneInfo(zone)).strftime("%z")
    return f"{zone.replace('_', ' ')} (UTC{offset[:3]}:{offset[3:]})"
