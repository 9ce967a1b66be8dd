"""Benchmark of the canteen module (issue #14), run on demand.

    .venv/bin/python bench/canteen_bench.py                      # SQLite in a temporary directory
    .venv/bin/python bench/canteen_bench.py --postgres postgres://postgres@127.0.0.1:5432/

Seeds a canteen serving 5,000 diners (opt-in: 70 % book lunch, 25 % breakfast and dinner; guests from 20 units),
a published menu and 20 days of history (counts with served figures, ratings), then measures through the real
code:
- freezing the head counts of three meals (breakfast, lunch, dinner of one day) as the beat task does, with the
  per-dish estimates, the operators' notices and the webhook rows: wall and CPU time, queries; the same for 500
  diners, to show the query count does not grow with the diners;
- the same for an opt-out canteen of 5,000 diners (everyone eats unless opted out);
- the booking page of one diner for a week with the menu (GET /canteen/): median, p95, queries.
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
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 11)  # a Wednesday
BIG_DAY = DAY
SMALL_DAY = date(2026, 3, 12)
OPT_OUT_DAY = date(2026, 3, 13)


def seed(diners: int):
    from canteen.models import DishRating, HeadCount, Meal, MealBooking
    from tests.canteen.conftest import build_canteen_world, published_menu
    from tests.factories import UnitFactory, build_world
    from tickets.models import User, WebhookEndpoint

    world = build_world()
    cw = build_canteen_world(world)
    rnd = random.Random(14)
    units = [world.unit] + [UnitFactory() for _ in range(19)]
    cw.canteen.units.add(*units)
    User.objects.bulk_create(
        [User(username=f"diner{i}", full_name=f"就餐人{i}", unit=units[i % 20], password="!") for i in range(diners)],
        batch_size=2000,
    )
    people = list(User.objects.filter(username__startswith="diner").values_list("pk", "unit_id"))
    WebhookEndpoint.objects.create(name="厨房屏", url="http://127.0.0.1:9/", secret="s", service_line="canteen")
    monday = DAY - timedelta(days=DAY.weekday())
    dishes = [
        (d, meal, name, cat)
        for d in range(5)
        for meal, names in (
            (Meal.BREAKFAST, [("包子", "staple"), ("豆浆", "soup")]),
            (
                Meal.LUNCH,
                [
                    ("红烧肉", "meat"),
                    ("清蒸鱼", "meat"),
                    ("宫保鸡丁", "meat"),
                    ("青菜", "vegetable"),
                    ("豆腐", "vegetable"),
                    ("米饭", "staple"),
                    ("汤", "soup"),
                ],
            ),
            (Meal.DINNER, [("面条", "staple"), ("青椒肉丝", "meat"), ("炒青菜", "vegetable")]),
        )
        for name, cat in names
    ]
    now = datetime(2026, 3, 5, 9, tzinfo=TZ)
    published_menu(cw, monday, now=now, dishes=dishes)
    # 20 past lunches with served figures and ratings: the estimates' history.
    past_menu = published_menu(
        cw,
        monday - timedelta(days=28),
        now=now - timedelta(days=30),
        dishes=[(d, Meal.LUNCH, n, c) for d in range(5) for n, c in (("红烧肉", "meat"), ("清蒸鱼", "meat"))],
    )
    for i in range(20):
        HeadCount.objects.create(
            service=cw.lunch,
            date=DAY - timedelta(days=40 + i),
            diners=3000,
            guests=20,
            total=3020,
            served=2900,
            frozen_at=now,
        )
    DishRating.objects.bulk_create(
        [
            DishRating(dish=d, diner_id=people[i][0], stars=4, created_at=now)
            for i, d in enumerate(past_menu.dishes.all())
            for _ in range(1)
        ],
        ignore_conflicts=True,
    )

    def book(day: date, count: int) -> None:
        rows = []
        for service, share in ((cw.breakfast, 0.25), (cw.lunch, 0.7), (cw.dinner, 0.25)):
            for pk, unit_id in people[:count]:
                if rnd.random() < share:
                    rows.append(
                        MealBooking(
                            service=service,
                            date=day,
                            diner_id=pk,
                            unit_id=unit_id,
                            eating=True,
                            booked_by_id=pk,
                            created_at=now,
                            updated_at=now,
                        )
                    )
            rows += [
                MealBooking(
                    service=service,
                    date=day,
                    unit=u,
                    eating=True,
                    guests=3,
                    booked_by=world.uma,
                    created_at=now,
                    updated_at=now,
                )
                for u in units
            ]
        MealBooking.objects.bulk_create(rows, batch_size=5000)

    book(BIG_DAY, diners)
    book(SMALL_DAY, diners // 10)
    # For the opt-out run: one in ten says they will not eat.
    MealBooking.objects.bulk_create(
        [
            MealBooking(
                service=service,
                date=OPT_OUT_DAY,
                diner_id=pk,
                unit_id=unit_id,
                eating=False,
                booked_by_id=pk,
                created_at=now,
                updated_at=now,
            )
            for service in (cw.breakfast, cw.lunch, cw.dinner)
            for pk, unit_id in people[::10]
        ],
        batch_size=5000,
    )
    # The diner whose booking page is measured books the whole week.
    for d in range(5):
        for service in (cw.breakfast, cw.lunch, cw.dinner):
            MealBooking.objects.get_or_create(
                service=service,
                date=monday + timedelta(days=d),
                diner=world.alice,
                defaults={
                    "unit": world.unit,
                    "eating": True,
                    "booked_by": world.alice,
                    "created_at": now,
                    "updated_at": now,
                },
            )
    return world, cw


def freeze(cw, day: date, label: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from canteen.models import HeadCount
    from canteen.services.headcounts import freeze_due_head_counts

    moment = datetime.combine(day, dtime(15, 0), tzinfo=TZ)  # breakfast, lunch and dinner of `day` are all due
    wall, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as ctx:
        frozen = freeze_due_head_counts(now=moment)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    totals = list(HeadCount.objects.filter(date=day).order_by("service__serves_from").values_list("total", flat=True))
    print(
        f"freeze {label}: {frozen} meals {totals}: {wall * 1000:.0f} ms (CPU {cpu * 1000:.0f} ms), {len(ctx)} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--diners", type=int, default=5000)
    parser.add_argument("--postgres", default="", help="server URL ending in /; a throwaway database is made")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    os.environ["SERVICEDESK_VAR_DIR"] = tempfile.mkdtemp()
    dbname = ""
    if args.postgres:
        import psycopg

        dbname = f"canteen_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres + "postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {dbname}")
        os.environ["DATABASE_URL"] = args.postgres + dbname
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    import django

    django.setup()
    import time_machine
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from canteen.models import BookingMode, Canteen
    from tickets.services.maintenance import database_analyze

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        world, cw = seed(args.diners)
        database_analyze()
        print(f"seeded {args.diners} diners on {connection.vendor} in {time.perf_counter() - started:.1f} s")
        # transactions are real here (no test wrapper): on_commit callbacks queue e-mail and webhook tasks, which
        # the bench does not run; the figures are the freeze itself.
        settings.CELERY_TASK_ALWAYS_EAGER = False
        from servicedesk.celery import app

        app.conf.task_always_eager = False
        app.conf.broker_url = "memory://"
        from canteen.services.headcounts import freeze_due_head_counts

        freeze_due_head_counts(now=datetime.combine(BIG_DAY - timedelta(days=1), dtime(15, 0), tzinfo=TZ))
        freeze(cw, BIG_DAY, f"opt-in, {args.diners} diners")
        freeze(cw, SMALL_DAY, f"opt-in, {args.diners // 10} diners")
        Canteen.objects.filter(pk=cw.canteen.pk).update(booking_mode=BookingMode.OPT_OUT)
        freeze(cw, OPT_OUT_DAY, f"opt-out, {args.diners} diners")

        client = Client()
        client.force_login(world.alice)
        url = "/canteen/?week=" + BIG_DAY.isoformat()
        with time_machine.travel(datetime(2026, 3, 11, 9, 0, tzinfo=TZ), tick=True):
            client.force_login(world.alice)
            client.get(url)
            samples, cpus = [], []
            for _ in range(args.runs):
                wall, cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                samples.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                assert response.status_code == 200
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
        ordered = sorted(samples)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        print(
            f"booking page (a week, 3 meals, 12 dishes a day): median {statistics.median(ordered) * 1000:.1f} ms, "
            f"p95 {p95 * 1000:.1f} ms (CPU median {statistics.median(cpus) * 1000:.1f} ms), {len(ctx)} queries"
        )
    finally:
        connection.close()
        if dbname:
            import psycopg

            with psycopg.connect(args.postgres + "postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {dbname}")


if __name__ == "__main__":
    main()
