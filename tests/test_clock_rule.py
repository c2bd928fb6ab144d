"""One source of "now": no module reads the wall clock but afr_aid/clock.py,
and no test computes an expectation from the real time. Tests set the clock
(time-machine's `time_machine` fixture) or read `afr_aid.clock` where only an
interval matters; `make test-clock` runs the suite at the instants where the
calendar turns over. Waiting for something (time.sleep, time.monotonic
deadlines) is not reading the calendar and stays allowed."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# (object, attribute) pairs that read the calendar's "now".
READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
         ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime")}
ALLOWED = {ROOT / "afr_aid" / "clock.py"}


def clock_reads(source: str) -> list[tuple[int, str]]:
    """Calls like datetime.now(...), datetime.datetime.now(...), date.today(),
    time.time(), and the bare names when imported (`from time import time`)."""
    tree = ast.parse(source)
    imported = {alias.asname or alias.name: (node.module, alias.name)
                for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = func.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
            if (owner_name, func.attr) in READS:
                found.append((node.lineno, f"{owner_name}.{func.attr}()"))
        elif isinstance(func, ast.Name) and func.id in imported:
            module, name = imported[func.id]
            if (module, name) in READS:
                found.append((node.lineno, f"{module}.{name}()"))
    return found


def python_files():
    for folder in ("afr_aid", "tests", "benchmarks"):
        yield from sorted((ROOT / folder).rglob("*.py"))
    for name in ("celery_worker.py", "wsgi.py"):
        yield ROOT / name


def test_nothing_reads_the_wall_clock_but_the_clock_module():
    offenders = [f"{path.relative_to(ROOT)}:{line}: {call}"
                 for path in python_files() if path not in ALLOWED and path.name != "test_clock_rule.py"
                 for line, call in clock_reads(path.read_text())]
    assert not offenders, "read the time from afr_aid.clock (tests: set it with time_machine):\n" + \
        "\n".join(offenders)


@pytest.mark.parametrize("source", [
    "from datetime import datetime, timezone\nx = datetime.now(timezone.utc)",
    "import datetime\nx = datetime.datetime.now()",
    "from datetime import date\nx = date.today()",
    "import time\nx = time.time()",
    "from time import time\nx = time()",
    "from datetime import datetime\nx = datetime.utcnow()",
])
def test_the_check_sees_every_way_of_asking(source):
    assert clock_reads(source)


def test_intervals_and_waits_are_not_calendar_reads():
    assert not clock_reads("import time\nstart = time.monotonic()\ntime.sleep(0.1)\nx = time.perf_counter()")
    assert not clock_reads("from afr_aid import clock\nx = clock.now()")
