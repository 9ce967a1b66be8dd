"""Benchmark of the request core (issue #3), run on demand.

    .venv/bin/python bench/core_bench.py --rows 100000                 # SQLite in a temporary directory
    .venv/bin/python bench/core_bench.py --rows 100000 --postgres postgres://postgres@127.0.0.1:5432/

Seeds a throwaway database with `--rows` requests (15k of them open), then measures, through the real code:
- the filtered request list (API, a supervisor, page of 50): median, p95, queries per request;
- filing a request (request_create: routing, deadlines, event, notification rows): median, p95;
- one sweep over the 15k open requests, 1 % of them due for a warning or breach.
Targets: list ≤ 15 ms p95 with a fixed number of queries; create ≤ 15 ms; sweep ≤ 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def seed(rows: int):
    from django.core.management import call_command

    from tests.factories import build_world
    from tickets.models import ServiceRequest, Status

    call_command("migrate", verbosity=0)
    world = build_world()
    rnd = random.Random(3)
    version = world.policy.current_version()
    batch = []
    open_target = 15_000
    for i in range(rows):
        created = NOW - timedelta(days=rnd.randint(0, 365), minutes=rnd.randint(0, 1440))
        is_open = i < open_target
        due = NOW - timedelta(minutes=5) if is_open and i % 100 == 0 else NOW + timedelta(days=rnd.randint(1, 30))
        batch.append(
            ServiceRequest(
                kind="property",
                category=world.leak,
                service_line="property",
                urgency="urgent",
                title=f"漏水 {i}",
                requester=world.alice,
                filed_by=world.alice,
                unit=world.unit,
                compound=world.compound,
                building=world.building,
                room=world.room,
                status=Status.SUBMITTED if is_open else Status.CLOSED,
                contract=world.contract,
                contractor=world.contractor,
                policy_version=version,
                calendar=world.calendar,
                clock_started_at=created,
                resolution_clock_from=created,
                response_due=due,
                response_warn_at=due - timedelta(minutes=6),
                next_sla_check_at=due - timedelta(minutes=6) if is_open else None,
                created_at=created,
                updated_at=created,
            )
        )
        if len(batch) == 5000:
            ServiceRequest.objects.bulk_create(batch)
            batch = []
    if batch:
        ServiceRequest.objects.bulk_create(batch)
    return world


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default="", help="server URL ending in /; a throwaway database is made")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    dbname = ""
    tmp = tempfile.mkdtemp(prefix="core-bench-")
    os.environ["SERVICEDESK_VAR_DIR"] = tmp
    if args.postgres:
        import psycopg

        dbname = f"core_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres + "postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {dbname}")
        os.environ["DATABASE_URL"] = args.postgres + dbname
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tickets.services.requests import request_create
    from tickets.services.sweeper import sla_sweep

    settings.ALLOWED_HOSTS = ["*"]
    try:
        started = time.perf_counter()
        world = seed(args.rows)
        print(f"seeded {args.rows} requests on {connection.vendor} in {time.perf_counter() - started:.1f} s")

        client = Client()
        client.force_login(world.carol)
        url = f"/api/v1/requests/?status=submitted&building={world.building.pk}&urgency=urgent&ordering=-created_at"
        client.get(url)
        samples = []
        for _ in range(args.runs):
            t = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - t)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        print(f"list (page of 50, count {response.json()['count']}): {figures(samples)}, {len(ctx)} queries")

        samples = []
        for i in range(args.runs):
            t = time.perf_counter()
            request_create(actor=world.alice, category=world.leak, room=world.room, title=f"新报修 {i}", now=NOW)
            samples.append(time.perf_counter() - t)
        print(f"create: {figures(samples)}")

        t = time.perf_counter()
        result = sla_sweep(now=NOW, limit=20_000)
        print(f"sweep over 15000 open ({result['checked']} due): {(time.perf_counter() - t):.3f} s, {result}")
    finally:
        connection.close()
        if dbname:
            import psycopg

            with psycopg.connect(args.postgres + "postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {dbname}")


if __name__ == "__main__":
    main()
