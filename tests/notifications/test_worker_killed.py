"""A worker killed with SIGKILL in the middle of sending: nothing is lost,
and nothing is sent twice unless the kill falls in the one window SMTP leaves
open (the server has the message, the worker has not recorded it), where the
copy carries the same Message-ID.

The worker is a real `celery -A celery_worker worker` process (prefork pool)
on Redis or on the embedded broker; the SMTP server is slow on purpose so the
kill lands while a message is being sent."""
from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from afr_aid.extensions import db
from afr_aid.models import Notification
from afr_aid.services.notifications.delivery import message_id
from afr_aid.tasks.notifications import sweep_outbox
from tests.delivery.conftest import _free_port

from .conftest import database_url, file, live_app, user

ROOT = Path(__file__).resolve().parents[2]
LEASE = 4


class SlowInbox:
    """Slow once, at one stage: `RCPT` (before the message is handed over) or
    `DATA` (the message is taken, as an MTA that queued it, then the reply
    waits): the second is the window where a crash means a duplicate."""

    def __init__(self, stage: str, delay: float = 8.0):
        self.stage, self.delay, self.slow_left = stage, delay, 1
        self.messages, self.reached = [], threading.Event()

    async def _maybe_wait(self, stage):
        if stage == self.stage and self.slow_left:
            self.slow_left -= 1
            self.reached.set()
            await asyncio.sleep(self.delay)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self._maybe_wait("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        await self._maybe_wait("DATA")
        return "250 OK"


@contextmanager
def slow_smtp(stage):
    inbox = SlowInbox(stage)
    inbox.port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def start_worker_process(app, queue: str, log: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], AFR_INSTANCE_PATH=app.instance_path,
               SECRET_KEY=secrets.token_hex(16), BASE_URL="http://afr.test", MAIL_SERVER="127.0.0.1",
               MAIL_PORT=str(app.config["MAIL_PORT"]), CELERY_BROKER_URL=app.config["CELERY_BROKER_URL"],
               NOTIFICATION_LEASE_SECONDS=str(LEASE), CELERY_DISPATCH="1")
    command = [str(ROOT / ".venv" / "bin" / "celery"), "-A", "celery_worker", "worker", "-Q", queue,
               "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO", "--without-gossip",
               "--without-mingle", "--without-heartbeat", "-n", f"{queue}-{uuid.uuid4().hex[:6]}@%h"]
    # Its own process group, so that SIGKILL takes the pool process with it; and
    # it dies with the test run, should that be killed before stopping it.
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=_die_with_parent)


def _die_with_parent() -> None:
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def pool_process(worker: subprocess.Popen) -> int:
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    assert children, "the worker has no pool process"
    return int(children[0])


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def statuses() -> dict[int, str]:
    rows = dict(db.session.execute(select(Notification.id, Notification.status)).all())
    db.session.commit()  # hold no (SQLite) lock while the worker works
    return rows


def run_kill_scenario(request, tmp_path, broker: str, stage: str, kill: str):
    with slow_smtp(stage) as inbox:
        url = database_url(request, tmp_path)
        with live_app(url, tmp_path / "instance", inbox.port, broker) as app:
            queue = f"afr-kill-{uuid.uuid4().hex[:8]}"
            app.extensions["celery"].conf.task_default_queue = queue
            app.config.update(NOTIFICATION_LEASE_SECONDS=LEASE, NOTIFICATION_SWEEP_GRACE_SECONDS=1)
            app.config["CELERY_BROKER_URL"] = app.extensions["celery"].conf.broker_url
            coordinators = [user("coordinator", f"c{i}@tests.afr-aid.org", regions=["CD-NK"]) for i in range(3)]
            vol = user("volunteer", "vol@tests.afr-aid.org", regions=["CD-NK-GOM"])
            log = tmp_path / "worker.log"
            started = [start_worker_process(app, queue, log)]
            first = started[0]
            try:
                case = file(vol, urgency="critical")  # three alerts, published at commit
                db.session.commit()
                assert inbox.reached.wait(90), log.read_text()[-3000:]
                if kill == "worker":
                    os.killpg(first.pid, signal.SIGKILL)
                    first.wait(timeout=30)
                else:
                    os.kill(pool_process(first), signal.SIGKILL)
                killed_in_flight = [i for i, s in statuses().items() if s == "sending"]
                assert len(killed_in_flight) == 1, statuses()
                if kill == "worker":
                    started.append(start_worker_process(app, queue, log))
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline and set(statuses().values()) != {"sent"}:
                    sweep_outbox()  # what beat runs every 30 s
                    time.sleep(1)
                time.sleep(2)  # a late copy, if any, would arrive now
            finally:
                for worker in started:
                    stop(worker)
            notes = list(db.session.scalars(select(Notification).order_by(Notification.id)))
            assert [n.status for n in notes] == ["sent"] * 3, log.read_text()[-3000:]
            # The one in flight was taken again once its lease ran out.
            assert [n.attempts for n in notes if n.id == killed_in_flight[0]] == [2]
            expected = {message_id(n): n for n in notes}
            received = Counter(m["Message-ID"] for m in inbox.messages)
            assert set(received) == set(expected)  # nothing lost, nothing foreign
            assert {m["To"] for m in inbox.messages} == {c.email for c in coordinators}
            assert all(case.ref in m["Subject"] for m in inbox.messages)
            return received, expected, killed_in_flight[0]


@pytest.mark.parametrize("broker_name", ["embedded", "redis"])
def test_a_worker_killed_while_sending_leaves_each_message_delivered_exactly_once(request, tmp_path, broker_name):
    received, expected, killed = run_kill_scenario(request, tmp_path, _broker(broker_name), "RCPT", "worker")
    assert all(count == 1 for count in received.values()), received


def test_a_pool_process_killed_while_sending_is_retried_exactly_once(request, tmp_path):
    received, expected, killed = run_kill_scenario(request, tmp_path, _broker("redis"), "RCPT", "pool")
    assert all(count == 1 for count in received.values()), received


def test_a_kill_after_the_server_took_the_message_gives_at_worst_a_copy_with_the_same_message_id(
        request, tmp_path):
    """The documented limit of SMTP: the server holds the message but the
    worker dies before recording it. The message is sent again after the
    lease: nothing is lost, and the copy is recognisably the same message."""
    received, expected, killed = run_kill_scenario(request, tmp_path, None, "DATA", "worker")
    killed_id = next(mid for mid, note in expected.items() if note.id == killed)
    assert received[killed_id] == 2
    assert all(count == 1 for mid, count in received.items() if mid != killed_id)


def _broker(name):
    if name == "redis":
        from tests.delivery.conftest import REDIS_URL, require_redis

        require_redis()
        return REDIS_URL
    return None
