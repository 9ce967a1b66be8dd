"""Benchmark of the SLA report and the XLSX export (issue #5), run on demand.

    .venv/bin/python bench/report_bench.py --rows 100000                  # SQLite in a temporary directory
    .venv/bin/python bench/report_bench.py --rows 100000 --postgres postgres://postgres@127.0.0.1:5432/

It makes a throwaway database (a temporary SQLite file, or a new PostgreSQL database that is dropped at the
end), bulk-inserts a realistic year of requests, then measures:
- the monthly SLA report with percentiles (one month of the year) and the same report over all rows;
- the XLSX export of all rows (summary + detail sheets), in a child process so that its peak memory is its own;
  wall and CPU seconds (on a shared machine the wall time also measures the neighbours).
Targets: report ≤ 0.3 s; export of 100k rows ≤ 30 s and ≤ 200 MB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TZ = ZoneInfo("Asia/Shanghai")
YEAR_START = datetime(2025, 4, 1, tzinfo=TZ)
MONTH = ("2026-03-01", "2026-03-31")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    import django

    django.setup()


def seed(rows: int) -> None:
    from django.core.management import call_command

    from tickets.models import (
        Building,
        BusinessCalendar,
        Category,
        Compound,
        Contract,
        Contractor,
        ServiceRequest,
        SlaPolicy,
        Status,
        User,
    )

    call_command("migrate", verbosity=0)
    rnd = random.Random(5)
    compounds = [Compound.objects.create(code=f"c{i}", name=f"院区{i}") for i in range(5)]
    buildings = [
        Building.objects.create(compound=c, code=f"b{c.pk}-{j}", name=f"{j}号楼") for c in compounds for j in range(4)
    ]
    contractors = [
        Contractor.objects.create(code=f"k{i}", name=f"服务商{i}", service_line="property") for i in range(4)
    ]
    policy = SlaPolicy.objects.create(code="std", name="标准")
    calendar = BusinessCalendar.objects.create(name="工作日")
    parent = Category.objects.create(code="repair", name="维修", service_line="property")
    categories = [
        Category.objects.create(code=f"cat{i}", name=f"分类{i}", parent=parent, service_line="property")
        for i in range(10)
    ]
    contracts = [
        Contract.objects.create(
            code=f"WY-{i}",
            name=f"合同{i}",
            contractor=k,
            service_line="property",
            starts_on=date(2025, 1, 1),
            ends_on=date(2027, 12, 31),
            sla_policy=policy,
            calendar=calendar,
            monthly_fee=100000,
        )
        for i, k in enumerate(contractors)
    ]
    user = User.objects.create(username="bench", role="admin")
    targets = {"critical": (15, 120), "urgent": (30, 240), "normal": (60, 450), "scheduled": (240, 900)}
    now = datetime(2026, 4, 2, 9, 0, tzinfo=TZ)
    span = (now - YEAR_START).total_seconds()

    def make(i: int) -> ServiceRequest:
        created = YEAR_START + timedelta(seconds=rnd.random() * span)
        urgency = rnd.choices(list(targets), weights=(5, 20, 65, 10))[0]
        resp_t, res_t = targets[urgency]
        b = rnd.choice(buildings)
        k = rnd.randrange(4)
        resp = int(rnd.lognormvariate(3.0, 0.8))
        res = int(rnd.lognormvariate(5.5, 0.9))
        responded = created + timedelta(minutes=resp)
        state = rnd.random()
        resolved = created + timedelta(minutes=res) if state < 0.9 and responded < now else None
        rating = (
            rnd.choices((5, 4, 3, 2, 1), weights=(55, 25, 10, 6, 4))[0] if resolved and rnd.random() < 0.6 else None
        )
        return ServiceRequest(
            kind="property",
            category=rnd.choice(categories),
            service_line="property",
            urgency=urgency,
            title=f"报修 {i}",
            requester=user,
            filed_by=user,
            compound=b.compound,
            building=b,
            status=Status.CLOSED if resolved else Status.ACCEPTED,
            contract=contracts[k],
            contractor=contractors[k],
            clock_started_at=created,
            response_due=created + timedelta(minutes=resp_t),
            arrival_due=created + timedelta(minutes=resp_t * 2),
            resolution_due=created + timedelta(minutes=res_t),
            responded_at=responded,
            arrived_at=responded + timedelta(minutes=10),
            resolved_at=resolved,
            closed_at=resolved + timedelta(hours=2) if resolved else None,
            response_minutes=resp,
            resolution_minutes=res if resolved else None,
            response_breached=resp > resp_t,
            resolution_breached=res > res_t,
            rating=rating,
            reopen_count=1 if rnd.random() < 0.03 else 0,
            created_at=created,
            updated_at=created,
        )

    batch = 5000
    for start in range(0, rows, batch):
        ServiceRequest.objects.bulk_create([make(i) for i in range(start, min(rows, start + batch))])


def time_report(date_from: str, date_to: str, repeat: int) -> dict[str, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets.models import ServiceRequest, User
    from tickets.reports.params import parse_report_params
    from tickets.reports.selectors import sla_report

    admin = User.objects.get(username="bench")
    params = parse_report_params(admin, {"date_from": date_from, "date_to": date_to, "group_by": "contractor"})
    now = datetime(2026, 4, 2, 9, 0, tzinfo=TZ)
    sla_report(params, now=now, with_links=False)  # warm the caches once
    timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            report = sla_report(params, now=now, with_links=False)
            timings.append(time.perf_counter() - t0)
        queries = len(ctx.captured_queries)
    timings.sort()
    return {
        "period": f"{date_from}..{date_to}",
        "rows_in_period": ServiceRequest.objects.filter(params.filter_q()).count(),
        "median_s": round(statistics.median(timings), 4),
        "p95_s": round(timings[min(len(timings) - 1, int(0.95 * len(timings)))], 4),
        "queries": queries,
        "groups": len(report["rows"]),
        "p90_response_min": report["total"]["durations"]["response"]["p90"],
    }


def _vm_hwm_mb() -> float:
    """Peak resident memory of this process (VmHWM; unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def export_child(trace: bool) -> dict[str, object]:
    """Runs in its own process: XLSX of every row, with its time and peak memory.

    With --trace, tracemalloc also records the Python heap peak (it slows the run down about threefold, so the
    time of a traced run is not the export's time)."""
    from tickets.models import ServiceRequest, User
    from tickets.reports.exports import write_xlsx
    from tickets.reports.params import parse_report_params
    from tickets.reports.selectors import sla_report

    admin = User.objects.get(username="bench")
    params = parse_report_params(admin, {"date_from": "2025-01-01", "date_to": "2026-12-31", "group_by": "contractor"})
    qs = ServiceRequest.objects.filter(params.filter_q())
    rss_before = _vm_hwm_mb()
    if trace:
        tracemalloc.start()
    t0, cpu0 = time.perf_counter(), time.process_time()
    total = qs.count()
    report = sla_report(params, with_links=False)
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as tmp:
        written = write_xlsx(tmp.name, report=report, qs=qs, total_rows=total)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    out: dict[str, object] = {"rows": written, "seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2)}
    if trace:
        out["python_heap_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    out["process_peak_rss_mb"] = _vm_hwm_mb()
    out["rss_after_setup_mb"] = rss_before
    out["file_mb"] = round(Path(tmp.name).stat().st_size / 2**20, 1)
    os.unlink(tmp.name)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgres", metavar="URL", help="server URL; a throwaway database is created on it")
    parser.add_argument("--export-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--trace", action="store_true", help="also a tracemalloc run of the export (slow)")
    parser.add_argument("--keep", metavar="DIR", help="SQLite only: keep the database in DIR (reused if present)")
    args = parser.parse_args()

    if args.export_child:
        setup_django()
        print(json.dumps(export_child(args.trace)))
        return

    tmpdir = args.keep or tempfile.mkdtemp(prefix="sd-bench-")
    reuse = bool(args.keep) and (Path(tmpdir) / "servicedesk.sqlite3").exists()
    env = dict(os.environ, SERVICEDESK_VAR_DIR=tmpdir, DEBUG="0")
    env.pop("DATABASE_URL", None)
    dbname = ""
    if args.postgres:
        import psycopg

        dbname = f"sd_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres.rstrip("/") + "/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        env["DATABASE_URL"] = args.postgres.rstrip("/") + f"/{dbname}"
    os.environ.update(env)
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    try:
        setup_django()
        from django.db import connection

        t0 = time.perf_counter()
        if not reuse:
            seed(args.rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        seeded = (
            "reused the kept database" if reuse else f"seeded {args.rows} requests in {time.perf_counter() - t0:.1f} s"
        )
        print(f"database: {connection.vendor}; {seeded}")
        monthly = time_report(*MONTH, args.repeat)
        print("monthly SLA report:", json.dumps(monthly, ensure_ascii=False))
        whole = time_report("2025-04-01", "2026-04-02", args.repeat)
        print("whole-year SLA report:", json.dumps(whole, ensure_ascii=False))
        if not args.skip_export:
            connection.close()
            for trace in (False, True) if args.trace else (False,):
                child = subprocess.run(
                    [sys.executable, __file__, "--export-child", *(["--trace"] if trace else [])],
                    env=os.environ.copy(),
                    capture_output=True,
                    text=True,
                    check=True,
                )
                label = "XLSX export (tracemalloc run)" if trace else "XLSX export"
                print(f"{label}:", child.stdout.strip().splitlines()[-1])
    finally:
        if dbname:
            from django.db import connection

            connection.close()
            import psycopg

            with psycopg.connect(args.postgres.rstrip("/") + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')


if __name__ == "__main__":
    main()
