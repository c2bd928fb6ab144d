"""Celery tasks: each loads ids, calls one service, retries. No business rule here."""
from . import alerts, notifications, summaries  # noqa: F401  (registers the tasks)
from . import retention  # noqa: F401,E402
