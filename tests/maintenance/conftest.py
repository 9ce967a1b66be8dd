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
