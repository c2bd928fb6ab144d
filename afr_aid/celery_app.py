"""Celery bound to the Flask app, the way Flask's own Celery example does it:
every task runs inside the app context."""
from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask


def broker_url(app: Flask) -> str:
    """Redis (or any broker) when configured; otherwise an embedded broker on
    SQLite under instance/, so a fresh machine needs no server."""
    if app.config.get("CELERY_BROKER_URL"):
        return app.config["CELERY_BROKER_URL"]
    return f"sqla+sqlite:///{Path(app.instance_path) / 'broker.sqlite'}"


EMBEDDED_POLLING_INTERVAL = 0.2

# Crontab times are in `timezone` below: SUMMARY_TIMEZONE. Every task here is
# safe to run twice at once (two beat processes by mistake): see the services.
BEAT_SCHEDULE = {
    # The outbox sweep: what a broker or worker failure left undelivered.
    "sweep-outbox": {"task": "afr_aid.tasks.notifications.sweep_outbox", "schedule": 30.0},
    "unassigned-alerts": {"task": "afr_aid.tasks.alerts.unassigned_alerts", "schedule": 60.0},
    "overdue-alerts": {"task": "afr_aid.tasks.alerts.overdue_alerts", "schedule": 300.0},
    "daily-digests": {"task": "afr_aid.tasks.summaries.gather_digests", "schedule": crontab(hour=6, minute=30)},
    "weekly-summaries": {"task": "afr_aid.tasks.summaries.send_weekly_summaries",
                         "schedule": crontab(day_of_week="mon", hour=7, minute=0)},
    # Closed cases lose their direct identifiers after RETENTION_DAYS.
    "retention": {"task": "afr_aid.tasks.retention.erase_expired_identifiers",
                  "schedule": crontab(hour=2, minute=15)},
}


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    url = broker_url(app)
    # Publishing must never hang a web request when the broker is down (delay()
    # can block for ever on a silent Redis): short socket timeouts, no retry.
    transport_options = ({"socket_timeout": 2, "socket_connect_timeout": 2, "max_retries": 0}
                         if url.startswith(("redis", "rediss")) else {})
    if url.startswith("sqla+"):
        # The embedded broker is polled: every 0.2 s instead of kombu's 1 s, so a
        # worker that finishes a task does not sit idle a second before the next.
        # (Set on the class: this transport hands every transport option to
        # create_engine, which refuses `polling_interval`.)
        from kombu.transport.sqlalchemy import Transport

        Transport.polling_interval = EMBEDDED_POLLING_INTERVAL
    celery.config_from_object({
        "broker_url": url,
        "task_ignore_result": True,
        "result_backend": None,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 2,
        "broker_transport_options": transport_options,
        "timezone": app.config.get("SUMMARY_TIMEZONE", "Africa/Lubumbashi"),
        "enable_utc": True,
        "imports": ("afr_aid.tasks",),
        "beat_schedule": BEAT_SCHEDULE,
    })
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
