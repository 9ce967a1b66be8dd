"""Benchmark of office space (issue #13), run on demand.

    .venv/bin/python bench/offices_bench.py                                   # SQLite in a temporary directory
    .venv/bin/python bench/offices_bench.py --postgres postgres://postgres@127.0.0.1:5432/

Seeds a throwaway database with 20,000 rooms (50 buildings × 20 floors × 20 rooms), 400 units holding every
office room, and 50,000 people seated in them (1–5 a room, some over the standard), then measures through the real
code: the floor view page and its API (one floor of 20 rooms, as the bureau), the live over-standard list, the
stored over-standard scan (``norm_scan``: checks every room and writes its findings) and the ledger page. Each is
reported with its number of queries, which must not grow with the number of rooms.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.core_bench import Timer, figures  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
BUILDINGS, FLOORS, ROOMS_PER_FLOOR, UNITS, PEOPLE = 50, 20, 20, 400, 50_000
RANKS = ["staff"] * 6 + ["deputy_bureau_chief", "bureau_chief", "deputy", "principal"]


def seed() -> object:
    from offices import services
    from offices.models import Allocation, Person, Seat, UnitSpace
    from tickets.models import Building, Compound, Floor, Role, Room, ServiceLine, Unit, User

    rng = random.Random(13)
    services.norms_seed()
    compound = Compound.objects.create(code="bench", name="基准院区")
    buildings = Building.objects.bulk_create(
        Building(compound=compound, code=f"b{i}", name=f"{i}号楼") for i in range(BUILDINGS)
    )
    floors = Floor.objects.bulk_create(Floor(building=b, level=lv) for b in buildings for lv in range(1, FLOORS + 1))
    units = Unit.objects.bulk_create(Unit(code=f"u{i}", name=f"单位{i}") for i in range(UNITS))
    bureau = User.objects.create_user(
        username="bench_fang", role=Role.SUPERVISOR, service_line=ServiceLine.OFFICE_SPACE, full_name="房管"
    )
    rooms = Room.objects.bulk_create(
        (
            Room(floor=f, number=f"{f.level}{n:02d}", usable_area=Decimal(rng.choice([9, 12, 18, 20, 24, 30, 36, 42])))
            for f in floors
            for n in range(1, ROOMS_PER_FLOOR + 1)
        ),
        batch_size=2000,
    )
    unit_of = {r.pk: units[(r.floor_id // 2) % UNITS] for r in rooms}  # two floors per unit, spread over buildings
    Allocation.objects.bulk_create(
        (
            Allocation(
                room=r, unit=unit_of[r.pk], starts_on=date(2025, 1, 1), agreement_no=f"SY-{r.pk}",
                certificate_no=f"PZ-{r.pk}", created_by=bureau, created_at=NOW,
            )
            for r in rooms
        ),
        batch_size=2000,
    )  # fmt: skip
    people, seats = [], []
    remaining = PEOPLE
    for index, room in enumerate(rooms):
        left_rooms = len(rooms) - index
        count = min(remaining, max(1, round(remaining / left_rooms) + rng.choice([-1, 0, 0, 1])))
        for _ in range(count):
            person = Person(name=f"人{len(people)}", unit=unit_of[room.pk], level="municipal", rank=rng.choice(RANKS))
            people.append(person)
            seats.append(room)
        remaining -= count
    people = Person.objects.bulk_create(people, batch_size=5000)
    Seat.objects.bulk_create(
        (Seat(person=p, room=r, unit_id=p.unit_id, since=date(2025, 1, 2)) for p, r in zip(people, seats, strict=True)),
        batch_size=5000,
    )
    UnitSpace.objects.bulk_create(UnitSpace(unit=u, approved_area=Decimal(1200)) for u in units)
    return bureau, floors


def measure(client: object, label: str, url: str, runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = []
    queries = set()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured, Timer() as t:
            response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 200, (url, response.status_code)
        samples.append(t.sample)
        queries.add(len(captured))
    print(f"{label}: {figures(samples)}, queries {sorted(queries)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="", help="server URL ending in /; a throwaway database is made")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    os.environ["SERVICEDESK_VAR_DIR"] = tempfile.mkdtemp()
    dbname = ""
    if args.postgres:
        import psycopg

        dbname = f"offices_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres + "postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {dbname}")
        os.environ["DATABASE_URL"] = args.postgres + dbname
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from offices import services
    from tickets.services.maintenance import database_analyze

    settings.ALLOWED_HOSTS = ["*"]
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        bureau, floors = seed()
        database_analyze()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"seeded {len(floors) * ROOMS_PER_FLOOR} rooms, {PEOPLE} people on {connection.vendor} "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        client = Client()
        client.force_login(bureau)
        floor = floors[len(floors) // 2]
        measure(client, "floor view page (20 rooms)", f"/offices/floors/{floor.pk}/", args.runs)
        measure(client, "floor view API (20 rooms)", f"/api/v1/offices/floors/{floor.pk}/", args.runs)
        samples, queries = [], set()
        for _ in range(5):
            with CaptureQueriesContext(connection) as captured, Timer() as t:
                check = services.norm_scan(actor=bureau, now=NOW)
            samples.append(t.sample)
            queries.add(len(captured))
        found = check.findings.count()
        print(f"over-standard scan, stored (20,000 rooms): {figures(samples)}, queries {sorted(queries)}, over {found}")
        measure(client, f"ledger page ({found} findings listed)", "/offices/ledger/", 10)
        last = (found + 49) // 50
        measure(client, "over-standard API, first page of 50", "/api/v1/offices/over-standard/", 10)
        measure(client, f"over-standard API, last page ({last})", f"/api/v1/offices/over-standard/?page={last}", 10)
    finally:
        if dbname:
            connection.close()
            import psycopg

            with psycopg.connect(args.postgres + "postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {dbname}")


if __name__ == "__main__":
    main()
