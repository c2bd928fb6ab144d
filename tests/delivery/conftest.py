"""Real pieces for delivery tests: an SMTP server on loopback (aiosmtpd), a real
Celery worker thread (celery.contrib.testing, not eager mode), and either the
embedded SQLite broker or the Redis at 127.0.0.1:6379."""
from __future__ import annotations

import os
import secrets
import time
import uuid
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from cryptography.fernet import Fernet

from tests.conftest import CHEAP_ARGON2

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# One deployment, one set of data keys: apps made here with different instance
# folders still read each other's encrypted identifiers (infra/crypto.py).
DATA_KEYS = {"AFR_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "AFR_BLIND_INDEX_KEY": secrets.token_hex(32)}


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 20.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.05)
        return list(self.messages)

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp():
    inbox = Inbox()
    inbox.port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def require_redis():
    if not redis_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is not reachable (CI needs it)")
        pytest.skip("Redis not reachable")


def make_delivery_app(db_url, instance, smtp_port, broker_url=None):
    from afr_aid import create_app

    env = {"DATABASE_URL": db_url, "AFR_INSTANCE_PATH": str(instance), "SECRET_KEY": secrets.token_hex(16),
           "BASE_URL": "http://afr.test", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
           "CELERY_DISPATCH": "1", **DATA_KEYS}
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    app = create_app({"TESTING": True, "ARGON2_PARAMS": CHEAP_ARGON2}, env=env)
    celery = app.extensions["celery"]
    # A queue of its own, so nothing left by another run is consumed here.
    celery.conf.task_default_queue = f"afr-test-{uuid.uuid4().hex[:8]}"
    return app
