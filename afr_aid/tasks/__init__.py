"""Celery tasks: each loads ids, calls one service, retries. No business rule here."""
from . import notifications  # noqa: F401  (registers the tasks)
