"""What users open and do, measured through the real stack (issue #17): pages as each role, filing and a transition
through the API, the SLA report for a month and a year. Run on demand, with `DEBUG=false`:

    DEBUG=false .venv/bin/python bench/pages_bench.py --rows 100000 --keep var/bench-100k          # SQLite
    DEBUG=false .venv/bin/python bench/pages_bench.py --postgres postgres://postgres@127.0.0.1:5432/ --keep sd_bench

The database is seeded as `bench/core_bench.py` seeds it (the same `--rows`, `--keep`, `--postgres`), the clock is
set to the seed's "now", and each figure is the median and p95 of `--runs` requests through Django's test client
(middleware, session, templates: all of it), in wall and CPU time — on a shared machine the CPU figure is the
steadier one; with SQLite it includes the database's own work. Queries are counted on one more request.
Prints a table and writes the figures as JSON (`--json`, default var/pages_bench.json).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from core_bench import NOW, Timer, arguments, drop_database, open_database, seeded_world


def _stats(samples: list[tuple[float, float]]) -> dict[str, float]:
    def ms(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return round(ordered[max(0, int(len(ordered) * q + 0.5) - 1)] * 1000, 1)

    walls, cpus = [w for w, _ in samples], [c for _, c in samples]
    return {
        "median_ms": round(statistics.median(walls) * 1000, 1),
        "p95_ms": ms(walls, 0.95),
        "cpu_median_ms": round(statistics.median(cpus) * 1000, 1),
        "cpu_p95_ms": ms(cpus, 0.95),
    }


def measure(label: str, call: Any, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm: templates compiled, statistics loaded
    samples = []
    for _ in range(runs):
        with Timer() as t:
            call()
        samples.append(t.sample)
    with CaptureQueriesContext(connection) as ctx:
        call()
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")
    queries = sum(1 for q in ctx.captured_queries if not q["sql"].startswith(control))
    return {"what": label, **_stats(samples), "queries": queries}


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--json", default="var/pages_bench.json")
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "false")
    dbname = open_database(args)
    import time_machine
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from rest_framework.test import APIClient

    from tickets.models import ServiceRequest, Status, User
    from tickets.reports.params import parse_report_params
    from tickets.reports.selectors import sla_report_with_trend

    results: list[dict[str, Any]] = []
    try:
        world = seeded_world(args)
        traveller = time_machine.travel(NOW, tick=True)
        traveller.start()
        people = {u.username: u for u in User.objects.filter(username__in=["alice", "bob", "carol", "wang", "dave"])}
        some = ServiceRequest.objects.filter(contractor=world.contractor, status=Status.IN_PROGRESS).first()
        pages = [
            ("alice", "requester: my requests", "/requests/"),
            ("bob", "dispatcher: workbench", "/workbench/"),
            ("carol", "supervisor: workbench", "/workbench/"),
            ("dave", "admin: workbench", "/workbench/"),
            ("wang", "worker: my tasks", "/workbench/mine/"),
            ("carol", "supervisor: console", "/console/"),
            ("carol", "supervisor: complaints", "/console/complaints/"),
            ("bob", "dispatcher: notifications", "/notifications/"),
            ("bob", "request page with its timeline", f"/requests/{some.pk}/"),
            ("alice", "requester: home", "/"),
        ]
        for who, label, url in pages:
            client = Client()
            client.force_login(people[who])

            def get(client: Client = client, url: str = url) -> None:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            results.append(measure(label, get, args.runs))

        alice, bob = APIClient(), APIClient()
        alice.force_login(people["alice"])
        bob.force_login(people["bob"])
        body = {"category": world.leak.pk, "room": world.room.pk, "title": "卫生间漏水", "description": "滴水"}

        def file() -> int:
            response = alice.post("/api/v1/requests/", body, format="json")
            assert response.status_code == 201, response.content[:300]
            return response.json()["id"]

        results.append(measure("filing through the API (201 with the request)", file, args.runs))
        fresh = [file() for _ in range(args.runs + 2)]

        def accept() -> None:
            response = bob.post(f"/api/v1/requests/{fresh.pop()}/accept/", {}, format="json")
            assert response.status_code == 200, response.content[:300]

        results.append(measure("a transition through the API (accept)", accept, args.runs))

        for label, period in (
            ("SLA report, one month, with its daily trend", {"date_from": "2026-02-01", "date_to": "2026-02-28"}),
            ("SLA report, a year, with its monthly trend", {"date_from": "2025-03-11", "date_to": "2026-03-10"}),
        ):
            params = parse_report_params(people["dave"], {**period, "group_by": "contractor"})

            def report(params: Any = params) -> None:
                sla_report_with_trend(params)  # what the report page reads

            results.append(measure(label, report, max(5, args.runs // 5)))
        traveller.stop()
    finally:
        drop_database(args, dbname)

    load = os.getloadavg()
    meta = {
        "database": connection.vendor,
        "rows": args.rows,
        "runs": args.runs,
        "debug": settings.DEBUG,
        "load_average": [round(x, 1) for x in load],
        "cpus": os.cpu_count(),
        "at": time.strftime("%Y-%m-%d %H:%M"),
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=1))
    print(f"\n{meta}\n")
    print("| what | median | p95 | CPU median | CPU p95 | queries |\n|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['what']} | {r['median_ms']} ms | {r['p95_ms']} ms | {r['cpu_median_ms']} ms | "
            f"{r['cpu_p95_ms']} ms | {r['queries']} |"
        )


if __name__ == "__main__":
    main()
