"""Benchmark: 1,000 weekly summary emails through the real path.

`summaries.send_week` writes the outbox rows and publishes them; a real
`celery worker` process (prefork, 2 processes by default) claims each row,
renders the email in the recipient's language (text, HTML, inline chart),
sends it over SMTP to a local aiosmtpd server, and marks it sent. Measured:
from the call to send_week until the server has received every message.
Duplicates are counted by Message-ID at the server; the goal is 0.

    .venv/bin/python -m benchmarks.summary_emails [--count 1000] [--broker auto|redis|embedded]
        [--concurrency 2] [--database-url URL] [--no-write]

Results go to benchmarks/RESULTS.md (this benchmark's own section).
"""
from __future__ import annotations

import argparse
import logging
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

from afr_aid import clock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECTION = "## Weekly summary emails (benchmarks/summary_emails.py)"
LOCALES = ("en", "fr", "sw", "rw", "ln")


class Counting:
    def __init__(self):
        self.ids, self.lock = [], threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        match = re.search(rb"^Message-ID: *(<[^>]+>)", envelope.original_content, re.M | re.I)
        with self.lock:
            self.ids.append(match.group(1).decode() if match else None)
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def seed(count: int, week: str) -> None:
    """Donors (bulk, without password hashing: not what is measured) and some
    cases filed during the week."""
    import csv
    from importlib import resources

    from afr_aid.extensions import db
    from afr_aid.models import Case, Place, User
    from afr_aid.services.cases.places import upsert_places
    from afr_aid.services.notifications.summaries import bounds

    db.create_all()
    upsert_places(csv.DictReader(resources.files("afr_aid.data").joinpath("places.csv").read_text().splitlines()))
    db.session.commit()
    now = clock.now()
    db.session.execute(db.insert(User), [
        {"email": f"donor{i}@bench.afr-aid.org", "name": f"Donor {i}", "role": "donor", "password_hash": "-",
         "active": True, "away": False, "locale": LOCALES[i % len(LOCALES)], "languages": [], "skills": [],
         "failed_logins": 0, "created_at": now} for i in range(count)])
    filer = User(email="filer@bench.afr-aid.org", name="Filer", role="volunteer", password_hash="-",
                 locale="en", languages=[], skills=[])
    db.session.add(filer)
    db.session.flush()
    lo, _ = bounds(week)
    places = list(db.session.scalars(db.select(Place).where(Place.level == "territory")))
    for n in range(300):
        place, at = places[n % len(places)], lo + timedelta(hours=n % 150)
        kind = "assistance" if n % 3 else "incident"
        db.session.add(Case(
            ref=f"{'AR' if kind == 'assistance' else 'SI'}-{at.year}-{n + 1:06d}", kind=kind, year=at.year,
            number=n + 1, client_uuid=uuid.uuid4(), status="new", urgency="medium", created_at=at, updated_at=at,
            due_at=at + timedelta(hours=72), location_id=place.id, place_path=place.path, created_by_id=filer.id,
            consent_record=True, consent_share=False, consent_statistics=n % 7 != 0,
            needs=["food", "shelter"][: 1 + n % 2] if kind == "assistance" else None,
            types=["killing"] if kind == "incident" else None))
    db.session.commit()


def start_worker(env: dict, queue: str, concurrency: int, log: Path) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "celery"), "-A", "celery_worker", "worker", "-Q", queue,
               "--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "INFO",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if " ready." in log.read_text(errors="replace"):
            return worker
        if worker.poll() is not None:
            break
        time.sleep(0.2)
    raise SystemExit(f"worker did not start:\n{log.read_text(errors='replace')[-3000:]}")


def run(args) -> dict:
    from aiosmtpd.controller import Controller

    scratch = Path(tempfile.mkdtemp(prefix="notif_bench_"))
    inbox, port = Counting(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, data_size_limit=10_000_000)
    controller.start()
    broker = {"redis": args.redis_url, "embedded": ""}[args.broker]
    env = dict(os.environ, DATABASE_URL=args.database_url or f"sqlite:///{scratch / 'bench.sqlite'}",
               AFR_INSTANCE_PATH=str(scratch / "instance"), SECRET_KEY=secrets.token_hex(16),
               BASE_URL="http://afr.bench", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port), CELERY_DISPATCH="1",
               CELERY_BROKER_URL=broker)
    from afr_aid import create_app
    from afr_aid.extensions import db
    from afr_aid.models import Notification
    from afr_aid.services.notifications import summaries

    app = create_app(env=env)
    # aiosmtpd logs every SMTP command at INFO: that would measure the logging.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    queue = f"afr-bench-{uuid.uuid4().hex[:8]}"
    app.extensions["celery"].conf.task_default_queue = queue
    worker = None
    try:
        with app.app_context():
            week = summaries.last_complete_week()
            if args.database_url:
                db.drop_all()
            seed(args.count, week)
            db.session.remove()
            worker = start_worker(env, queue, args.concurrency, scratch / "worker.log")
            cpu_before = _cpu(worker.pid)
            started = time.monotonic()
            report = summaries.send_week(week)
            queued_at = time.monotonic() - started
            deadline = started + args.timeout
            while len(inbox.ids) < args.count and time.monotonic() < deadline:
                time.sleep(0.02)
            elapsed = time.monotonic() - started
            cpu = {name: after - cpu_before[name] for name, after in _cpu(worker.pid).items()}
            time.sleep(3)  # late copies, if any, arrive now
            statuses = Counter(db.session.scalars(db.select(Notification.status)))
            db.session.remove()
            if args.database_url:
                db.drop_all()
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        controller.stop()
        if args.keep_log and (scratch / "worker.log").exists():
            shutil.copy(scratch / "worker.log", args.keep_log)
        shutil.rmtree(scratch, ignore_errors=True)
    copies = Counter(inbox.ids)
    return {"count": args.count, "queued": report["queued"], "received": len(inbox.ids),
            "distinct": len(copies), "duplicates": sum(n - 1 for n in copies.values() if n > 1),
            "seconds": elapsed, "queue_seconds": queued_at, "statuses": dict(statuses),
            "cpu_worker": cpu["worker"], "cpu_server": cpu["server"], "broker": args.broker, "database": "PostgreSQL" if args.database_url else "SQLite",
            "concurrency": args.concurrency}


def _cpu(worker_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the worker (its main process and its pool)
    and by this process (the SMTP server, and writing the outbox rows)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [worker_pid] + Path(f"/proc/{worker_pid}/task/{worker_pid}/children").read_text().split()
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    own = os.times()
    return {"worker": total, "server": own.user + own.system}


HEADER = ("| broker / database / pool | time (goal < 10 s) | rows written and published | messages/s | "
          "received / distinct | duplicates (goal 0) | CPU: worker / server+send_week | load avg | measured |")


def write_results(result: dict) -> None:
    """One row per configuration in this benchmark's own section of RESULTS.md;
    a new run replaces its configuration's row and leaves other sections alone."""
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    setup = f"{result['broker']} / {result['database']} / {result['concurrency']} processes"
    rate = result["received"] / result["seconds"] if result["seconds"] else 0
    row = (f"| {setup} | {result['seconds']:.2f} s | {result['queue_seconds']:.2f} s | {rate:.0f} | "
           f"{result['received']} / {result['distinct']} | {result['duplicates']} | "
           f"{result['cpu_worker']:.1f} s / {result['cpu_server']:.1f} s | {os.getloadavg()[0]:.1f} | "
           f"{clock.now():%Y-%m-%d %H:%M} UTC |")
    pattern = re.compile(re.escape(SECTION) + r".*?(?=\n## |\Z)", re.S)
    found = pattern.search(text)
    rows = [line for line in (found.group(0) if found else "").splitlines()
            if line.startswith("| ") and not line.startswith("| broker") and not line.startswith("|---")
            and not line.startswith(f"| {setup} |")]
    section = "\n".join([
        SECTION, "",
        f"{result['count']} donors in five languages get last week's summary: `summaries.send_week` writes and "
        "publishes the outbox rows, one `celery worker` process (prefork pool) claims, renders (text, HTML, inline "
        "chart) and sends each over SMTP to a local aiosmtpd server, marking it sent. Time: from the call to "
        "`send_week` until the server holds every message. Duplicates: Message-IDs seen more than once by the server.",
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()}, shared with "
        "other test runs (the load average column); CPU is the processor time the run itself used, which bounds "
        "what an idle 2-core machine needs: (worker + server) / 2.",
        "", HEADER, "|---|---|---|---|---|---|---|---|---|", *sorted(rows + [row]), "",
        "Run: `.venv/bin/python -m benchmarks.summary_emails [--broker redis|embedded] [--concurrency 2]`.", ""])
    text = pattern.sub(lambda _: section.rstrip("\n") + "\n", text) if found else \
        text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--broker", choices=("auto", "redis", "embedded"), default="auto")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--database-url", default="", help="an EMPTY scratch database (its tables are dropped)")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--keep-log", default="", help="copy the worker's log here")
    args = parser.parse_args()
    if args.broker == "auto":
        args.broker = "redis" if redis_up(args.redis_url) else "embedded"
    result = run(args)
    print(f"CPU: worker {result['cpu_worker']:.1f} s, server and send_week {result['cpu_server']:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{result['received']}/{result['count']} messages in {result['seconds']:.2f} s "
          f"({result['broker']} broker, {result['database']}); duplicates: {result['duplicates']}; "
          f"rows: {result['statuses']}")
    if not args.no_write:
        write_results(result)
    ok = result["received"] >= result["count"] and result["duplicates"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
