"""`make bench`: runs every benchmark under benchmarks/ and writes its
section of benchmarks/RESULTS.md. Each benchmark is a module with main().

BENCH_SCALE (default 250,000) sets the number of cases of the scale
benchmark; e.g. `BENCH_SCALE=20000 make bench` for a quick run."""
from __future__ import annotations

import sys

from benchmarks import scale, summary_emails

BENCHMARKS = {"summary_emails": summary_emails.main, "scale": scale.main}


def main() -> None:
    failed = []
    for name, run in BENCHMARKS.items():
        print(f"== {name}", flush=True)
        sys.argv = [f"benchmarks/{name}.py"]
        try:
            run()
        except SystemExit as stop:  # each benchmark exits non-zero when it misses its goal
            if stop.code:
                failed.append(name)
    if failed:
        print("goals missed: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
