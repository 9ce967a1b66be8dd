"""Loaders of the demo's reference data: places, catalogue and contracts, people; and the summary of what the
demo holds. Keyed by natural keys and written with update_or_create, so a second run changes nothing."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from tickets.demo.tables import (
    ADMIN_GROUP,
    APPROVERS,
    BASEMENT_ROOMS,
    BUILDINGS,
    BUREAU_STAFF,
    CALENDARS,
    CANTEEN_ROOMS,
    CATEGORIES,
    COMPOUNDS,
    CONTRACTOR_DOMAINS,
    CONTRACTOR_STAFF,
    CONTRACTORS,
    CONTRACTS,
    FEE_GROWTH,
    LEAD_AREAS,
    MOBILE_PREFIXES,
    OFFICE_AREAS,
    PASSWORD,
    POLICIES,
    REQUESTERS,
    SUPERUSER,
    UNITS,
)
from tickets.models import (
    OPEN_STATUSES,
    Building,
    BusinessCalendar,
    Category,
    Complaint,
    Compound,
    Contract,
    Contractor,
    Event,
    EventKind,
    Feedback,
    Floor,
    OrganLevel,
    Role,
    Room,
    RoomFunction,
    ServiceRequest,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTargetRow,
    Unit,
    User,
)


def _area(rng: random.Random, buckets: list[tuple[tuple[int, int], int]]) -> Decimal:
    (low, high), _w = rng.choices(buckets, weights=[w for _b, w in buckets])[0]
    return Decimal(f"{rng.uniform(low, high):.1f}0")


def floor_rooms(building: str, level: int, layout: str, size: int) -> list[tuple[str, str, Decimal]]:
    """(number, function, usable area) of one floor, the same on every run."""
    rng = random.Random(f"rooms:{building}:{level}")
    prefix = f"B{-level}" if level < 0 else str(level)

    def number(i: int) -> str:
        return f"{prefix}{i:02d}"

    if layout == "basement":
        return [(number(i), fn, Decimal(area)) for i, (fn, area) in enumerate(BASEMENT_ROOMS[:size], start=1)]
    if layout in CANTEEN_ROOMS:
        return [(number(i), fn, Decimal(area)) for i, (fn, area) in enumerate(CANTEEN_ROOMS[layout], start=1)]
    rooms: list[tuple[str, str, Decimal]] = []
    if layout == "meeting_center":
        meeting_areas = {1: [198, 120, 86], 2: [160, 96, 72, 64], 3: [136, 88, 60]}[level]
        for i, m2 in enumerate(meeting_areas, start=1):
            rooms.append((number(i), RoomFunction.MEETING, Decimal(m2)))
        i = len(rooms)
        for fn, m2 in [
            (RoomFunction.SERVICE, 28),
            (RoomFunction.EQUIPMENT, 12),
            (RoomFunction.TOILET, 22),
            (RoomFunction.TOILET, 22),
        ][: size - i]:
            i += 1
            rooms.append((number(i), fn, Decimal(m2)))
        return rooms
    areas = LEAD_AREAS if layout == "lead" else OFFICE_AREAS
    for i in range(1, size + 1):
        if i == size or i == size - 1:
            fn, area = RoomFunction.TOILET, Decimal(f"{rng.uniform(14, 24):.1f}0")
        elif i == size - 2:
            fn, area = RoomFunction.SERVICE, Decimal(f"{rng.uniform(8, 18):.1f}0")  # 茶水间/文印室
        elif i == size - 3 and layout != "lead":
            fn, area = RoomFunction.EQUIPMENT, Decimal(f"{rng.uniform(6, 12):.1f}0")  # 弱电间
        elif i == 1 and (level % 2 == 1 or layout == "lead"):
            fn, area = RoomFunction.MEETING, Decimal(rng.randrange(60, 121, 2))
        else:
            fn, area = RoomFunction.OFFICE, _area(rng, areas)
        rooms.append((number(i), fn, area))
    return rooms


def load_reference() -> None:
    """Compounds, buildings, floors and rooms; using units; contractors; working calendars."""
    with transaction.atomic():
        compounds = {}
        for code, name, address in COMPOUNDS:
            compounds[code], _ = Compound.objects.update_or_create(
                code=code, defaults={"name": name, "address": address}
            )
        for compound_code, code, name, floors in BUILDINGS:
            building, _ = Building.objects.update_or_create(
                compound=compounds[compound_code], code=code, defaults={"name": name}
            )
            existing = set(Room.objects.filter(floor__building=building).values_list("floor__level", "number"))
            new_rooms = []
            for level, layout, size in floors:
                floor, _ = Floor.objects.get_or_create(
                    building=building, level=level, defaults={"name": f"B{-level}" if level < 0 else f"{level}F"}
                )
                for number, function, area in floor_rooms(code, level, layout, size):
                    if (level, number) not in existing:
                        new_rooms.append(Room(floor=floor, number=number, function=function, usable_area=area))
            Room.objects.bulk_create(new_rooms)
        units: dict[str, Unit] = {}
        for code, name, parent, _building, _floors in UNITS:
            units[code], _ = Unit.objects.update_or_create(
                code=code,
                defaults={"name": name, "parent": units.get(parent), "level": OrganLevel.MUNICIPAL, "active": True},
            )
        for code, name, line, contact, phone in CONTRACTORS:
            Contractor.objects.update_or_create(
                code=code,
                defaults={"name": name, "service_line": line, "contact_name": contact, "contact_phone": phone},
            )
        for name, values in CALENDARS:
            BusinessCalendar.objects.update_or_create(name=name, defaults=values)


def load_catalogue(today: date | None = None) -> None:
    """SLA policies, the catalogue tree and the contracts of last year and this year."""
    today = today or timezone.localdate()
    with transaction.atomic():
        policies: dict[str, SlaPolicy] = {}
        for code, (name, note, rows) in POLICIES.items():
            policy, _ = SlaPolicy.objects.update_or_create(code=code, defaults={"name": name})
            policies[code] = policy
            # Versions are immutable once requests use them: only the first one is created here.
            version, created = SlaPolicyVersion.objects.get_or_create(
                policy=policy, number=1, defaults={"warn_percent": 80, "note": note}
            )
            if created:
                SlaTargetRow.objects.bulk_create(
                    SlaTargetRow(
                        version=version,
                        urgency=urgency,
                        response_minutes=resp,
                        arrival_minutes=arr,
                        resolution_minutes=res,
                        business_time=business,
                    )
                    for urgency, (resp, arr, res, business) in rows.items()
                )
        categories: dict[str, Category] = {}
        for sort, cat in enumerate(CATEGORIES, start=1):
            categories[cat.code], _ = Category.objects.update_or_create(
                code=cat.code,
                defaults={
                    "parent": categories.get(cat.parent),
                    "name": cat.name,
                    "name_en": cat.name_en,
                    "kind": cat.kind,
                    "service_line": cat.line,
                    "default_urgency": cat.urgency,
                    "sla_policy": policies[cat.policy] if cat.policy else None,
                    "needs_approval": cat.needs_approval,
                    "required_fields": list(cat.required),
                    "min_photos": cat.photos,
                    "active": True,
                    "sort": sort * 10,
                },
            )
        contractors = {c.code: c for c in Contractor.objects.all()}
        calendars = {c.name: c for c in BusinessCalendar.objects.all()}
        compounds = {c.code: c for c in Compound.objects.all()}
        for year in sorted({2025, 2026, today.year - 1, today.year}):
            for stem, name, contractor, line, roots, where, policy_code, calendar_name, fee in CONTRACTS:
                # Renewals step the price; rounded to hundreds of yuan.
                yearly_fee = (fee * FEE_GROWTH ** (year - 2026) / 100).quantize(Decimal(1)) * 100
                contract, _ = Contract.objects.update_or_create(
                    code=f"{stem}-{year}",
                    defaults={
                        "name": f"{year}年度{name}",
                        "contractor": contractors[contractor],
                        "service_line": line,
                        "starts_on": date(year, 1, 1),
                        "ends_on": date(year, 12, 31),
                        "sla_policy": policies[policy_code],
                        "calendar": calendars[calendar_name],
                        "monthly_fee": yearly_fee.quantize(Decimal("0.01")),
                        "active": True,
                    },
                )
                if roots:  # the vehicles contract's categories belong to the fleet module
                    contract.categories.set([categories[code] for code in roots])
                contract.compounds.set([compounds[code] for code in where])


def _phone(username: str) -> str:
    rng = random.Random(f"phone:{username}")
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def load_users() -> list[tuple[str, str, str]]:
    """About 70 people of every role; returns one log-in per role: (role label, username, password).

    New accounts get the demo password; existing ones keep theirs (someone may have changed it).
    """
    validate_password(PASSWORD, User(username="demo-check"))
    hashed = make_password(PASSWORD)  # hashing is slow on purpose: hash once, share it
    units = {u.code: u for u in Unit.objects.all()}
    contractors = {c.code: c for c in Contractor.objects.all()}
    people: list[dict[str, Any]] = []
    for username, name, unit in REQUESTERS:
        people.append({"username": username, "full_name": name, "role": Role.REQUESTER, "unit": units[unit]})
    for username, name, unit in APPROVERS:
        people.append({"username": username, "full_name": name, "role": Role.UNIT_APPROVER, "unit": units[unit]})
    for username, name, contractor, role in CONTRACTOR_STAFF:
        people.append(
            {
                "username": username,
                "full_name": name,
                "role": role,
                "contractor": contractors[contractor],
                "email": f"{username.split('_', 1)[1]}@{CONTRACTOR_DOMAINS[contractor]}",
            }
        )
    for username, name, role, line in BUREAU_STAFF:
        people.append(
            {
                "username": username,
                "full_name": name,
                "role": role,
                "service_line": line,
                "unit": units["jgswj"],
                "is_staff": role == Role.ADMIN,
            }
        )
    username, name = SUPERUSER
    people.append(
        {
            "username": username,
            "full_name": name,
            "role": Role.ADMIN,
            "unit": units["jgswj"],
            "is_staff": True,
            "is_superuser": True,
        }
    )
    with transaction.atomic():
        admins = []
        for person in people:
            defaults = {
                "full_name": person["full_name"],
                "phone": _phone(person["username"]),
                "email": person.get("email", f"{person['username']}@example.gov.cn"),
                "role": person["role"],
                "unit": person.get("unit"),
                "contractor": person.get("contractor"),
                "service_line": person.get("service_line", ""),
                "is_staff": person.get("is_staff", False),
                "is_superuser": person.get("is_superuser", False),
                "is_active": True,
            }
            user, created = User.objects.update_or_create(username=person["username"], defaults=defaults)
            if created:
                user.password = hashed
                user.save(update_fields=["password"])
            if person["role"] == Role.ADMIN and not user.is_superuser:
                admins.append(user)
        group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label__in=["tickets", "fleet", "canteen", "offices"])
        )
        for user in admins:
            user.groups.add(group)
    return demo_logins()


def demo_logins() -> list[tuple[str, str, str]]:
    picks = [
        (str(Role.REQUESTER.label), REQUESTERS[0][0]),
        (str(Role.UNIT_APPROVER.label), APPROVERS[0][0]),
        (f"{Role.DISPATCHER.label}（物业）", "wy_diaodu"),
        (f"{Role.WORKER.label}（物业）", "wy_wangshifu"),
        (f"{Role.DISPATCHER.label}（食堂）", "st_diaodu"),
        (f"{Role.DISPATCHER.label}（用车）", "cl_diaodu"),
        (f"{Role.SUPERVISOR.label}（物业）", "jg_wuye"),
        (str(Role.ADMIN.label), "jg_admin"),
        ("超级管理员", SUPERUSER[0]),
    ]
    return [(label, username, PASSWORD) for label, username in picks]


def counts() -> dict[str, int]:
    """What the demo holds, for the command's summary and the tests."""
    requests = ServiceRequest.objects.all()
    return {
        "compounds": Compound.objects.count(),
        "buildings": Building.objects.count(),
        "floors": Floor.objects.count(),
        "rooms": Room.objects.count(),
        "units": Unit.objects.count(),
        "contractors": Contractor.objects.count(),
        "calendars": BusinessCalendar.objects.count(),
        "sla_policies": SlaPolicy.objects.count(),
        "categories": Category.objects.count(),
        "leaf_categories": Category.objects.annotate(n=Count("children")).filter(n=0).count(),
        "contracts": Contract.objects.count(),
        "users": User.objects.count(),
        "requests": requests.count(),
        "open_requests": requests.filter(status__in=OPEN_STATUSES).count(),
        "events": Event.objects.count(),
        "feedback": Feedback.objects.count(),
        "complaints": Complaint.objects.count(),
        "breached_requests": requests.filter(
            Q(response_breached=True) | Q(arrival_breached=True) | Q(resolution_breached=True)
        ).count(),
        "breach_events": Event.objects.filter(kind=EventKind.SLA_BREACH).count(),
    }


COUNT_LABELS = {
    "compounds": "院区",
    "buildings": "楼栋",
    "floors": "楼层",
    "rooms": "房间",
    "units": "使用单位",
    "contractors": "服务商",
    "calendars": "工作日历",
    "sla_policies": "SLA策略",
    "categories": "服务目录",
    "leaf_categories": "可报修分类",
    "contracts": "服务合同",
    "users": "用户",
    "requests": "服务请求",
    "open_requests": "未办结请求",
    "events": "事件",
    "feedback": "评价",
    "complaints": "投诉",
    "breached_requests": "超时请求",
    "breach_events": "超时事件",
}
