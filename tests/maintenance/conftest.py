import pytest

from tickets.maintenance.models import Equipment, EquipmentCategory


@pytest.fixture
def lift(world):
    return Equipment.objects.create(
        code="lift-b1-1",
        name="1号楼客梯",
        category=EquipmentCategory.LIFT,
        compound=world.compound,
        building=world.building,
        make="奥的斯",
        model="GeN2",
        serial="OT-2019-0042",
        contract=world.contract,
    )


@pytest.fixture
def plan_values(world, lift):
    """A valid plan's values: every 15 days from 2026-01-01, on the world's property contract."""
    from datetime import date

    return {
        "title": "电梯半月保养",
        "equipment": lift,
        "contract": world.contract,
        "category": world.leak,
        "frequency": "daily",
        "interval": 15,
        "starts_on": date(2026, 1, 1),
    }


SH = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")


def at(y, m, d, hour=9, minute=0):
    from datetime import datetime

    return datetime(y, m, d, hour, minute, tzinfo=SH)


@pytest.fixture
def checklist(world):
    """The lift's half-monthly checklist: a pass/fail item and a measured one (noise ≤ 60 dB). A failed item files
    a repair under the world's leak category (routed to the world's contract)."""
    from decimal import Decimal

    from tickets.models import ChecklistItem, ChecklistTemplate

    template = ChecklistTemplate.objects.create(
        service_line="property", name="电梯半月保养检查表", rectification_category=world.leak
    )
    ChecklistItem.objects.create(template=template, sort=1, text="曳引机运行平稳", kind="pass_fail")
    ChecklistItem.objects.create(
        template=template, sort=2, text="轿厢运行噪音", kind="measure", unit="dB", limit=Decimal("60")
    )
    return template


@pytest.fixture
def items(checklist):
    return list(checklist.items.order_by("sort"))


@pytest.fixture
def checked_plan(world, plan_values, checklist):
    from tickets.maintenance.services import plan_create

    return plan_create(actor=world.dave, now=at(2025, 12, 31), checklist=checklist, **plan_values)


@pytest.fixture
def order(world, checked_plan):
    """The plan's 16 January occurrence, opened by the beat that morning, accepted and started by Wang."""
    from tickets.maintenance.models import MaintenanceOccurrence
    from tickets.maintenance.services import planned_maintenance_run
    from tickets.services.transitions import transition

    planned_maintenance_run(now=at(2026, 1, 16, 8))
    occurrence = MaintenanceOccurrence.objects.get(plan=checked_plan, scheduled_on="2026-01-16")
    transition(service_request=occurrence.service_request, action="accept", actor=world.wang, now=at(2026, 1, 16, 9))
    transition(service_request=occurrence.service_request, action="start", actor=world.wang, now=at(2026, 1, 16, 9, 5))
    occurrence.refresh_from_db()
    return occurrence
