"""Daily retention run: a thin task over services/protection/retention.py."""
from __future__ import annotations

from celery import shared_task

from ..services.protection import retention


@shared_task(acks_late=True)
def erase_expired_identifiers() -> int:
    # Safe to run twice at once: each batch re-checks its cases in its UPDATE.
    return retention.run_retention()
