"""Benchmark: afr_aid at the scale of a whole region's caseload.

For each database (PostgreSQL, SQLite): a database loaded with
`flask demo --scale N` (N = BENCH_SCALE, default 250,000; reused when one
of that scale and seed was already built, unless BENCH_REBUILD=1), the real
app under gunicorn, loaded over loopback by benchmarks/load.py; next to it,
in the same run and with the same gunicorn settings, the baseline: a bare
Flask app running the same SQL by hand (benchmarks/bare_app.py).

Scenarios: the coordinator's queue (3 filters, first page); a long list,
first page and page 2,000 (keyset); a case's detail and its timeline; name
search with misspelt names (and recall on the generator's labelled set);
the weekly summary figures; 32 volunteers filing at once.

    BENCH_SCALE=20000 .venv/bin/python -m benchmarks.scale [--no-write]

Results: benchmarks/RESULTS.md, this benchmark's section.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from afr_aid import clock
from benchmarks import load  # noqa: E402
from benchmarks.plans import COORDINATOR, LONG_LIST, QUEUE  # noqa: E402

SECTION = "## Scale (benchmarks/scale.py)"
WORK = Path(os.environ.get("BENCH_DIR", Path(tempfile.gettempdir()) / "afr_bench"))
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SEED = 7
PAGE = 25
DEEP_PAGE = 2000
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
READERS = 4   # connections for the read scenarios: enough to keep 2 cores busy
FILERS = 32
BIN = Path(sys.executable).parent
# gunicorn settings tried on the detail scenario; the best is used for the rest.
CONFIGS = [("sync", 2, 1), ("sync", 4, 1), ("gthread", 2, 4)]


def log(message: str) -> None:
    print(message, flush=True)


# ---- databases -----------------------------------------------------------------

def prepare(kind: str, scale: int) -> dict:
    """A database loaded with demo --scale (built once per scale and seed)."""
    WORK.mkdir(parents=True, exist_ok=True)
    instance = WORK / f"{kind}_{scale}"
    marker = instance / "bench_ready.json"
    if kind == "sqlite":
        url = f"sqlite:///{WORK / f'scale_{scale}.sqlite'}"
    else:
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/afr_bench_{scale}"
    if marker.exists() and os.environ.get("BENCH_REBUILD") != "1":
        return {**json.loads(marker.read_text()), "url": url, "instance": str(instance), "reused": True}
    import shutil

    shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir(parents=True)
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(WORK / f"scale_{scale}.sqlite") + suffix).unlink(missing_ok=True)
    else:
        _pg_admin(f'DROP DATABASE IF EXISTS "afr_bench_{scale}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "afr_bench_{scale}"')
    env = _env(url, instance)
    subprocess.run([str(BIN / "flask"), "--app", "afr_aid", "db", "upgrade"], env=env, check=True,
                   capture_output=True, cwd=ROOT)
    started = time.monotonic()
    done = subprocess.run([str(BIN / "flask"), "--app", "afr_aid", "demo", "--scale", str(scale), "--seed", str(SEED)],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.monotonic() - started
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    info = {"scale": scale, "seed": SEED, "load_seconds": round(seconds, 1),
            "built": clock.now().strftime("%Y-%m-%d %H:%M UTC"),
            "summary": done.stdout.splitlines()[0] if done.stdout else ""}
    marker.write_text(json.dumps(info))
    return {**info, "url": url, "instance": str(instance), "reused": False}


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def _env(url: str, instance: Path | str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "TEST_DATABASE_URL")}
    env.update({"DATABASE_URL": url, "AFR_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench-" + "k" * 40,
                "CELERY_DISPATCH": "0", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


# ---- what both apps are asked ----------------------------------------------------

def setup(db_info: dict) -> dict:
    """In-process, in the real app: tokens, the requests of each scenario, the
    SQL each runs (captured for the baseline), query counts, recall and the
    summary figures' time."""
    os.environ.update(_env(db_info["url"], db_info["instance"]))
    from sqlalchemy import event, func, select

    from afr_aid import create_app
    from afr_aid.extensions import db
    from afr_aid.models import Case, Place, User
    from afr_aid.services.accounts.sessions import issue_token
    from afr_aid.services.cases import records as cases
    from afr_aid.services.notifications import summaries

    app = create_app()
    out: dict = {}
    with app.app_context():
        coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
        admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
        admin_id, coordinator_id = admin.id, coordinator.id
        token, _ = issue_token(coordinator)
        volunteers = list(db.session.scalars(select(User).where(User.role == "volunteer").order_by(User.id)
                                             .limit(FILERS)))
        filers = [(issue_token(v)[0], v.id) for v in volunteers]
        db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        # Page 2,000 of the long list (or its last page when shorter): its cursor.
        query = cases.filtered_cases(coordinator, LONG_LIST).order_by(Case.created_at.desc(), Case.id.desc())
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        deep = min(DEEP_PAGE, max(1, total // PAGE))
        row = db.session.scalars(query.offset((deep - 1) * PAGE - 1).limit(1)).first() if deep > 1 else None
        cursor = cases.encode_cursor(row) if row else ""
        ref = db.session.scalar(select(Case.ref).where(Case.place_path.startswith("CD/CD-NK/"),
                                                       Case.status == "closed").order_by(Case.id.desc()))
        labelled = json.loads((Path(db_info["instance"]) / "demo_name_variants.json").read_text())["queries"]
        names = [item["q"] for item in labelled[:20]]
        # Filing goes outside North Kivu, under names no search looks for: the
        # databases are reused from run to run, and cases filed by an earlier
        # run must not change what the next one's lists and searches read.
        places = list(db.session.execute(select(Place.id, Place.path, Place.code).where(
            Place.level == "territory", ~Place.path.startswith("CD/CD-NK/"))))
        listing = "/api/v1/cases?" + _query(QUEUE)
        long_list = "/api/v1/cases?" + _query(LONG_LIST)
        paths = {
            "queue": [f"{listing}&limit={PAGE}"],
            "list_first": [f"{long_list}&limit={PAGE}"],
            "list_deep": [f"{long_list}&limit={PAGE}&cursor={cursor}" if cursor else f"{long_list}&limit={PAGE}"],
            "detail": [f"/api/v1/cases/{ref}"],
            "timeline": [f"/api/v1/cases/{ref}/events"],
            "search": [f"/api/v1/cases?q={quote(name)}&limit={PAGE}" for name in names],
        }
        statements, counts = {}, {}
        client = app.test_client()
        for name, urls in paths.items():
            statements[name] = []
            for url in urls:
                captured = []

                def capture(conn, cur, statement, parameters, context, executemany, captured=captured):
                    if not statement.startswith("BEGIN"):
                        captured.append((statement, _plain(parameters)))

                db.session.remove()
                event.listen(db.engine, "before_cursor_execute", capture)
                response = client.get(url, headers=headers)
                event.remove(db.engine, "before_cursor_execute", capture)
                assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
                statements[name].append(captured)
            counts[name] = len(statements[name][0])
        out.update(paths=paths, headers=headers, statements=statements, counts=counts, deep_page=deep,
                   list_total=total, filers=filers, places=[(p.id, p.path, p.code) for p in places])
        db.session.remove()
        admin, coordinator = db.session.get(User, admin_id), db.session.get(User, coordinator_id)
        out["recall"] = _recall(db, cases, admin, labelled)
        out["summary"] = _summary_time(app, db, summaries, coordinator)
        out["home_queue"] = _home_queue_time(db, coordinator)
    return out


def _plain(parameters):
    """SQLite hands blobs over as memoryviews, which do not pickle."""
    if isinstance(parameters, dict):
        return {k: bytes(v) if isinstance(v, memoryview) else v for k, v in parameters.items()}
    return tuple(bytes(v) if isinstance(v, memoryview) else v for v in parameters)


def _query(filters: dict) -> str:
    parts = []
    for key, value in filters.items():
        if isinstance(value, list):
            value = ",".join(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        parts.append(f"{key}={quote(str(value))}")
    return "&".join(parts)


def _recall(db, cases, admin, labelled) -> dict:
    """Per labelled query: the share of the meant person's cases found (every
    page), averaged; and how many cases a search finds on average."""
    from sqlalchemy import select

    from afr_aid.models import Case

    shares, found_total = [], 0
    for item in labelled:
        query = cases.filtered_cases(admin, {"q": item["q"]}).with_only_columns(Case.id)
        found = set(db.session.scalars(query))
        expected = set(item["expected"])
        shares.append(len(found & expected) / len(expected))
        found_total += len(found)
    db.session.rollback()
    return {"recall": sum(shares) / len(shares), "queries": len(shares), "found_per_query": found_total / len(shares)}


def _summary_time(app, db, summaries, coordinator) -> dict:
    """The weekly summary figures of last week, movement-wide and for the
    coordinator's regions: the real code, then its SQL alone on the DB-API."""
    from sqlalchemy import event

    week = summaries.last_complete_week()
    result = {}
    for label, scope in (("movement", summaries.MOVEMENT), ("regions", summaries.scope_of(coordinator))):
        captured = []

        def capture(conn, cur, statement, parameters, context, executemany):
            captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        started = time.perf_counter()
        summaries.compute(week, scope, partial=False)
        took = time.perf_counter() - started
        event.remove(db.engine, "before_cursor_execute", capture)
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            started = time.perf_counter()
            for statement, parameters in captured:
                if not statement.startswith("BEGIN"):
                    cursor.execute(statement, parameters)
                    cursor.fetchall() if cursor.description else None
            bare = time.perf_counter() - started
            raw.rollback()
        finally:
            raw.close()
        result[label] = {"seconds": took, "bare": bare, "queries": len(captured)}
        db.session.rollback()
    return result


def _home_queue_time(db, coordinator, runs: int = 20) -> dict:
    """The coordinator's start page queue (50 open cases, overdue first, then
    urgency and due time), in process: services/cases/queue.py's index ranges, next
    to the query it replaced, which sorted every open case in scope. Median
    of `runs`; both load the same 50 cases."""
    from sqlalchemy import case as sql_case
    from sqlalchemy import func, select

    from afr_aid.models import Case
    from afr_aid.services.cases import queue
    from afr_aid.services.cases import records as cases
    from afr_aid.vocab import OPEN_STATUSES, URGENCY_RANK

    def sort_everything():
        now = clock.now()
        query = (cases.filtered_cases(coordinator, {"status": list(OPEN_STATUSES)})
                 .order_by(sql_case((Case.due_at < now, 0), else_=1), sql_case(URGENCY_RANK, value=Case.urgency),
                           Case.due_at, Case.id).limit(50))
        return list(db.session.scalars(query))

    def median(function):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
            db.session.rollback()
        return sorted(times)[len(times) // 2]

    same = [c.id for c in queue.queue_for(coordinator)] == [c.id for c in sort_everything()]
    open_in_scope = db.session.scalar(select(func.count()).select_from(
        cases.filtered_cases(coordinator, {"status": list(OPEN_STATUSES)}).subquery()))
    result = {"seconds": median(lambda: queue.queue_for(coordinator)), "sorted": median(sort_everything),
              "same_order": same, "open_in_scope": open_in_scope}
    db.session.rollback()
    return result


# ---- servers ---------------------------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving `target` (afr_aid's wsgi:app or the baseline)."""

    def __init__(self, target: str, env: dict, worker_class: str, workers: int, threads: int):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="afr_bench_", suffix=".log", delete=False)
        command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                   "--worker-class", worker_class, "--threads", str(threads), "--log-level", "warning",
                   "--timeout", "120", target]
        self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self._wait()

    def _wait(self) -> None:
        import http.client

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz-bench")
                connection.getresponse().read()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit(Path(self.log.name).read_text()[-3000:])
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def stop(self) -> str:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        text = Path(self.log.name).read_text(errors="replace")
        os.unlink(self.log.name)
        return text


def measure(port: int, requests: list[list[load.Request]], seconds: float = SECONDS) -> load.Result:
    return load.run(port, requests, seconds, processes=2)


def _reads(paths, headers, connections=READERS):
    requests = [load.Request("GET", path, headers) for path in paths]
    return [requests[n % len(requests):] + requests[:n % len(requests)] for n in range(connections)]


def _bare_reads(name, count, connections=READERS):
    requests = [load.Request("GET", f"/s/{name}/{i}") for i in range(count)]
    return [requests[n % len(requests):] + requests[:n % len(requests)] for n in range(connections)]


def _filing(setup_info, bare: bool) -> list[list[load.Request]]:
    places = setup_info["places"]
    connections = []
    for n, (token, user_id) in enumerate(setup_info["filers"]):
        place_id, path, code = places[n % len(places)]
        if bare:
            body = json.dumps({"user_id": user_id, "place_id": place_id, "place_path": path}).encode()
            connections.append([load.Request("POST", "/file", {"Content-Type": "application/json"}, body)])
            continue

        def body(i, code=code, n=n):
            urgency = ("low", "medium", "high", "low")[i % 4]
            return json.dumps({"kind": "assistance", "client_uuid": str(uuid.uuid4()), "location": code,
                               "urgency": urgency, "needs": ["food", "shelter"],
                               "person": {"name": f"Benchmark Filer {n}", "sex": "female", "age": 30},
                               "consent": {"record": True, "share": True, "statistics": True}}).encode()

        connections.append([load.Request("POST", "/api/v1/cases", {"Content-Type": "application/json",
                                                                   "Authorization": f"Bearer {token}"}, body)])
    return connections


def run_database(kind: str, scale: int, choose_config: bool) -> dict:
    db_info = prepare(kind, scale)
    log(f"[{kind}] database: {db_info['summary'] or 'reused'} (load {db_info['load_seconds']} s)")
    info = setup(db_info)
    stmts = WORK / f"statements_{kind}_{scale}.pickle"
    stmts.write_bytes(pickle.dumps(info["statements"]))
    app_env = _env(db_info["url"], db_info["instance"])
    bare_env = _env(db_info["url"], db_info["instance"], BARE_STATEMENTS=str(stmts),
                    BARE_DATABASE=db_info["url"].replace("postgresql://", "postgresql://", 1))
    results: dict = {"db": db_info, "setup": {k: info[k] for k in ("counts", "deep_page", "list_total", "recall",
                                                                 "summary", "home_queue")}, "scenarios": {}, "configs": []}
    config = CONFIGS[0]
    if choose_config:
        best = None
        for candidate in CONFIGS:
            server = Server("wsgi:app", app_env, *candidate)
            try:
                outcome = measure(server.port, _reads(info["paths"]["detail"], info["headers"]), SECONDS / 2)
            finally:
                server.stop()
            results["configs"].append({"config": candidate, "rate": outcome.rate, "p95": outcome.percentile(95)})
            log(f"[{kind}] gunicorn {candidate}: detail {outcome.rate:.0f} req/s")
            if best is None or outcome.rate > best[0]:
                best = (outcome.rate, candidate)
        config = best[1]
    results["config"] = config
    for name, paths in info["paths"].items():
        for label, target, env, requests in (
                ("app", "wsgi:app", app_env, _reads(paths, info["headers"])),
                ("bare", "benchmarks.bare_app:app", bare_env, _bare_reads(name, len(paths)))):
            server = Server(target, env, *config)
            try:
                outcome = measure(server.port, requests)
            finally:
                server.stop()
            results["scenarios"].setdefault(name, {})[label] = _summary(outcome)
            log(f"[{kind}] {name} {label}: {outcome.rate:.0f} req/s, p95 {outcome.percentile(95) * 1000:.1f} ms, "
                f"{dict(outcome.statuses)}")
    for label, target, env in (("app", "wsgi:app", app_env), ("bare", "benchmarks.bare_app:app", bare_env)):
        server = Server(target, env, *config)
        try:
            outcome = measure(server.port, _filing(info, bare=label == "bare"))
        finally:
            server_log = server.stop()
        summary = _summary(outcome)
        summary["locked"] = server_log.count("database is locked")
        results["scenarios"].setdefault("filing", {})[label] = summary
        log(f"[{kind}] filing {label}: {summary['created'] / SECONDS:.0f} cases/s, {dict(outcome.statuses)}, "
            f"locked {summary['locked']}")
    return results


def _summary(outcome: load.Result) -> dict:
    return {"rate": outcome.rate, "p50": outcome.percentile(50), "p95": outcome.percentile(95),
            "statuses": {str(k): v for k, v in outcome.statuses.items()}, "created": outcome.ok(200, 201),
            "errors": sum(v for k, v in outcome.statuses.items() if not (isinstance(k, int) and k < 400)),
            "sample_errors": outcome.bodies[:2]}


# ---- the report --------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--databases", default=os.environ.get("BENCH_DATABASES", "postgresql,sqlite"))
    args = parser.parse_args()
    scale = int(os.environ.get("BENCH_SCALE", "250000"))
    results = {}
    for n, kind in enumerate(args.databases.split(",")):
        results[kind] = run_database(kind, scale, choose_config=n == 0)
    from benchmarks.scale_report import report, write_section

    text, missed = report(results, scale, SECONDS, READERS, FILERS)
    print(text)
    (WORK / f"results_{scale}.json").write_text(json.dumps(results, default=str, indent=1))
    if not args.no_write:
        write_section(SECTION, text)
    if missed:
        print("goals missed: " + ", ".join(missed))
        sys.exit(1)


if __name__ == "__main__":
    main()
