"""The scale benchmark's section of benchmarks/RESULTS.md: one table, each
figure next to its baseline from the same run, the goal and whether it was met."""
from __future__ import annotations

import os
import platform
import re
from pathlib import Path

from afr_aid import clock

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def machine() -> str:
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores, load {load:.1f}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


CAUSES = (
    "Where goals are missed, and why. The SQL is not the gap: every hot query reads an index in list order and "
    "stops at the page's end (`python -m benchmarks.plans`), and PostgreSQL now keeps afr_aid's statements "
    "prepared across requests, as it does the baseline's: a request that wrote nothing ends with COMMIT, since "
    "psycopg drops every prepared statement at a ROLLBACK (afr_aid/infra/read_only_commit.py; PostgreSQL's CPU for the "
    "queue went from 2.0 to 0.9 ms a request, the baseline's is 0.7). The gap is afr_aid's Python per request, "
    "measured as the gunicorn workers' CPU time per request (5,000 cases): queue 6.4 ms against the baseline's 1.8, case detail "
    "4.5 against 1.2, name search 5.5 against 1.1. Of a 25-case page: the bearer token with its user and regions "
    "(~1 ms, an ORM query with joined loads), the place filtered on (~0.5 ms), 25 cases built as ORM objects with "
    "their place and people and ~70 fields decrypted (Fernet, ~7 µs each), Flask's own request handling (~0.8 ms "
    "for a request that reads nothing). The answers are no longer dumped through marshmallow (a fifth of a page's "
    "time; api/answers.py). A case detail also writes and commits its audit line (2 of its 4 statements). "
    "1,000 case details a second is beyond this stack on 2 cores shared with PostgreSQL and the load generator: "
    "the bare baseline itself gets ~800 (detail) and ~1,200 (timeline). Name search: the blind index holds "
    "symmetric deletion keys (SymSpell, distance 1), so a misspelt word sends ~11 keyed hashes instead of "
    "300-700, but a case whose word is the one typed shares ~8 of them: a misspelt first and last name reads "
    "~59,000 index entries here. Grouped per word first, PostgreSQL hashes them instead of sorting them on disk "
    "(the slowest name of the set: 39 ms of SQL, now 20). What remains at p95 is mostly waiting: 4 connections on "
    "2 cores shared with PostgreSQL and the load generator, each search ~5 ms of Python and ~10-20 ms of SQL. "
    "Filing on SQLite: a transaction now takes the one write lock at its first write instead of its first read "
    "(infra/database.py), which doubled filing (~90-110 cases/s before, 0 \"database is locked\" then and now); it is "
    "now bound by CPU, ~7 ms of Python a case (token, validation, encrypting the identifiers and description, "
    "~20 name index rows, the case, its event, the commit) on 2 workers sharing 2 cores with the 32 connections' "
    "load generator: 300 a second needs a third core or a lighter filing path. On PostgreSQL the reference "
    "counter's row lock, held to the commit, plays the same part."
)


def report(results: dict, scale: int, seconds: float, readers: int, filers: int) -> tuple[str, list[str]]:
    rows, missed = [], []
    where = machine()

    def row(scenario, figure, baseline, ratio, goal, met):
        rows.append(f"| {scenario} | {figure} | {baseline} | {ratio} | {goal} | "
                    f"{'—' if met is None else ('yes' if met else '**no**')} | {where} |")
        if met is False:
            missed.append(scenario)

    for kind, result in results.items():
        db = "PostgreSQL" if kind == "postgresql" else "SQLite"
        s, setup = result["scenarios"], result["setup"]
        load = result["db"]
        row(f"{db}: `demo --scale {scale}`", f"{load['load_seconds']:.0f} s"
            + (f" (built {load['built']})" if load.get("reused") else ""), "—", "—", "< 300 s",
            load["load_seconds"] < 300)
        queue, bare = s["queue"]["app"], s["queue"]["bare"]
        ratio = queue["rate"] / bare["rate"] if bare["rate"] else 0
        row(f"{db}: queue, 3 filters, first page", f"{queue['rate']:.0f} req/s, p95 {_ms(queue['p95'])}",
            f"{bare['rate']:.0f} req/s, p95 {_ms(bare['p95'])}", f"{ratio:.2f}",
            "≥ 0.6 × baseline, p95 < 30 ms" if kind == "postgresql" else "(PostgreSQL goal)",
            (ratio >= 0.6 and queue["p95"] < 0.030) if kind == "postgresql" else None)
        first, deep = s["list_first"]["app"], s["list_deep"]["app"]
        ratio = deep["p50"] / first["p50"] if first["p50"] else 0
        row(f"{db}: long list, page {setup['deep_page']} vs page 1 (keyset, {setup['list_total']} rows)",
            f"p50 {_ms(deep['p50'])} vs {_ms(first['p50'])}",
            f"p50 {_ms(s['list_deep']['bare']['p50'])} vs {_ms(s['list_first']['bare']['p50'])}",
            f"{ratio:.2f}", "≤ 1.2 × page 1", ratio <= 1.2)
        detail, bare = s["detail"]["app"], s["detail"]["bare"]
        row(f"{db}: case detail (audited view)", f"{detail['rate']:.0f} req/s, {setup['counts']['detail']} queries, "
            f"p95 {_ms(detail['p95'])}", f"{bare['rate']:.0f} req/s", f"{detail['rate'] / bare['rate']:.2f}",
            "≤ 4 queries, ≥ 1,000 req/s",
            setup["counts"]["detail"] <= 4 and detail["rate"] >= 1000)
        timeline, bare = s["timeline"]["app"], s["timeline"]["bare"]
        row(f"{db}: case timeline", f"{timeline['rate']:.0f} req/s, {setup['counts']['timeline']} queries, "
            f"p95 {_ms(timeline['p95'])}", f"{bare['rate']:.0f} req/s", f"{timeline['rate'] / bare['rate']:.2f}",
            "≤ 4 queries, ≥ 1,000 req/s",
            setup["counts"]["timeline"] <= 4 and timeline["rate"] >= 1000)
        search, bare = s["search"]["app"], s["search"]["bare"]
        recall = setup["recall"]
        row(f"{db}: name search, misspelt", f"p95 {_ms(search['p95'])}, {search['rate']:.0f} req/s, "
            f"recall {recall['recall']:.3f} ({recall['queries']} queries, {recall['found_per_query']:.0f} found each)",
            f"p95 {_ms(bare['p95'])}, {bare['rate']:.0f} req/s", f"{search['rate'] / bare['rate']:.2f}",
            "p95 < 40 ms, recall ≥ 0.9", search["p95"] < 0.040 and recall["recall"] >= 0.9)
        for scope, figures in setup["summary"].items():
            row(f"{db}: weekly summary figures ({scope})", f"{figures['seconds']:.2f} s ({figures['queries']} queries)",
                f"{figures['bare']:.2f} s", f"{figures['bare'] / figures['seconds']:.2f}" if figures["seconds"] else "—",
                "< 2 s", figures["seconds"] < 2)
        home = setup["home_queue"]
        row(f"{db}: start page queue, 50 of {home['open_in_scope']} open cases (overdue, urgency, due)",
            f"{_ms(home['seconds'])}", f"{_ms(home['sorted'])} sorting them all", f"{home['sorted'] / home['seconds']:.1f}×"
            " faster" if home["seconds"] else "—", "(not in the issue) same order as the sort",
            None if home["same_order"] else False)
        filing, bare = s["filing"]["app"], s["filing"]["bare"]
        rate, bare_rate = filing["created"] / seconds, bare["created"] / seconds
        row(f"{db}: {filers} volunteers filing at once", f"{rate:.0f} cases/s, {filing['locked']} locked, "
            f"{filing['errors']} errors, p95 {_ms(filing['p95'])}", f"{bare_rate:.0f} cases/s, {bare['locked']} locked",
            f"{rate / bare_rate:.2f}" if bare_rate else "—",
            "0 locked, ≥ 300 cases/s" if kind == "sqlite" else "(SQLite goal)",
            (filing["locked"] == 0 and filing["errors"] == 0 and rate >= 300) if kind == "sqlite" else None)
    first = next(iter(results.values()))
    configs = "; ".join(f"{c['config'][0]} ×{c['config'][1]} workers ×{c['config'][2]} threads: {c['rate']:.0f} req/s"
                        for c in first["configs"])
    chosen = first["config"]
    now = clock.now().strftime("%Y-%m-%d %H:%M UTC")
    text = "\n".join([
        SECTION_HEAD,
        "",
        f"{scale:,} cases (`flask demo --scale {scale}`, seed 7, ~8 events each, 2,000 users), measured {now}. "
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()}, shared with "
        "other work (load average in the table): the load generator (benchmarks/load.py, 2 processes) runs on the "
        "same cores as the server, so every figure sits next to its baseline from the same run: a bare Flask app "
        "with no ORM, no auth machinery and no schemas running the same SQL by hand (benchmarks/bare_app.py, "
        "statements captured from afr_aid answering the same request), under the same gunicorn settings.",
        "",
        f"gunicorn: {chosen[1]} workers × {chosen[2]} threads ({chosen[0]}), chosen on the case detail: {configs}. "
        f"Reads: {readers} keep-alive connections for {seconds:.0f} s each; filing: {filers} connections, one "
        "volunteer each. The coordinator is the demo coordinator of North Kivu; the queue lists open cases, "
        "urgency high, in Goma; the long list is North Kivu's assistance requests not overdue, 25 a page; "
        "recall is over the generator's labelled set (every case of the person meant, whatever spelling it was "
        "recorded in), counting every page.",
        "",
        "| scenario | figure | baseline | ratio | goal | met? | machine |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        CAUSES,
        "",
        "Run: `BENCH_SCALE=250000 .venv/bin/python -m benchmarks.scale` (databases are built once per scale and "
        "reused; `BENCH_REBUILD=1` builds them again). Query plans: `.venv/bin/python -m benchmarks.plans`.",
    ])
    return text, missed


SECTION_HEAD = "## Scale (benchmarks/scale.py)"


def write_section(section: str, text: str) -> None:
    """Replaces this benchmark's section of RESULTS.md, leaving the others."""
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        current = pattern.sub(lambda _: text.rstrip() + "\n\n", current)
    else:
        current = current.rstrip() + "\n\n" + text.rstrip() + "\n"
    RESULTS.write_text(current.rstrip() + "\n")
