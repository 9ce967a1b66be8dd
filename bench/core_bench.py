"""Benchmark of the request core (issue #3), run on demand.

    .venv/bin/python bench/core_bench.py --rows 100000                 # SQLite in a temporary directory
    .venv/bin/python bench/core_bench.py --rows 100000 --postgres postgres://postgres@127.0.0.1:5432/
    .venv/bin/python bench/core_bench.py --keep var/core-bench        # seed once, then measure again and again
    .venv/bin/python bench/core_bench.py --postgres postgres://postgres@127.0.0.1:5432/ --keep core_bench_kept

Seeds a throwaway database with `--rows` requests (15k of them open), refreshes the planner's statistics as the
nightly `database-analyze` job does (and on PostgreSQL vacuums, as autovacuum does), then measures, through the
real code:
- the request list through the API in seven shapes (a supervisor's filters, no filter, text search, a requester's
  own list, a dispatcher's open queue by deadline), page of 50: median, p95, CPU, queries per request;
- filing a request (request_create: routing, deadlines, event, notification rows): median, p95;
- a sweep over the 15k open requests with 15 of them due for a breach (a minute in steady state) and with 150
  (after an outage).
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
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)


def figures(samples: list[tuple[float, float]]) -> str:
    """Wall-clock median and p95, and the process's own CPU time (SQLite runs in-process, so on SQLite the CPU
    figure includes the database): on a shared machine the CPU figure is the steadier of the two."""

    def stats(values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"

    return f"{stats([w for w, _ in samples])} (CPU {stats([c for _, c in samples])})"


class Timer:
    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sample = (time.perf_counter() - self.wall, time.process_time() - self.cpu)


OPEN_MIX = {"submitted": 35, "accepted": 25, "in_progress": 30, "on_hold": 10}
DONE_MIX = {"closed": 85, "resolved": 10, "cancelled": 5}
URGENCY_MIX = {"critical": 5, "urgent": 25, "normal": 60, "scheduled": 10}
OPEN_ROWS = 15_000


def pick(rnd: random.Random, mix: dict[str, int]) -> str:
    return rnd.choices(list(mix), weights=list(mix.values()))[0]


def bench_world(users: int) -> tuple[Any, dict[str, Any]]:
    from tests.factories import BuildingFactory, CompoundFactory, FloorFactory, RoomFactory, build_world
    from tickets.models import Category, User

    world = build_world()
    compounds = [world.compound, world.other_compound, CompoundFactory(code="cppcc", name="政协办公区")]
    buildings = [world.building] + [
        BuildingFactory(compound=compounds[i % 3], code=f"bench{i}", name=f"{i + 2}号楼") for i in range(5)
    ]
    rooms = {b.pk: [world.room] if b == world.building else [] for b in buildings}
    for b in buildings:
        floor = FloorFactory(building=b, level=9)
        rooms[b.pk] += [RoomFactory(floor=floor, number=f"9{n:02d}") for n in range(10 - len(rooms[b.pk]))]
    categories = [world.leak, world.cleaning] + [
        Category.objects.create(code=code, name=name, parent=world.repair, service_line="property")
        for code, name in (("power", "电力"), ("hvac", "空调"), ("door", "门窗"))
    ]
    User.objects.bulk_create(
        (
            User(username=f"staff{n}", full_name=f"干部{n}", unit=(world.unit, world.other_unit)[n % 2], password="!")
            for n in range(users)
        ),
        batch_size=2000,
    )
    requesters = [world.alice, *User.objects.filter(username__startswith="staff")]
    return world, {"buildings": buildings, "rooms": rooms, "categories": categories, "requesters": requesters}


def seed(rows: int):
    """A year of requests spread as in a real compound: 3 compounds, 6 buildings, 60 rooms, 5 categories, 300
    requesters; 15k open requests from the last 30 days in the usual mix of states, the rest done."""
    from tickets.models import ServiceRequest
    from tickets.search import index_text

    world, people = bench_world(300)
    rnd = random.Random(3)
    version = world.policy.current_version()
    buildings, rooms, categories, requesters = (
        people["buildings"],
        people["rooms"],
        people["categories"],
        people["requesters"],
    )
    batch = []
    for i in range(rows):
        is_open = i < OPEN_ROWS
        days = rnd.uniform(0, 30) if is_open else rnd.uniform(0, 365)
        created = NOW - timedelta(days=days)
        building = rnd.choice(buildings)
        requester = rnd.choice(requesters)
        response_due = created + timedelta(minutes=30)
        resolution_due = created + timedelta(hours=rnd.choice([4, 8, 24, 72]))
        status = pick(rnd, OPEN_MIX if is_open else DONE_MIX)
        # Finished requests as the clock leaves them: responded, resolved around the deadline, closed, often rated.
        done = status in ("resolved", "closed")
        responded = created + timedelta(minutes=rnd.randint(3, 40)) if not is_open else None
        resolved = max(resolution_due + timedelta(minutes=rnd.randint(-200, 60)), created + timedelta(hours=1))
        resolved = resolved if done else None
        closed = (resolved + timedelta(hours=rnd.randint(1, 48))) if resolved and status == "closed" else None
        if status == "cancelled":
            closed = created + timedelta(hours=1)
        batch.append(
            ServiceRequest(
                kind="property",
                category=rnd.choice(categories),
                service_line="property",
                urgency=pick(rnd, URGENCY_MIX),
                title=f"报修 {i}",
                search_tokens=index_text(f"报修 {i}", ""),  # bulk_create skips the save hook that keeps the words
                requester=requester,
                filed_by=requester,
                unit_id=requester.unit_id,
                compound_id=building.compound_id,
                building=building,
                room=rnd.choice(rooms[building.pk]),
                status=status,
                contract=world.contract,
                contractor=world.contractor,
                assignee=world.wang if is_open and i % 3 else None,
                policy_version=version,
                calendar=world.calendar,
                clock_started_at=created,
                resolution_clock_from=created,
                response_due=response_due,
                resolution_due=resolution_due,
                responded_at=responded,
                resolved_at=resolved,
                closed_at=closed,
                response_minutes=int((responded - created).total_seconds() // 60) if responded else None,
                resolution_minutes=int((resolved - created).total_seconds() // 60) if resolved else None,
                response_breached=bool(responded and responded > response_due),
                resolution_breached=bool(resolved and resolved > resolution_due) or (is_open and rnd.random() < 0.05),
                rating=rnd.choices([5, 4, 3, 2, 1], [60, 25, 8, 4, 3])[0] if done and rnd.random() < 0.7 else None,
                next_sla_check_at=NOW + timedelta(minutes=rnd.randint(10, 60 * 24 * 3)) if is_open else None,
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


def add_due(world, count: int) -> None:
    """Open requests whose response deadline passed five minutes ago: the sweep's work (fresh rows each run, so a
    kept database measures the same sweep again)."""
    from tickets.models import ServiceRequest, Status

    due = NOW - timedelta(minutes=5)
    ServiceRequest.objects.bulk_create(
        ServiceRequest(
            kind="property",
            category=world.leak,
            service_line="property",
            urgency="urgent",
            title="到期未受理",
            requester=world.alice,
            filed_by=world.alice,
            compound=world.building.compound,
            building=world.building,
            room=world.room,
            status=Status.SUBMITTED,
            contract=world.contract,
            contractor=world.contractor,
            policy_version=world.policy.current_version(),
            calendar=world.calendar,
            clock_started_at=due - timedelta(minutes=30),
            resolution_clock_from=due - timedelta(minutes=30),
            response_due=due,
            response_warn_at=due - timedelta(minutes=6),
            next_sla_check_at=due - timedelta(minutes=6),
            created_at=due - timedelta(minutes=30),
            updated_at=due - timedelta(minutes=30),
        )
        for _ in range(count)
    )


def reload_world():
    """The few rows of a kept database's world that the measurements use."""
    from types import SimpleNamespace

    from tickets.models import Building, Category, Contract, Room, SlaPolicy, User

    users = {u.username: u for u in User.objects.filter(username__in=["alice", "bob", "carol"])}
    contract = Contract.objects.select_related("contractor", "calendar").get(code="WY-2026")
    return SimpleNamespace(
        alice=users["alice"],
        bob=users["bob"],
        carol=users["carol"],
        building=Building.objects.get(code="b1"),
        room=Room.objects.get(number="301"),
        leak=Category.objects.get(code="leak"),
        contract=contract,
        contractor=contract.contractor,
        policy=SlaPolicy.objects.get(code="property-std"),
        calendar=contract.calendar,
    )


def measure_list(client, label: str, url: str, runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    samples = []
    for _ in range(runs):
        with Timer() as t:
            response = client.get(url)
        samples.append(t.sample)
        assert response.status_code == 200, response.content[:300]
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    body = response.json()
    print(f"list {label} (page of {len(body['results'])} of {body['count']}): {figures(samples)}, {len(ctx)} queries")


def arguments(description: str = "") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default="", help="server URL ending in /; a throwaway database is made")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--keep",
        default="",
        help="seed once and reuse on later runs: a folder (SQLite) or a database name (PostgreSQL)",
    )
    return parser


def open_database(args: argparse.Namespace) -> str:
    """Point Django at the benchmark's database (made if missing) and set it up; returns the name of a throwaway
    PostgreSQL database to drop at the end ("" if none)."""
    dbname = ""
    if args.keep and not args.postgres:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
    os.environ["SERVICEDESK_VAR_DIR"] = args.keep if args.keep and not args.postgres else tempfile.mkdtemp()
    if args.postgres:
        import psycopg

        name = args.keep or f"core_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres + "postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f"CREATE DATABASE {name}")
        dbname = "" if args.keep else name  # a kept database is not dropped at the end
        os.environ["DATABASE_URL"] = args.postgres + name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    return dbname


def seeded_world(args: argparse.Namespace):
    """Migrate, seed (or reuse a kept database), and refresh the planner's statistics as the nightly job does."""
    from django.core.management import call_command
    from django.db import connection

    from tickets.models import ServiceRequest
    from tickets.services.maintenance import database_analyze

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if args.keep and ServiceRequest.objects.exists():
        world = reload_world()
        print(f"reusing {ServiceRequest.objects.count()} requests in {args.keep}")
    else:
        world = seed(args.rows)
        print(f"seeded {args.rows} requests on {connection.vendor} in {time.perf_counter() - started:.1f} s")
    database_analyze()
    if connection.vendor == "postgresql":
        # A table in service has been vacuumed by autovacuum; a freshly seeded one has not, and without the
        # visibility map PostgreSQL cannot count from an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) tickets_servicerequest")
    return world


def drop_database(args: argparse.Namespace, dbname: str) -> None:
    from django.db import connection

    connection.close()
    if dbname:
        import psycopg

        with psycopg.connect(args.postgres + "postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {dbname}")


def main() -> None:
    args = arguments().parse_args()
    dbname = open_database(args)
    from django.test import Client

    from tickets.services.requests import request_create
    from tickets.services.sweeper import sla_sweep

    try:
        world = seeded_world(args)
        supervisor, requester, dispatcher = Client(), Client(), Client()
        supervisor.force_login(world.carol)
        requester.force_login(world.alice)
        dispatcher.force_login(world.bob)
        b = world.building.pk
        for client, label, url in (
            (
                supervisor,
                "supervisor: submitted, one building, urgent",
                f"?status=submitted&building={b}&urgency=urgent",
            ),
            (supervisor, "supervisor: all submitted, newest first", "?status=submitted&ordering=-created_at"),
            (supervisor, "supervisor: breached", "?breached=true"),
            (supervisor, "supervisor: no filter (counted up to the 10,000 cap)", ""),
            (supervisor, "supervisor: text search", "?q=%E6%8A%A5%E4%BF%AE%2012"),
            (requester, "requester: my requests", ""),
            (dispatcher, "dispatcher: open queue by deadline", "?open=true&ordering=resolution_due"),
        ):
            measure_list(client, label, "/api/v1/requests/" + url, args.runs)

        samples = []
        for i in range(args.runs):
            with Timer() as t:
                request_create(actor=world.alice, category=world.leak, room=world.room, title=f"新报修 {i}", now=NOW)
            samples.append(t.sample)
        print(f"create: {figures(samples)}")

        # A minute's sweep in steady state (15k open requests with deadlines spread over days: a dozen cross a
        # threshold in a minute) and after an outage (150 at once).
        for due_now in (15, 150):
            add_due(world, due_now)
            with Timer() as t:
                result = sla_sweep(now=NOW, limit=20_000)
            wall, cpu = t.sample
            print(f"sweep over {OPEN_ROWS} open, {due_now} due: {wall:.3f} s (CPU {cpu:.3f} s), {result}")
        import resource

        print(f"peak memory of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        drop_database(args, dbname)


if __name__ == "__main__":
    main()
