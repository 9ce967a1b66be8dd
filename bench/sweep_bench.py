"""The SLA sweep over a seeded database (issue #17: 15 due ≤ 50 ms, 5,000 due ≤ 2 s, a fixed number of queries
per batch):

    .venv/bin/python bench/sweep_bench.py --keep var/bench-100k
    .venv/bin/python bench/sweep_bench.py --postgres postgres://postgres@127.0.0.1:5432/ --keep sd_bench_1m

Adds fresh requests whose response deadline passed five minutes ago (`core_bench.add_due`) and sweeps them with
the seed's "now", among the seed's open requests whose checks lie ahead; prints wall, CPU and queries per sweep.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from core_bench import NOW, Timer, add_due, arguments, open_database, reload_world


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--due", default="15,300,5000")
    args = parser.parse_args()
    open_database(args)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets.services.sweeper import sla_sweep

    world = reload_world()
    for due in (int(n) for n in args.due.split(",")):
        add_due(world, due)
        with CaptureQueriesContext(connection) as ctx, Timer() as t:
            result = sla_sweep(now=NOW, limit=20_000)
        wall, cpu = t.sample
        print(
            f"sweep, {due} due ({connection.vendor}): {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU, "
            f"{len(ctx.captured_queries)} queries, {result}"
        )


if __name__ == "__main__":
    main()
