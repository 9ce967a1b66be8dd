"""Fixtures and the run's figures for the reliability suite.

Each test adds what it checked to ``figures`` (endpoints × roles, fuzz cases, racing attempts, faults injected,
leaks, 5xx, double effects). At the end of the session the figures are merged into
``test-artifacts/reliability.json`` under the database vendor, and one summary line is printed, so that
docs/reliability.md can be refreshed from a real run.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "test-artifacts" / "reliability.json"
FIGURES: Counter[str] = Counter()


def long_run() -> bool:
    """`.ci/reliability` sets RELIABILITY_LONG=1 for the on-demand, longer versions."""
    return os.environ.get("RELIABILITY_LONG", "") not in ("", "0")


@pytest.fixture
def figures() -> Counter[str]:
    return FIGURES


def pytest_sessionfinish(session, exitstatus):
    if not FIGURES:
        return
    vendor = "postgresql" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"
    data: dict[str, Any] = {}
    if ARTIFACT.exists():
        try:
            data = json.loads(ARTIFACT.read_text())
        except ValueError:
            data = {}
    # merged, so that running one file refreshes its own figures and keeps the others'
    merged = {**data.get(vendor, {}), **FIGURES, "long": long_run(), "exit_status": int(exitstatus)}
    data[vendor] = dict(sorted(merged.items()))
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        line = ", ".join(f"{k}={v}" for k, v in sorted(FIGURES.items()))
        terminalreporter.write_line(f"reliability figures: {line}")


# --- the objects the permission matrix points at ------------------------------------------------------------

ROLES = (
    "anonymous",
    "requester",
    "requester2",
    "approver",
    "contractor_a",
    "contractor_b",
    "supervisor_other",
    "admin",
)


@dataclass
class Objects:
    """Two of each scoped object: ``a`` belongs to Alice, her unit and contractor A; ``b`` to Erin and
    contractor B. A role's own object is ``b`` for Erin and contractor B, ``a`` for everyone else."""

    world: Any
    fleet: Any
    users: dict[str, dict[str, Any]]  # scope -> role -> user (None for anonymous)
    a: dict[str, Any] = field(default_factory=dict)
    b: dict[str, Any] = field(default_factory=dict)

    def user(self, scope: str, role: str) -> Any:
        return self.users[scope][role]

    def pick(self, kind: str, role: str, own: bool) -> Any:
        mine_is_b = role in ("requester2", "contractor_b")
        use_b = mine_is_b if own else not mine_is_b
        return (self.b if use_b else self.a)[kind]


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return buf.getvalue()


def build_objects(world: Any) -> Objects:
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from fleet.demo import build_fleet_reference
    from fleet.filing import trip_request_create
    from fleet.models import Driver, LicenceClass
    from tests.factories import BuildingFactory, ContractorFactory, FloorFactory, RoomFactory, UserFactory
    from tests.tickets.helpers import at
    from tickets.models import (
        ChecklistTemplate,
        Complaint,
        Contract,
        Event,
        Export,
        Inspection,
        InspectionPhoto,
        MonthlyReport,
        Notification,
        PenaltyEvent,
        Role,
        Scorecard,
        ScorecardAppeal,
        ScoringScheme,
        ServiceLine,
    )
    from tickets.services.comments import attachment_add
    from tickets.services.requests import request_create

    w = world
    now = at(2026, 3, 10, 9, 0)
    # Contractor B holds the contract of the north compound, where Erin files.
    b_building = BuildingFactory(compound=w.other_compound, code="n1", name="北1号楼")
    b_room = RoomFactory(floor=FloorFactory(building=b_building, level=2), number="201")
    contract_b = Contract.objects.create(
        code="WY2-2026",
        name="北院物业服务合同",
        contractor=w.other_contractor,
        service_line=ServiceLine.PROPERTY,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        sla_policy=w.policy,
        calendar=w.calendar,
        monthly_fee=Decimal("80000"),
    )
    contract_b.categories.add(w.repair)
    contract_b.compounds.add(w.other_compound)

    objs = Objects(world=w, fleet=None, users={})
    req_a = request_create(actor=w.alice, category=w.leak, room=w.room, title="301 漏水", now=now)
    req_b = request_create(actor=w.erin, category=w.leak, room=b_room, title="201 漏水", now=now)
    assert req_a.contractor_id == w.contractor.pk and req_b.contractor_id == w.other_contractor.pk
    objs.a.update(request=req_a, contract=w.contract, room=w.room, building=w.building)
    objs.b.update(request=req_b, contract=contract_b, room=b_room, building=b_building)
    for side, req, owner in ((objs.a, req_a, w.alice), (objs.b, req_b, w.erin)):
        side["attachment"] = attachment_add(
            service_request=req, actor=owner, upload=SimpleUploadedFile("p.png", png_bytes(), "image/png"), now=now
        )
        side["complaint"] = Complaint.objects.create(
            request=req,
            source=Complaint.Source.values[0],
            service_line=req.service_line,
            contractor_id=req.contractor_id,
            summary="态度差",
            callback_due=now,
            created_at=now,
        )
        side["scorecard"] = Scorecard.objects.create(
            contract=side["contract"],
            month=date(2026, 2, 1),
            score=Decimal(90),
            monthly_fee=Decimal(1),
            fee_payable=Decimal(1),
            amount_payable=Decimal(1),
            created_at=now,
            state=Scorecard.State.SIGNED,
            signed_at=now,
        )
        ScoringScheme.objects.create(contract=side["contract"], updated_at=now)
        side["penalty"] = PenaltyEvent.objects.create(
            contract=side["contract"],
            month=date(2026, 2, 1),
            severity="minor",
            amount=Decimal(500),
            description="值守人员脱岗",
            recorded_by=w.carol,
            occurred_at=now,
        )
        side["appeal"] = ScorecardAppeal.objects.create(
            contract=side["contract"],
            month=date(2026, 2, 1),
            scorecard=side["scorecard"],
            text="申诉",
            submitted_by=w.bob if side is objs.a else w.zed,
            submitted_at=now,
        )
    template = ChecklistTemplate.objects.create(
        service_line=ServiceLine.PROPERTY, name="保洁检查", rectification_category=w.cleaning
    )
    for side, compound in ((objs.a, w.compound), (objs.b, w.other_compound)):
        side["inspection"] = Inspection.objects.create(
            template=template,
            contract=side["contract"],
            compound=compound,
            inspector=w.carol,
            inspected_at=now,
            score=Decimal(95),
            created_at=now,
        )
        photo = InspectionPhoto(
            inspection=side["inspection"],
            stored_name="p.png",
            original_name="p.png",
            content_type="image/png",
            size=len(png_bytes()),
        )
        photo.file.save("p.png", ContentFile(png_bytes()), save=False)
        photo.save()
        side["inspection_photo"] = photo
    objs.a.update(category=w.leak, compound=w.compound)
    objs.b.update(category=w.cleaning, compound=w.other_compound)
    _maintenance_objects(objs, now)
    # exports and notifications are personal: Alice's and Erin's
    for side, owner in ((objs.a, w.alice), (objs.b, w.erin)):
        export = Export(owner=owner, created_at=now, state=Export.State.DONE, finished_at=now)
        export.file.save("x.xlsx", ContentFile(b"PK"), save=False)
        export.save()
        side["export"] = export
    event_a = Event.objects.filter(request=req_a).first()
    monthly = MonthlyReport(month=date(2026, 2, 1), generated_at=now)
    monthly.file.save("m.xlsx", ContentFile(b"PK"), save=False)
    monthly.save()
    objs.a["monthly"] = objs.b["monthly"] = monthly

    # fleet: contractor A is the car-service company, contractor B another one; the "other line" is property
    ref = build_fleet_reference(compounds=[w.compound])
    other = ContractorFactory(code="car2", name="顺风汽车服务", service_line=ServiceLine.VEHICLES)
    zhou = UserFactory(username="zhou", full_name="周师傅", contractor=other, role=Role.WORKER)
    Driver.objects.create(user=zhou, licence_class=LicenceClass.C1, licence_expires=date(2030, 1, 1))
    trip_kw = {
        "category": ref.trip_category,
        "compound": w.compound,
        "purpose": "开会",
        "passenger_count": 1,
        "origin": "南院",
        "destination": "市政府",
        "slot_start": at(2026, 3, 10, 14),
        "slot_end": at(2026, 3, 10, 17),
        "now": now,
    }
    objs.a["trip"] = trip_request_create(actor=w.alice, **trip_kw)
    objs.b["trip"] = trip_request_create(actor=w.erin, **trip_kw)
    objs.a["trip_request"], objs.b["trip_request"] = objs.a["trip"].request, objs.b["trip"].request
    objs.a["vehicle"] = objs.b["vehicle"] = ref.vehicles[0]
    objs.fleet = ref

    _office_objects(objs, b_room, now)

    property_users = {
        "anonymous": None,
        "requester": w.alice,
        "requester2": w.erin,
        "approver": w.uma,
        "contractor_a": w.bob,
        "contractor_b": w.zed,
        "supervisor_other": w.vic,
        "admin": w.dave,
    }
    canteen_users = _canteen_objects(objs, w)
    objs.users = {
        "property": property_users,
        "fleet": {**property_users, "contractor_a": ref.dispatcher, "contractor_b": zhou, "supervisor_other": w.carol},
        "canteen": {**property_users, **canteen_users},
    }
    # each named user has a notification of their own (their "own" object); the other is Erin's or Alice's
    for user in {u for scope in objs.users.values() for u in scope.values() if u is not None}:
        Notification.objects.get_or_create(
            recipient=user, event=event_a, defaults={"request": req_a, "title": "t", "created_at": timezone.now()}
        )
    return objs


def _canteen_objects(objs: Objects, w: Any) -> dict[str, Any]:
    """Canteen A (南院, Alice's unit) run by Olga's company, canteen B (北院, Erin's unit) by Xu's; the "other
    line" is the property supervisor. Each side has a published menu, a dish, a frozen head count and a sample."""
    from datetime import timedelta

    from canteen.models import Meal
    from canteen.services import headcounts, logs, menus
    from tests.canteen.conftest import at as local
    from tests.canteen.conftest import build_canteen_world, published_menu

    cw = build_canteen_world(w)
    monday = date(2026, 5, 4)
    north_lunch = cw.other_canteen.services.get(meal=Meal.LUNCH)
    menu_b = menus.menu_create(actor=cw.xu, canteen=cw.other_canteen, week_start=monday, now=local(2026, 4, 29))
    for offset in range(2, 5):
        menus.dish_add(
            actor=cw.xu,
            menu=menu_b,
            date=monday + timedelta(days=offset),
            meal=Meal.LUNCH,
            name="鱼",
            category="meat",
            now=local(2026, 4, 29),
        )
    for side, menu, canteen, lunch, cook in (
        (objs.a, published_menu(cw, monday, now=local(2026, 4, 29)), cw.canteen, cw.lunch, cw.kai),
        (objs.b, menu_b, cw.other_canteen, north_lunch, cw.xu),
    ):
        side["canteen_menu"] = menu
        side["canteen_dish"] = menu.dishes.first()
        side["canteen_count"] = headcounts.head_count_freeze(
            service=lunch, day=date(2026, 5, 6), now=local(2026, 5, 6, 10)
        )
        side["canteen_sample"] = logs.sample_record(
            actor=cook,
            canteen=canteen,
            dish_name="鱼",
            weight_g="100",
            taken_at=local(2026, 5, 6, 11),
            keeper="k",
            now=local(2026, 5, 6, 12),
        )
    return {"contractor_a": cw.olga, "contractor_b": cw.xu, "supervisor_other": w.carol}


def _office_objects(objs: Objects, b_room: Any, now: Any) -> None:
    """Office space: Alice's unit holds her room (301) and Erin's unit the other (201); each has a person seated, a
    space request filed by Alice or Erin, and the bureau has a stored over-standard check. The bureau's own
    office-space staff are not a role of the matrix: the admin stands for them."""
    from offices import services as office_services
    from offices import steps as office_steps
    from offices.models import Purpose

    w = objs.world
    for side, room, unit, filer in ((objs.a, w.room, w.unit, w.alice), (objs.b, b_room, w.other_unit, w.erin)):
        side["allocation"] = office_services.allocation_create(
            actor=w.dave, room=room, unit=unit, starts_on=date(2026, 1, 1), now=now
        )
        person = office_services.person_create(actor=w.dave, name="某", unit=unit, level="municipal", rank="staff")
        side["seat"] = office_services.seat_assign(actor=w.dave, person=person, room=room, since=date(2026, 1, 2))
        side["office_room"], side["floor"], side["unit"] = room, room.floor, unit
        side["space_request"] = office_steps.space_request_file(
            actor=filer, purpose=Purpose.NEW, compound=room.floor.building.compound, area_requested=Decimal(18),
            headcount=1, reason="新增", now=now,
        )  # fmt: skip
        side["space_core"] = side["space_request"].service_request
        leaving = office_services.person_create(actor=w.dave, name="离", unit=unit, level="municipal", rank="staff")
        office_services.seat_assign(actor=w.dave, person=leaving, room=room, since=date(2026, 1, 2))
        (side["vacating"],) = office_services.person_depart(
            actor=w.dave, person=leaving, reason="transfer", on=date(2026, 1, 31), now=now
        )
    objs.a["norm_check"] = objs.b["norm_check"] = office_services.norm_scan(actor=w.dave, now=now)


@pytest.fixture
def objects(world) -> Objects:
    return build_objects(world)


def _maintenance_objects(objs: Objects, now: Any) -> None:
    """Planned maintenance: side a's item and work order on contract A, side b's on contract B."""
    from tickets.maintenance.models import (
        Equipment,
        EquipmentWork,
        MaintenanceOccurrence,
        MaintenancePlan,
        OccurrenceStatus,
        WorkSource,
    )

    w = objs.world
    for side, code in ((objs.a, "lift-a"), (objs.b, "lift-b")):
        item = Equipment.objects.create(
            code=code, name="客梯", category="lift", compound=side["compound"], contract=side["contract"]
        )
        plan = MaintenancePlan.objects.create(
            title="电梯保养", equipment=item, compound=side["compound"], contract=side["contract"],
            category=w.leak, frequency="daily", interval=15, starts_on=now.date(), effective_from=now.date(),
            filed_by=w.dave, updated_at=now,
        )  # fmt: skip
        side["equipment"] = item
        side["plan"] = plan
        side["occurrence"] = MaintenanceOccurrence.objects.create(
            plan=plan, scheduled_on=now.date(), due_on=now.date(), opens_on=now.date(), closes_on=now.date(),
            status=OccurrenceStatus.OPENED, service_request=side["request"], opened_at=now,
        )  # fmt: skip
        side["work"] = EquipmentWork.objects.create(
            equipment=item, service_request=side["request"], source=WorkSource.REPAIR, created_at=now
        )
