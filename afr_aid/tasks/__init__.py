"""Celery tasks: each loads ids, calls one service, retries. No business rule here."""
