"""Weekly summaries and daily digests: thin tasks over their services."""
from __future__ import annotations

from celery import shared_task

from ..services.notifications import digest, summaries


@shared_task(acks_late=True)
def send_weekly_summaries() -> dict:
    """Monday morning: last week's summary to everyone who gets one."""
    return summaries.send_week(summaries.last_complete_week())


@shared_task(acks_late=True)
def gather_digests() -> int:
    return digest.gather_all()
