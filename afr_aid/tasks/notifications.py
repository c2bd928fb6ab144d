"""Notification tasks: take ids, call the delivery service, retry."""
from __future__ import annotations

import smtplib

from celery import shared_task

from ..services.notifications import delivery, outbox

RETRYING = {"acks_late": True, "reject_on_worker_lost": True, "max_retries": delivery.MAX_ATTEMPTS,
            "autoretry_for": (smtplib.SMTPException, OSError), "retry_backoff": 5, "retry_backoff_max": 600,
            "retry_jitter": True}


@shared_task(**RETRYING)
def deliver_notification(notification_id: int) -> str:
    return delivery.deliver(notification_id)


@shared_task(**RETRYING)
def deliver_batch(notification_ids: list[int]) -> dict:
    return delivery.deliver_many(notification_ids)


@shared_task(acks_late=True)
def sweep_outbox() -> int:
    """Re-enqueues what a broker or worker failure left behind."""
    ids = delivery.due_for_sweep()
    outbox.enqueue(ids)
    return len(ids)
