"""The canteen world on top of the core's: 南院食堂 run by 禾丰餐饮, serving 发改委 (Alice, Uma) but not 财政局
(Erin). Olga dispatches for the canteen contractor, Kai cooks, Xu works for another canteen contractor, Cao
supervises canteens for the bureau. Lunch: cut-off 10:00 the same day; breakfast: 20:00 the day before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from canteen.apps import COMPLAINT_KIND
from canteen.models import BookingMode, Canteen, Meal, MealService, WeeklyMenu
from canteen.services import menus
from tests.factories import ContractorFactory, UserFactory, make_policy
from tickets.models import BusinessCalendar, Category, Contract, Role, ServiceLine, Urgency, User

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@dataclass
class CanteenWorld:
    core: object
    canteen: Canteen
    other_canteen: Canteen
    breakfast: MealService
    lunch: MealService
    dinner: MealService
    complaint_category: Category
    rectify_category: Category
    contract: Contract
    olga: User  # canteen contractor dispatcher (the operator)
    kai: User  # canteen contractor cook
    xu: User  # another canteen contractor's dispatcher
    cao: User  # bureau supervisor, canteens


def build_canteen_world(world) -> CanteenWorld:
    contractor = ContractorFactory(code="hefeng", name="禾丰餐饮", service_line=ServiceLine.CANTEEN)
    other = ContractorFactory(code="weiyi", name="味益餐饮", service_line=ServiceLine.CANTEEN)
    calendar = BusinessCalendar.objects.create(name="食堂工作日")
    canteen = Canteen.objects.create(
        code="south",
        name="南院食堂",
        compound=world.compound,
        building=world.building,
        contractor=contractor,
        calendar=calendar,
        booking_mode=BookingMode.OPT_IN,
    )
    canteen.units.add(world.unit)
    other_canteen = Canteen.objects.create(
        code="north",
        name="北院食堂",
        compound=world.other_compound,
        contractor=other,
        calendar=calendar,
        booking_mode=BookingMode.OPT_OUT,
    )
    other_canteen.units.add(world.other_unit)
    breakfast = MealService.objects.create(
        canteen=canteen,
        meal=Meal.BREAKFAST,
        serves_from=time(7, 0),
        serves_until=time(8, 30),
        cutoff_time=time(20, 0),
        cutoff_days_before=1,
    )
    lunch = MealService.objects.create(
        canteen=canteen, meal=Meal.LUNCH, serves_from=time(11, 30), serves_until=time(13, 0), cutoff_time=time(10, 0)
    )
    dinner = MealService.objects.create(
        canteen=canteen,
        meal=Meal.DINNER,
        serves_from=time(17, 30),
        serves_until=time(19, 0),
        cutoff_time=time(15, 0),
    )
    MealService.objects.create(
        canteen=other_canteen,
        meal=Meal.LUNCH,
        serves_from=time(11, 30),
        serves_until=time(13, 0),
        cutoff_time=time(10, 0),
    )
    root = Category.objects.create(
        code="canteen", name="食堂意见", service_line=ServiceLine.CANTEEN, kind=COMPLAINT_KIND
    )
    dish_cat = Category.objects.create(
        code="canteen-dish", name="菜品质量", parent=root, service_line=ServiceLine.CANTEEN, kind=COMPLAINT_KIND
    )
    rectify = Category.objects.create(
        code="canteen-rectify",
        name="食堂整改",
        parent=root,
        service_line=ServiceLine.CANTEEN,
        kind=COMPLAINT_KIND,
        default_urgency=Urgency.URGENT,
    )
    canteen.rectification_category = rectify
    canteen.save(update_fields=["rectification_category"])
    contract = Contract.objects.create(
        code="CY-2026",
        name="南院食堂餐饮服务合同",
        contractor=contractor,
        service_line=ServiceLine.CANTEEN,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        sla_policy=make_policy("canteen-std"),
        calendar=calendar,
        monthly_fee=Decimal("200000"),
    )
    contract.categories.add(root)
    contract.compounds.add(world.compound)
    return CanteenWorld(
        core=world,
        canteen=canteen,
        other_canteen=other_canteen,
        breakfast=breakfast,
        lunch=lunch,
        dinner=dinner,
        complaint_category=dish_cat,
        rectify_category=rectify,
        contract=contract,
        olga=UserFactory(username="olga", full_name="孙经理", contractor=contractor, role=Role.DISPATCHER),
        kai=UserFactory(username="kai", full_name="周师傅", contractor=contractor, role=Role.WORKER),
        xu=UserFactory(username="xu", full_name="许调度", contractor=other, role=Role.DISPATCHER),
        cao=UserFactory(username="cao", full_name="曹主管", role=Role.SUPERVISOR, service_line=ServiceLine.CANTEEN),
    )


@pytest.fixture
def cw(world) -> CanteenWorld:
    return build_canteen_world(world)


def published_menu(cw: CanteenWorld, week_start: date, *, now: datetime, dishes=None) -> WeeklyMenu:
    """A menu drafted by Olga, approved by Cao and published, with the dishes given (day offset, meal, name, cat)."""
    from datetime import timedelta

    menu = menus.menu_create(actor=cw.olga, canteen=cw.canteen, week_start=week_start, now=now)
    for offset, meal, name, category in dishes or [
        (d, Meal.LUNCH, name, cat) for d in range(6) for name, cat in (("红烧肉", "meat"), ("清炒时蔬", "vegetable"))
    ]:
        menus.dish_add(
            actor=cw.olga,
            menu=menu,
            date=week_start + timedelta(days=offset),
            meal=meal,
            name=name,
            category=category,
            now=now,
        )
    menus.menu_step(actor=cw.olga, menu=menu, action="submit", now=now)
    menus.menu_step(actor=cw.cao, menu=menu, action="approve", now=now)
    return menus.menu_step(actor=cw.olga, menu=menu, action="publish", now=now)
