"""Alerts raised by the clock: thin tasks over services/notifications/alerts.py."""
from __future__ import annotations

from celery import shared_task

from ..services.notifications import alerts


@shared_task(acks_late=True)
def unassigned_alerts() -> int:
    return alerts.raise_unassigned_alerts()


@shared_task(acks_late=True)
def overdue_alerts() -> int:
    return alerts.raise_overdue_alerts()
