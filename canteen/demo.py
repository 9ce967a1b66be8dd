"""Demo data for the canteen module: three canteens, their meals and cut-offs, and (with history) four weeks of
menus, bookings, frozen head counts, ratings, samples (one flagged) and waste, plus one open complaint.

``load_canteen_demo(history=...)`` runs after the core's demo (places, units, people, the canteen contractor and
its contract, the canteen complaint categories); it is idempotent: a second run changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from canteen.days import ServingDays, meal_starts_at, week_of
from canteen.models import (
    BookingMode,
    Canteen,
    Dish,
    DishCategory,
    LogChecklist,
    Meal,
    MealBooking,
    MealService,
    WeeklyMenu,
)
from canteen.services import assessment, bookings, feedback, headcounts, logs, menus
from tickets.exceptions import ActionForbidden
from tickets.models import (
    Building,
    BusinessCalendar,
    Category,
    ChecklistItem,
    ChecklistTemplate,
    Compound,
    Contract,
    Contractor,
    Role,
    ServiceLine,
    Unit,
    User,
)

SERVING_HOURS = [["06:30", "19:30"]]
# (code, name, compound, building, booking mode, unit buildings, meals)
CANTEENS = [
    ("south", "南院机关食堂", "south", "s2", BookingMode.OPT_IN, ("s1", "s2"), ("breakfast", "lunch", "dinner")),
    ("north", "北院机关食堂", "north", "n2", BookingMode.OPT_OUT, ("n1", "n2"), ("breakfast", "lunch")),
    ("cppcc", "政协机关食堂", "cppcc", "zx1", BookingMode.OPT_IN, ("zx1",), ("lunch",)),
]
MEALS = {
    "breakfast": (time(7, 0), time(8, 30), time(20, 0), 1),
    "lunch": (time(11, 30), time(13, 0), time(10, 0), 0),
    "dinner": (time(17, 30), time(19, 0), time(15, 0), 0),
}
DISHES = {
    "breakfast": [("豆浆油条", DishCategory.STAPLE), ("小笼包", DishCategory.STAPLE), ("白粥", DishCategory.SOUP)],
    "lunch": [
        ("红烧肉", DishCategory.MEAT),
        ("宫保鸡丁", DishCategory.MEAT),
        ("清蒸鲈鱼", DishCategory.MEAT),
        ("糖醋排骨", DishCategory.MEAT),
        ("番茄炒蛋", DishCategory.VEGETABLE),
        ("清炒时蔬", DishCategory.VEGETABLE),
        ("麻婆豆腐", DishCategory.VEGETABLE),
        ("米饭", DishCategory.STAPLE),
        ("紫菜蛋花汤", DishCategory.SOUP),
    ],
    "dinner": [("青椒肉丝", DishCategory.MEAT), ("炒青菜", DishCategory.VEGETABLE), ("面条", DishCategory.STAPLE)],
}
WEEKS_BACK = 4


def load_canteen_demo(*, history: bool = True, weeks: int = WEEKS_BACK) -> list[tuple[str, str, str]]:
    """The loader ``load_demo`` calls (declared as the kind's ``demo_loader``). Returns the log-ins to print: the
    canteen contractor's dispatcher (the operator) and the bureau's canteen supervisor, when the core made them."""
    from tickets.demo import PASSWORD

    canteen_demo(history=history, weeks=weeks)
    logins = [("食堂运营（调度）", "st_diaodu"), ("管理处室（餐饮）", "jg_canyin")]
    return [(label, name, PASSWORD) for label, name in logins if User.objects.filter(username=name).exists()]


def canteen_demo(*, history: bool = True, weeks: int = WEEKS_BACK) -> dict[str, int]:
    """Canteens, meals and cut-offs; with ``history``, the weeks of menus, bookings, counts and logs. Counts."""
    contractor = Contractor.objects.filter(code="hefeng").first()
    if contractor is None:
        return {}
    calendar, _created = BusinessCalendar.objects.get_or_create(
        name="机关食堂供餐日",
        defaults={
            "weekly_hours": {str(d): SERVING_HOURS for d in range(5)},
            "observes_public_holidays": True,
        },
    )
    rectify = Category.objects.filter(code="canteen-hygiene").first()
    canteens = []
    for code, name, compound_code, building_code, mode, unit_buildings, meals in CANTEENS:
        compound = Compound.objects.filter(code=compound_code).first()
        if compound is None:
            continue
        canteen, created = Canteen.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "compound": compound,
                "building": Building.objects.filter(compound=compound, code=building_code).first(),
                "contractor": contractor,
                "calendar": calendar,
                "booking_mode": mode,
                "rectification_category": rectify,
            },
        )
        if created:
            canteen.units.set(_units_in(unit_buildings))
            for meal in meals:
                start, end, cutoff, before = MEALS[meal]
                MealService.objects.create(
                    canteen=canteen,
                    meal=meal,
                    serves_from=start,
                    serves_until=end,
                    cutoff_time=cutoff,
                    cutoff_days_before=before,
                    price=Decimal("12.00") if meal == "lunch" else None,
                )
        canteens.append(canteen)
    _log_assessment(canteens, contractor, rectify)
    if not history or not canteens or WeeklyMenu.objects.exists():
        return {"canteens": len(canteens)}
    return _history(canteens, contractor, weeks)


def _units_in(buildings: tuple[str, ...]) -> list[Unit]:
    # A unit dines where it sits: the demo's units are placed by building in tickets/demo/tables.py.
    from tickets.demo.tables import UNITS

    codes = [code for code, _name, _parent, building, _floors in UNITS if building in buildings]
    return list(Unit.objects.filter(code__in=codes))


def _history(canteens: list[Canteen], contractor: Contractor, weeks_back: int) -> dict[str, int]:
    rng = random.Random(14)
    now = timezone.now()
    today = timezone.localdate(now)
    operator = User.objects.filter(contractor=contractor, role=Role.DISPATCHER).first()
    cook = User.objects.filter(contractor=contractor, role=Role.WORKER).first() or operator
    bureau = User.objects.filter(role=Role.SUPERVISOR, service_line="canteen").first()
    if operator is None or bureau is None or cook is None:
        return {}
    this_week = week_of(today)[0]
    weeks = [this_week - timedelta(days=7 * n) for n in range(weeks_back, 0, -1)] + [this_week]
    counts = {"menus": 0, "head_counts": 0, "samples": 0}
    for canteen in canteens:
        with transaction.atomic():
            services = list(canteen.services.select_related("canteen"))
            diners = list(User.objects.filter(unit__in=canteen.units.all(), is_active=True, contractor__isnull=True))
            for week in [*weeks, this_week + timedelta(days=7)]:
                drafted = now if week > this_week else _local(week - timedelta(days=4), time(9))
                menu = menus.menu_create(actor=operator, canteen=canteen, week_start=week, now=drafted)
                serving = ServingDays(canteen, week, week + timedelta(days=6))
                for day in serving.days(week_of(week)):
                    for service in services:
                        for name, category in rng.sample(DISHES[service.meal], k=min(4, len(DISHES[service.meal]))):
                            menus.dish_add(
                                actor=operator,
                                menu=menu,
                                date=day,
                                meal=service.meal,
                                name=name,
                                category=category,
                                now=drafted,
                            )
                if not menu.dishes.exists():
                    continue
                menus.menu_step(actor=operator, menu=menu, action="submit", now=drafted)
                counts["menus"] += 1
                if week > this_week:
                    continue  # next week's menu waits for the bureau's approval
                menus.menu_step(actor=bureau, menu=menu, action="approve", now=drafted + timedelta(hours=3))
                menus.menu_step(actor=operator, menu=menu, action="publish", now=drafted + timedelta(hours=4))
                _week_of_meals(rng, canteen, services, diners, week, serving, now, counts, cook)
        _complaint(rng, canteen, diners, today, now)
    # Last month's samples and waste as an inspection of the contract (what the beat does on the 1st).
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    for config in LogChecklist.objects.select_related("canteen"):
        try:
            assessment.log_inspection_record(canteen=config.canteen, month=last_month, now=now)
        except (ValidationError, ActionForbidden):
            continue
        counts["log_inspections"] = counts.get("log_inspections", 0) + 1
    return counts


def _log_assessment(canteens: list[Canteen], contractor: Contractor, rectify: Category | None) -> None:
    """The south canteen's samples and waste feed its contract's scorecard: a checklist the logs fill and its
    setting (the bureau keeps both in the admin)."""
    south = next((c for c in canteens if c.code == "south"), None)
    inspector = User.objects.filter(username="jg_canyin").first()
    contract = Contract.objects.filter(contractor=contractor, service_line=ServiceLine.CANTEEN).first()
    if south is None or inspector is None or contract is None or rectify is None:
        return
    if LogChecklist.objects.filter(canteen=south).exists() or not contract.compounds.filter(pk=south.compound_id):
        return
    template = ChecklistTemplate.objects.create(
        service_line=ServiceLine.CANTEEN, name="食堂留样与浪费月检", rectification_category=rectify
    )
    kind = ChecklistItem.Kind
    items = [
        ChecklistItem.objects.create(
            template=template, sort=1, text="留样不足125克的份数", kind=kind.MEASURE, points=30, unit="份", limit=0
        ),
        ChecklistItem.objects.create(
            template=template, sort=2, text="留样保存不少于48小时", kind=kind.PASS_FAIL, points=30
        ),
        ChecklistItem.objects.create(
            template=template, sort=3, text="人均餐厨垃圾", kind=kind.MEASURE, points=40, unit="g/人", limit=150
        ),
    ]
    LogChecklist.objects.create(
        canteen=south,
        contract=contract,
        template=template,
        underweight_item=items[0],
        early_disposal_item=items[1],
        waste_item=items[2],
        inspector=inspector,
    )


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _week_of_meals(rng, canteen, services, diners, week, serving, now, counts, cook) -> None:
    opt_in = canteen.booking_mode == BookingMode.OPT_IN
    for day in serving.days(week_of(week)):
        rows = []
        for service in services:
            booked_at = _local(day - timedelta(days=1), time(16))
            if booked_at > now:
                continue
            for person in diners:
                choose = rng.random() < (0.7 if service.meal == Meal.LUNCH else 0.25)
                if opt_in and choose:
                    rows.append(_booking(service, day, person, True, booked_at))
                elif not opt_in and rng.random() < 0.12:
                    rows.append(_booking(service, day, person, False, booked_at))
        # The demo's past bookings are written in bulk: thousands of rows, each as booking_set would leave it.
        MealBooking.objects.bulk_create(rows, ignore_conflicts=True)
        for service in services:
            meal_at = meal_starts_at(service, day)
            if meal_at > now:
                continue
            count = headcounts.head_count_freeze(service=service, day=day, now=meal_at - timedelta(hours=1))
            if count is None:
                continue
            counts["head_counts"] += 1
            served = max(0, round(count.total * rng.uniform(0.88, 1.02)))
            headcounts.head_count_record_served(actor=cook, head_count=count, served=served, now=meal_at)
            _ratings_and_samples(rng, canteen, service, day, meal_at, now, cook, counts, diners)
        if _local(day, time(20)) <= now:
            logs.waste_record(
                actor=cook,
                canteen=canteen,
                day=day,
                waste_kg=Decimal(str(round(rng.uniform(0.04, 0.09) * max(len(diners), 1), 2))),
                diners=max(len(diners), 1),
                now=_local(day, time(20)),
            )


def _booking(service, day, person, eating, at) -> MealBooking:
    return MealBooking(
        service=service,
        date=day,
        diner=person,
        unit_id=person.unit_id,
        eating=eating,
        booked_by=person,
        created_at=at,
        updated_at=at,
    )


def _ratings_and_samples(rng, canteen, service, day, meal_at, now, cook, counts, diners) -> None:
    dishes = list(
        Dish.objects.filter(
            menu__canteen=canteen, menu__status="published", date=day, meal=service.meal, withdrawn=False
        ).select_related("menu")
    )
    people = rng.sample(diners, k=min(20, len(diners)))
    eaters = [p for p in people if bookings.eats(p, service, day)][:6]
    for dish in dishes:
        for person in rng.sample(eaters, k=min(3, len(eaters))):
            feedback.rating_add(
                actor=person, dish=dish, stars=rng.choice([3, 4, 4, 5, 5]), now=meal_at + timedelta(hours=1)
            )
        taken = meal_at - timedelta(minutes=20)
        if service.meal != Meal.LUNCH or taken > now:
            continue
        # One sample in the demo is short weight, so the flag and the rectification can be seen.
        weight = "110" if counts["samples"] == 3 else str(rng.choice([130, 140, 150, 160]))
        sample = logs.sample_record(
            actor=cook,
            canteen=canteen,
            dish=dish,
            dish_name=dish.name,
            weight_g=weight,
            taken_at=taken,
            keeper=str(cook),
            now=meal_at,
        )
        counts["samples"] += 1
        kept = taken + timedelta(hours=49)
        if kept <= now:
            logs.sample_dispose(actor=cook, sample=sample, disposed_at=kept, now=kept)


def _complaint(rng, canteen, diners, today, now) -> None:
    category = Category.objects.filter(code="canteen-dish").first()
    if category is None or not diners or canteen.code != "south":
        return
    service = canteen.services.filter(meal=Meal.LUNCH).first()
    feedback.complaint_file(
        actor=rng.choice(diners),
        canteen=canteen,
        category=category,
        title="午餐红烧肉偏咸",
        description="今天午餐的红烧肉偏咸，建议少放酱油。",
        service=service,
        day=today,
        now=now - timedelta(hours=2),
    )
