"""Benchmark of planned maintenance (issue #15), run on demand.

    .venv/bin/python bench/maintenance_bench.py                     # SQLite in a temporary directory
    .venv/bin/python bench/maintenance_bench.py --plans 1000        # smaller
    .venv/bin/python bench/maintenance_bench.py --postgres postgres://postgres@127.0.0.1:5432/

Seeds N items with one plan each (every 15 days, floating to working days, work orders opened 30 days ahead, so
one beat writes a month of dates), then measures through the real code:
- the beat's generating step (``occurrences_generate``) for the whole month: wall and CPU time, queries; the same for
  N/10 plans, to show the query count does not grow with the plans;
- opening occurrences as core requests (``occurrence_open``, one short transaction each): queries and time per
  occurrence over a sample, which do not grow with the plans either;
- the missed-occurrence sweep (one UPDATE) and the compliance report over the month (one aggregate query).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TZ = ZoneInfo("Asia/Shanghai")
START = date(2026, 3, 2)


def seed(plans: int, tag: str):
    from tests.factories import build_world
    from tickets.maintenance.models import Equipment, MaintenancePlan
    from tickets.models import User

    world = build_world() if tag == "a" else seed.world  # type: ignore[attr-defined]
    seed.world = world  # type: ignore[attr-defined]
    filer = User.objects.get(username="dave")
    items = Equipment.objects.bulk_create(
        [
            Equipment(code=f"{tag}-{i}", name=f"设备{i}", category="lift", compound=world.compound,
                      building=world.building, contract=world.contract)
            for i in range(plans)
        ],
        batch_size=2000,
    )  # fmt: skip
    now = datetime(2026, 3, 1, 8, tzinfo=TZ)
    MaintenancePlan.objects.bulk_create(
        [
            MaintenancePlan(title=f"保养{i}", equipment=item, compound=world.compound, building=world.building,
                            contract=world.contract, category=world.leak, frequency="daily", interval=15,
                            starts_on=START, effective_from=START, float_to_working_day=True, lead_days=30,
                            filed_by=filer, updated_at=now)
            for i, item in enumerate(items)
        ],
        batch_size=2000,
    )  # fmt: skip
    return world


def measure(label: str, fn, *args, **kwargs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wall, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        result = fn(*args, **kwargs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {label:<58} {wall * 1000:9.0f} ms wall {cpu * 1000:9.0f} ms CPU {len(queries):6d} queries")
    return result, len(queries), wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=10_000)
    parser.add_argument("--open-sample", type=int, default=200)
    parser.add_argument("--postgres", default="", help="server URL ending in /; a throwaway database is made")
    args = parser.parse_args()
    os.environ["SERVICEDESK_VAR_DIR"] = tempfile.mkdtemp()
    if args.postgres:
        import psycopg

        dbname = f"maintenance_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres + "postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {dbname}")
        os.environ["DATABASE_URL"] = args.postgres + dbname
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from servicedesk.celery import app
    from tickets.maintenance.models import MaintenanceOccurrence, MaintenancePlan
    from tickets.maintenance.selectors import compliance
    from tickets.maintenance.services import occurrence_open, occurrences_generate, occurrences_mark_missed
    from tickets.services.maintenance import database_analyze

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    small = max(1, args.plans // 10)
    world = seed(small, "a")
    database_analyze()
    print(f"{connection.vendor}: seeded {small} plans in {time.perf_counter() - started:.1f} s")
    now = datetime(2026, 3, 2, 7, 10, tzinfo=TZ)
    _, q_small, _ = measure(f"generate a month for {small} plans", occurrences_generate, now=now)
    MaintenanceOccurrence.objects.all().delete()
    started = time.perf_counter()
    seed(args.plans - small, "b")
    database_analyze()
    total = MaintenancePlan.objects.count()
    print(f"{connection.vendor}: {total} plans in all (seeded in {time.perf_counter() - started:.1f} s)")
    written, q_big, wall = measure(f"generate a month for {total} plans", occurrences_generate, now=now)
    print(f"  → {written} occurrences written ({written / total:.1f} per plan), {wall * 1e6 / written:.0f} µs each")
    print(f"  queries: {q_small} for {small} plans, {q_big} for {total} plans (fixed)")
    sample = list(MaintenanceOccurrence.objects.order_by("pk").values_list("pk", flat=True)[: args.open_sample])
    from tickets.sla.calendars import calendars_cached

    def open_all() -> None:
        with calendars_cached():
            for pk in sample:
                occurrence_open(occurrence_id=pk, now=now)

    _, q_open, wall = measure(f"open {len(sample)} occurrences as core requests", open_all)
    print(f"  → {q_open / len(sample):.1f} queries and {wall * 1000 / len(sample):.1f} ms per occurrence")
    later = datetime(2026, 4, 20, 7, 10, tzinfo=TZ)
    measure("mark missed (one UPDATE)", occurrences_mark_missed, now=later)
    rows, _, _ = measure(
        "compliance report for the month (one aggregate)",
        lambda: compliance(user=world.dave, start=date(2026, 3, 1), end=date(2026, 4, 1)),
    )
    print(f"  → {sum(r['total'] for r in rows)} occurrences in {len(rows)} rows")


if __name__ == "__main__":
    main()
