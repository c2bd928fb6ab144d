"""Hands new notification rows to Celery once their transaction has committed.

The row is the source of truth: if publishing fails (broker down, slow), the
change is already safe in the database and the periodic sweep enqueues the row
later. Publishing therefore never raises into the request that made the change.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("afr_aid.outbox")
KEY = "afr_pending_notifications"


def init_app(app: Flask) -> None:
    pass  # listeners below are global; dispatch is switched by CELERY_DISPATCH


@event.listens_for(Session, "after_flush")
def _collect(session, flush_context):
    from .models import Notification

    ids = [obj.id for obj in session.new if isinstance(obj, Notification)]
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
    try:
        if not current_app.config.get("CELERY_DISPATCH", True):
            return
        from .tasks.notifications import deliver_notification

        for notification_id in ids:
            deliver_notification.apply_async(args=[notification_id], retry=False)
    except Exception as error:  # noqa: BLE001 - the sweep will pick the rows up
        log.warning("outbox publish failed (%s); %d notification(s) left for the sweep",
                    type(error).__name__, len(ids))
