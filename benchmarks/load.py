"""A small HTTP load generator over loopback: worker processes (so the
generator is not bound by one GIL), each with threads that keep one
connection open (http.client keep-alive) and send requests back to back for
a fixed time. Reports requests per second, latency percentiles and the
answers by status code."""
from __future__ import annotations

import http.client
import json
import multiprocessing
import threading
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: bytes | None = None


@dataclass
class Result:
    requests: int
    seconds: float
    latencies: list[float]
    statuses: Counter
    bodies: list[str]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def ok(self, *codes: int) -> int:
        return sum(self.statuses[c] for c in codes)


def _thread(port, requests, start_at, stop_at, out, lock):
    """One connection; requests[i % len] in turn, from start_at to stop_at."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies, statuses, bodies = [], Counter(), []
    i = 0
    while time.monotonic() < start_at:
        time.sleep(0.001)
    while True:
        now = time.monotonic()
        if now >= stop_at:
            break
        request = requests[i % len(requests)]
        i += 1
        body = request.body(i) if callable(request.body) else request.body
        try:
            connection.request(request.method, request.path, body=body, headers=request.headers)
            response = connection.getresponse()
            text = response.read()
        except (OSError, http.client.HTTPException) as error:
            statuses["error:" + type(error).__name__] += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        latencies.append(time.monotonic() - now)
        statuses[response.status] += 1
        if response.status >= 500 and len(bodies) < 5:
            bodies.append(text[:300].decode(errors="replace"))
    connection.close()
    with lock:
        out["latencies"].extend(latencies)
        out["statuses"].update(statuses)
        out["bodies"].extend(bodies)


def _process(port, requests_per_thread, start_at, seconds, queue):
    out = {"latencies": [], "statuses": Counter(), "bodies": []}
    lock = threading.Lock()
    threads = [threading.Thread(target=_thread, args=(port, reqs, start_at, start_at + seconds, out, lock))
               for reqs in requests_per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(json.dumps({"latencies": out["latencies"], "statuses": dict(out["statuses"]),
                          "bodies": out["bodies"]}))


def run(port: int, requests_per_connection: list[list[Request]], seconds: float, processes: int = 2) -> Result:
    """Each inner list is one connection's requests, used in turn. The
    connections are spread over `processes` worker processes."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.monotonic() + 0.5
    groups = [requests_per_connection[n::processes] for n in range(processes)]
    workers = [context.Process(target=_process, args=(port, group, start_at, seconds, queue))
               for group in groups if group]
    for worker in workers:
        worker.start()
    parts = [json.loads(queue.get()) for _ in workers]
    for worker in workers:
        worker.join()
    latencies = [x for part in parts for x in part["latencies"]]
    statuses = Counter()
    for part in parts:
        statuses.update({int(k) if k.isdigit() else k: v for k, v in part["statuses"].items()})
    return Result(len(latencies), seconds, latencies, statuses, [b for part in parts for b in part["bodies"]])
