"""Notification tasks: take ids, call the delivery service, retry."""
from __future__ import annotations

import smtplib

from celery import shared_task

from ..services import delivery


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=delivery.MAX_ATTEMPTS,
             autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=5, retry_backoff_max=600,
             retry_jitter=True)
def deliver_notification(self, notification_id: int) -> str:
    return delivery.deliver(notification_id)


@shared_task(acks_late=True)
def sweep_outbox() -> int:
    """Re-enqueues what a broker or worker failure left behind."""
    ids = delivery.due_for_sweep()
    for notification_id in ids:
        deliver_notification.apply_async(args=[notification_id], retry=False)
    return len(ids)
