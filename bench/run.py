"""Every benchmark of issue #17 for one database and size, with one command:

    .venv/bin/python bench/run.py --size 100k      # SQLite, 100k requests (seeded once into var/bench-100k)
    .venv/bin/python bench/run.py --size 1m        # PostgreSQL on 127.0.0.1, 1M requests (seeded once, COPY)

Seeds the database when it is not there yet (`core_bench.py` for SQLite, `seed_pg.py` for PostgreSQL, then reused),
then runs, with `DEBUG=false`: the pages and the API as each role (`pages_bench.py`), the API lists, word search
and filing (`core_bench.py`), the SLA sweep with 15 / 300 / 5,000 due (`sweep_bench.py`), the XLSX export of 100k
rows (`report_bench.py`, SQLite size only: the export target is for 100k rows), and throughput through gunicorn
with wrk (`throughput_bench.py`, skipped with a note when wrk is not installed). Each part's output is kept in
`var/bench-results-<size>/` (text, and JSON where the part writes it); each part's figures are printed as it ends.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SIZES = {
    "100k": {"rows": 100_000, "db": ["--keep", "var/bench-100k"]},
    "1m": {"rows": 1_000_000, "db": ["--postgres", "postgres://postgres@127.0.0.1:5432/", "--keep", "sd_bench_1m"]},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument("--postgres", default="", help="another PostgreSQL server URL ending in / (size 1m)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    size = SIZES[args.size]
    db = list(size["db"])
    if args.postgres and "--postgres" in db:
        db[db.index("--postgres") + 1] = args.postgres
    rows = ["--rows", str(size["rows"])]
    out = ROOT / "var" / f"bench-results-{args.size}"
    out.mkdir(parents=True, exist_ok=True)
    steps: list[tuple[str, list[str]]] = []
    if args.size == "1m":
        steps.append(("seed", ["bench/seed_pg.py", *db, *rows]))
    steps += [
        ("pages", ["bench/pages_bench.py", *db, *rows, "--runs", str(args.runs), "--json", str(out / "pages.json")]),
        ("api", ["bench/core_bench.py", *db, *rows, "--runs", str(args.runs)]),
        ("sweep", ["bench/sweep_bench.py", *db, *rows]),
    ]
    if args.size == "100k":
        steps.append(("export", ["bench/report_bench.py", "--rows", "100000", "--keep", "var/bench-report-100k"]))
    if shutil.which("wrk"):
        steps.append(("throughput", ["bench/throughput_bench.py", *db, *rows, "--json", str(out / "throughput.json")]))
    else:
        print("throughput skipped: wrk is not installed (apt-get install wrk)")
    env = {**os.environ, "DEBUG": "false"}
    for name, command in steps:
        started = time.perf_counter()
        print(f"== {name}: {' '.join(command)}", flush=True)
        result = subprocess.run([PY, *command], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        text = result.stdout + (f"\n--- stderr ---\n{result.stderr}" if result.returncode else "")
        (out / f"{name}.txt").write_text(text)
        shown = [line for line in result.stdout.splitlines() if _worth_showing(line)]
        print("\n".join(shown))
        print(f"   ({time.perf_counter() - started:.0f} s, exit {result.returncode}; all of it in {out}/{name}.txt)")
        if result.returncode:
            print(result.stderr[-2000:], file=sys.stderr)
            sys.exit(result.returncode)


def _worth_showing(line: str) -> bool:
    """The figures: table rows, the lines that name a measure, and JSON summaries; not the log."""
    if line.startswith(("AXES:", "No hostname")):
        return False
    starts = ("|", "{", "sweep", "create", "seeded", "copied", "peak", "monthly", "whole", "XLSX", "database")
    return line.startswith(starts) or (":" in line and " ms" in line)


if __name__ == "__main__":
    main()
