"""Seed a PostgreSQL database with a year of requests through COPY (issue #17: 1M in ≤ 10 minutes), one command:

    .venv/bin/python bench/seed_pg.py --postgres postgres://postgres@127.0.0.1:5432/ --keep sd_bench_1m --rows 1000000

The database is made and migrated, the world of `core_bench.seed` built (3 compounds, 6 buildings, 60 rooms,
5 categories, one contract), plus `--users` staff; then requests, their events (filed; accepted, started, resolved
and closed for the finished; the breach at the deadline for those that broke it), comments and ratings are streamed
with COPY in the usual mix: 15k open from the last 30 days, the rest finished over the year with measured durations,
~5 % breaching resolution, 70 % of the closed rated. The words for the search index are cut once per title
template. The other benches then reuse the database with `--postgres … --keep sd_bench_1m`.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from core_bench import NOW, OPEN_MIX, OPEN_ROWS, URGENCY_MIX, arguments, bench_world, open_database, pick

TITLES = [
    ("卫生间水龙头漏水", "洗手池下面一直滴水"),
    ("会议室空调不制冷", "开了两个小时还是很热"),
    ("办公室灯管不亮", "一排灯管闪烁后熄灭"),
    ("门锁损坏打不开", "钥匙插进去转不动"),
    ("走廊地面湿滑", "保洁后未放警示牌"),
    ("电梯按钮失灵", "三楼的按钮按下去没反应"),
    ("投影仪无法开机", "会议前请尽快处理"),
    ("暖气片漏水", "地板已经积水"),
    ("窗户关不严", "刮风时有很大的声音"),
    ("垃圾未及时清运", "楼道垃圾桶已满"),
    ("插座没有电", "电脑无法充电"),
    ("下水道堵塞", "厨房水池排水很慢"),
]


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--users", type=int, default=5000)
    args = parser.parse_args()
    if not args.postgres or not args.keep:
        parser.error("--postgres and --keep (the database name) are required")
    open_database(args)
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    from tickets.models import ServiceRequest

    if ServiceRequest.objects.exists():
        print(f"{args.keep} already holds {ServiceRequest.objects.count()} requests")
        return
    world, people = bench_world(args.users)
    print(f"world and {args.users} users in {time.perf_counter() - started:.1f} s")
    counts = _copy_all(world, people, args.rows)
    print(f"copied {counts} in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        for table in ("tickets_servicerequest", "tickets_event", "tickets_comment", "tickets_feedback"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    print(f"seeded {args.rows} requests on postgresql in {time.perf_counter() - started:.1f} s")


def _copy_all(world: Any, people: dict[str, Any], rows: int) -> dict[str, int]:
    from django.db import connection
    from psycopg.types.json import Jsonb

    from tickets.models import ServiceRequest
    from tickets.search import index_text

    rnd = random.Random(7)
    version = world.policy.current_version()
    tokens = {t: index_text(*t) for t in TITLES}
    fields = [f for f in ServiceRequest._meta.concrete_fields if not f.generated and f.attname != "id"]  # type: ignore[attr-defined]
    columns = ["id", *(f.column for f in fields)]
    # Each column's value as the row gives it, else the field's default (a JSON default wrapped for COPY).
    defaults = [
        (f.attname, Jsonb(f.get_default()) if isinstance(f.get_default(), dict | list) else f.get_default())
        for f in fields
    ]
    event_cols = ["id", "request_id", "kind", "actor_id", "on_behalf_of", "action", "from_status", "to_status"]
    event_cols += ["changes", "note", "created_at", "dedupe_key"]
    counts = {"requests": 0, "events": 0, "comments": 0, "feedback": 0}
    events: list[tuple[Any, ...]] = []
    comments: list[tuple[Any, ...]] = []
    feedback: list[tuple[Any, ...]] = []
    wang, bob, contractor_party = world.wang.pk, world.bob.pk, f"服务商:{world.contractor}"
    tables = ("tickets_servicerequest", "tickets_event", "tickets_comment", "tickets_feedback")
    with connection.cursor() as cursor:
        raw = cursor.cursor
        # Bulk-load practice: the secondary indexes built once after the load instead of row by row, and the
        # foreign-key triggers off for the load (the rows are made consistent here).
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
        with raw.copy(f"COPY tickets_servicerequest ({', '.join(columns)}) FROM STDIN") as copy:
            for pk in range(1, rows + 1):
                is_open = pk <= OPEN_ROWS
                created = NOW - timedelta(days=rnd.uniform(0, 30) if is_open else rnd.uniform(0, 365))
                building = rnd.choice(people["buildings"])
                requester = rnd.choice(people["requesters"])
                title, description = rnd.choice(TITLES)
                status = pick(rnd, OPEN_MIX) if is_open else rnd.choices(["closed", "cancelled"], [95, 5])[0]
                response_due = created + timedelta(minutes=30)
                resolution_due = created + timedelta(hours=rnd.choice([4, 8, 24, 72]))
                done = not is_open and status == "closed"
                responded = created + timedelta(minutes=rnd.randint(3, 40)) if done else None
                resolved = resolution_due + timedelta(minutes=rnd.randint(-200, 60)) if done else None
                if resolved is not None and responded is not None and resolved <= responded:
                    resolved = responded + timedelta(minutes=30)
                closed = resolved + timedelta(hours=rnd.randint(1, 48)) if resolved else None
                rating = rnd.choices([5, 4, 3, 2, 1], [60, 25, 8, 4, 3])[0] if done and rnd.random() < 0.7 else None
                req = dict(
                    kind="property",
                    category=rnd.choice(people["categories"]),
                    service_line="property",
                    urgency=pick(rnd, URGENCY_MIX),
                    title=f"{building.name}{title}",
                    description=description,
                    requester=requester,
                    filed_by=requester,
                    unit_id=requester.unit_id,
                    compound_id=building.compound_id,
                    building=building,
                    room=rnd.choice(people["rooms"][building.pk]),
                    status=status,
                    contract=world.contract,
                    contractor=world.contractor,
                    assignee_id=wang if (is_open and pk % 3) or done else None,
                    policy_version=version,
                    calendar=world.calendar,
                    clock_started_at=created,
                    resolution_clock_from=created,
                    response_due=response_due,
                    resolution_due=resolution_due,
                    responded_at=responded,
                    resolved_at=resolved,
                    closed_at=closed if status == "closed" else (created + timedelta(hours=1) if not is_open else None),
                    response_minutes=int((responded - created).total_seconds() // 60) if responded else None,
                    resolution_minutes=int((resolved - created).total_seconds() // 60) if resolved else None,
                    response_breached=bool(responded and responded > response_due),
                    resolution_breached=bool(resolved and resolved > resolution_due),
                    rating=rating,
                    next_sla_check_at=NOW + timedelta(minutes=rnd.randint(10, 60 * 24 * 3)) if is_open else None,
                    search_tokens=tokens[(title, description)],
                    created_at=created,
                    updated_at=closed or created,
                )
                for name in ("category", "requester", "filed_by", "building", "room", "contract", "contractor"):
                    req[f"{name}_id"] = req.pop(name).pk
                req["policy_version_id"], req["calendar_id"] = req.pop("policy_version").pk, req.pop("calendar").pk
                copy.write_row([pk, *(req.get(att, default) for att, default in defaults)])
                counts["requests"] += 1
                steps = [("created", "", "", "submitted", created, None)]
                if done:
                    assert responded is not None and resolved is not None and closed is not None
                    steps += [
                        ("transition", "accept", "submitted", "accepted", responded, bob),
                        ("transition", "start", "accepted", "in_progress", responded + timedelta(minutes=5), wang),
                        ("transition", "resolve", "in_progress", "resolved", resolved, wang),
                        ("transition", "confirm", "resolved", "closed", closed, requester.pk),
                    ]
                for kind, action, src, dst, at, actor in steps:
                    party = "" if actor in (None, requester.pk) else contractor_party
                    events.append((kind, pk, action, src, dst, at, actor, party, None))
                if req["resolution_breached"]:  # the sweep's breach event, at the deadline
                    key = f"breach:{pk}:resolution:0"
                    events.append(("sla_breach", pk, "", "", "", resolution_due, None, "", key))
                if rnd.random() < 0.1:
                    comments.append((pk, requester.pk, "请尽快处理，谢谢", created + timedelta(minutes=10)))
                if rating is not None:
                    assert closed is not None
                    place = (building.compound_id, building.pk)
                    feedback.append((pk, rating, requester.pk, req["category_id"], *place, closed))
        with raw.copy(f"COPY tickets_event ({', '.join(event_cols)}) FROM STDIN") as copy:
            for n, (kind, pk, action, src, dst, at, actor, party, key) in enumerate(events, start=1):
                changes = Jsonb({"target": "resolution"} if key else {})
                copy.write_row([n, pk, kind, actor, party, action, src, dst, changes, "", at, key])
        counts["events"] = len(events)
        comment_cols = "id, request_id, author_id, body, internal, created_at"
        with raw.copy(f"COPY tickets_comment ({comment_cols}) FROM STDIN") as copy:
            for n, (pk, author, body, at) in enumerate(comments, start=1):
                copy.write_row([n, pk, author, body, False, at])
        counts["comments"] = len(comments)
        cols = "id, request_id, rating, comment, rated_by_id, contractor_id, category_id, compound_id, building_id"
        with raw.copy(f"COPY tickets_feedback ({cols}, service_line, created_at) FROM STDIN") as copy:
            for n, (pk, rating, by, category, compound, building, at) in enumerate(feedback, start=1):
                row = [n, pk, rating, "", by, world.contractor.pk, category, compound, building, "property", at]
                copy.write_row(row)
        counts["feedback"] = len(feedback)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
    return counts


if __name__ == "__main__":
    main()
