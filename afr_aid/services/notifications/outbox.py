"""Hands new notification rows to Celery once their transaction has committed.

The row is the source of truth: if publishing fails (broker down, slow), the
change is already safe in the database and the periodic sweep enqueues the row
later. Publishing therefore never raises into the request that made the change.
"""
from __future__ import annotations

import logging
import time

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("afr_aid.outbox")
KEY = "afr_pending_notifications"
# After a failed publish, this process stops trying for a while: every request
# would otherwise wait out the socket timeout again on a broker that hangs.
# Only a shortcut (per process, lost on restart): the sweep is what recovers.
BACKOFF_SECONDS = 30.0
_down_until: dict[str, float] = {}  # broker URL -> monotonic time
BATCH = 20
# afr_aid/tasks/notifications.py; tests/delivery checks these names are registered.
DELIVER_ONE = "afr_aid.tasks.notifications.deliver_notification"
DELIVER_BATCH = "afr_aid.tasks.notifications.deliver_batch"


def init_app(app: Flask) -> None:
    pass  # listeners below are global; dispatch is switched by CELERY_DISPATCH


@event.listens_for(Session, "after_flush")
def _collect(session, flush_context):
    from ...models import Notification

    # Rows held for a digest or switched off are not delivered now.
    ids = [obj.id for obj in session.new if isinstance(obj, Notification) and obj.status == "queued"]
    if ids:
        session.info.setdefault(KEY, []).extend(ids)


def publish_after_commit(session, ids: list[int]) -> None:
    """For rows inserted without the ORM (bulk inserts): publish them too once
    the current transaction commits."""
    if ids:
        session.info.setdefault(KEY, []).extend(ids)


@event.listens_for(Session, "after_commit")
def _dispatch(session):
    ids = session.info.pop(KEY, None)
    if ids:
        publish(ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session, previous_transaction):
    session.info.pop(KEY, None)


def publish(ids: list[int]) -> None:
    broker = ""
    try:
        if not current_app.config.get("CELERY_DISPATCH", True):
            return
        broker = current_app.extensions["celery"].conf.broker_url
        if time.monotonic() < _down_until.get(broker, 0.0):
            log.info("broker marked down; %d notification(s) left for the sweep", len(ids))
            return
        enqueue(ids)
    except Exception as error:  # noqa: BLE001 - the sweep will pick the rows up
        _down_until[broker] = time.monotonic() + BACKOFF_SECONDS
        log.warning("outbox publish failed (%s); %d notification(s) left for the sweep",
                    type(error).__name__, len(ids))


def enqueue(ids: list[int]) -> None:
    """One task per BATCH rows: a batch shares one SMTP connection (a weekly
    summary to a thousand people is fifty tasks, not a thousand). Raises when
    the broker cannot be reached. The tasks are named, not imported: tasks call
    services, never the other way round."""
    celery = current_app.extensions["celery"]
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        if len(chunk) == 1:
            celery.send_task(DELIVER_ONE, args=[chunk[0]], retry=False)
        else:
            celery.send_task(DELIVER_BATCH, args=[chunk], retry=False)
