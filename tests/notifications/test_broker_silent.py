"""Filing never waits on the broker: a Redis that accepts connections and then
never answers (a hung server, a half-open firewall) costs a request at most a
couple of seconds, later requests nothing, and the alert still goes out once
the broker answers again (through the outbox sweep)."""
from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import select, update

from afr_aid import clock
from afr_aid.extensions import db
from afr_aid.models import Notification
from afr_aid.tasks.notifications import sweep_outbox
from tests.delivery.conftest import REDIS_URL, require_redis

from .conftest import database_url, file, live_app, user, worker


@contextmanager
def silent_server():
    """Accepts every connection, reads nothing, answers nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


def test_filing_returns_fast_when_redis_accepts_but_never_answers(request, tmp_path, smtp):
    require_redis()
    url = database_url(request, tmp_path)
    with silent_server() as port:
        with live_app(url, tmp_path / "hung", smtp.port, f"redis://127.0.0.1:{port}/0", empty_after=False) as app:
            coord_email = user("coordinator", "coord@tests.afr-aid.org", regions=["CD-NK"]).email
            vol = user("volunteer", "vol@tests.afr-aid.org", regions=["CD-NK-GOM"])
            timings = []
            for _ in range(3):
                started = time.monotonic()
                case = file(vol, urgency="critical")
                timings.append(time.monotonic() - started)
                assert case.ref
            # The first pays the socket timeout (2 s); the next ones skip the broker for a while.
            print("filing times with a silent broker:", [round(t, 2) for t in timings])
            assert timings[0] < 6, timings
            assert max(timings[1:]) < 1, timings
            assert [n.status for n in db.session.scalars(select(Notification))] == ["queued"] * 3
            db.session.commit()
    with live_app(url, tmp_path / "back", smtp.port, REDIS_URL) as app:
        # As if the sweep's grace period had passed.
        db.session.execute(update(Notification).values(created_at=clock.now() - timedelta(minutes=5)))
        with worker(app):
            assert sweep_outbox() == 3
            smtp.wait_for(3, timeout=30)
            time.sleep(1)
        assert len(smtp.to(coord_email)) == 3
