"""factory_boy factories and a small named world: Alice files, Bob dispatches, Wang works, Carol supervises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import factory

from tickets.models import (
    Building,
    BusinessCalendar,
    Category,
    Compound,
    Contract,
    Contractor,
    Floor,
    Role,
    Room,
    ServiceLine,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTargetRow,
    Unit,
    Urgency,
    User,
)


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    code = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"院区{n}")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    compound = factory.SubFactory(CompoundFactory)
    code = factory.Sequence(lambda n: f"b{n}")
    name = factory.Sequence(lambda n: f"{n}号楼")


class FloorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Floor

    building = factory.SubFactory(BuildingFactory)
    level = factory.Sequence(lambda n: n % 30 + 1)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    floor = factory.SubFactory(FloorFactory)
    number = factory.Sequence(lambda n: f"{100 + n}")
    usable_area = Decimal("18.00")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"u{n}")
    name = factory.Sequence(lambda n: f"单位{n}")


class ContractorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contractor

    code = factory.Sequence(lambda n: f"k{n}")
    name = factory.Sequence(lambda n: f"服务公司{n}")
    service_line = ServiceLine.PROPERTY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gov.cn")
    role = Role.REQUESTER
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_policy(code: str = "property-std", *, warn: int = 80, business: bool = True) -> SlaPolicy:
    policy = SlaPolicy.objects.create(code=code, name=f"物业标准 {code}")
    version = SlaPolicyVersion.objects.create(policy=policy, number=1, warn_percent=warn)
    # minutes: response, arrival, resolution
    for urgency, (resp, arr, res) in {
        Urgency.CRITICAL: (15, 15, 120),
        Urgency.URGENT: (30, 30, 240),
        Urgency.NORMAL: (60, 120, 450),
        Urgency.SCHEDULED: (240, None, 900),
    }.items():
        SlaTargetRow.objects.create(
            version=version,
            urgency=urgency,
            response_minutes=resp,
            arrival_minutes=arr,
            resolution_minutes=res,
            business_time=business,
        )
    return policy


@dataclass
class World:
    compound: Compound
    other_compound: Compound
    building: Building
    room: Room
    unit: Unit
    other_unit: Unit
    contractor: Contractor
    other_contractor: Contractor
    calendar: BusinessCalendar
    policy: SlaPolicy
    repair: Category
    leak: Category
    cleaning: Category
    contract: Contract
    alice: User  # requester
    erin: User  # another requester, other unit
    uma: User  # unit approver of Alice's unit
    bob: User  # dispatcher of the property contractor
    wang: User  # worker of the property contractor
    zed: User  # worker of another contractor
    carol: User  # bureau supervisor, property
    vic: User  # bureau supervisor, vehicles
    dave: User  # bureau admin


def build_world() -> World:
    compound = CompoundFactory(code="south", name="南院")
    other_compound = CompoundFactory(code="north", name="北院")
    building = BuildingFactory(compound=compound, code="b1", name="1号楼")
    floor = FloorFactory(building=building, level=3)
    room = RoomFactory(floor=floor, number="301")
    unit = UnitFactory(code="fgw", name="发改委")
    other_unit = UnitFactory(code="czj", name="财政局")
    contractor = ContractorFactory(code="wy", name="恒安物业")
    other_contractor = ContractorFactory(code="wy2", name="顺达物业")
    calendar = BusinessCalendar.objects.create(name="物业工作日")
    policy = make_policy()
    repair = Category.objects.create(code="repair", name="物业维修", service_line=ServiceLine.PROPERTY)
    leak = Category.objects.create(
        code="leak", name="漏水", parent=repair, service_line=ServiceLine.PROPERTY, default_urgency=Urgency.URGENT
    )
    cleaning = Category.objects.create(code="cleaning", name="保洁", service_line=ServiceLine.PROPERTY)
    contract = Contract.objects.create(
        code="WY-2026",
        name="南院物业服务合同",
        contractor=contractor,
        service_line=ServiceLine.PROPERTY,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        sla_policy=policy,
        calendar=calendar,
        monthly_fee=Decimal("100000"),
    )
    contract.categories.add(repair)
    contract.compounds.add(compound)
    return World(
        compound=compound,
        other_compound=other_compound,
        building=building,
        room=room,
        unit=unit,
        other_unit=other_unit,
        contractor=contractor,
        other_contractor=other_contractor,
        calendar=calendar,
        policy=policy,
        repair=repair,
        leak=leak,
        cleaning=cleaning,
        contract=contract,
        alice=UserFactory(username="alice", full_name="李爱丽", unit=unit),
        erin=UserFactory(username="erin", full_name="赵二琳", unit=other_unit),
        uma=UserFactory(username="uma", full_name="孙审核", unit=unit, role=Role.UNIT_APPROVER),
        bob=UserFactory(username="bob", full_name="王调度", contractor=contractor, role=Role.DISPATCHER),
        wang=UserFactory(username="wang", full_name="王师傅", contractor=contractor, role=Role.WORKER),
        zed=UserFactory(username="zed", full_name="周其他", contractor=other_contractor, role=Role.WORKER),
        carol=UserFactory(
            username="carol", full_name="陈主管", role=Role.SUPERVISOR, service_line=ServiceLine.PROPERTY
        ),
        vic=UserFactory(username="vic", full_name="魏车管", role=Role.SUPERVISOR, service_line=ServiceLine.VEHICLES),
        dave=UserFactory(username="dave", full_name="局管理员", role=Role.ADMIN),
    )
