"""Reads for the pages and the API, each in a fixed number of queries whatever the number of diners or dishes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from canteen.days import ServingDays, bookable_error, cutoff_at, meal_starts_at, week_of
from canteen.models import (
    SAMPLE_MIN_HOURS,
    BookingMode,
    Canteen,
    Dish,
    DishRating,
    FoodSample,
    HeadCount,
    HeadCountNotice,
    MealBooking,
    MealService,
    MenuChange,
    MenuStatus,
    WeeklyMenu,
)
from canteen.services.headcounts import live_count
from tickets.models import User


@dataclass
class MealCell:
    service: MealService
    day: date
    serves: bool
    eating: bool
    guests: int
    refusal: str  # why it cannot be changed now ("" when it can)
    cutoff: datetime
    dishes: list[Dish] = field(default_factory=list)
    changes: list[MenuChange] = field(default_factory=list)
    rateable: bool = False
    my_ratings: dict[int, int] = field(default_factory=dict)


@dataclass
class BookingWeek:
    canteen: Canteen
    week_start: date
    days: list[date]
    services: list[MealService]
    rows: list[tuple[date, list[MealCell]]]
    changes_for_me: list[MenuChange]


def booking_week_view(*, user: User, canteen: Canteen, week_start: date, now: datetime) -> BookingWeek:
    """The booking page: every meal of the week with the user's choice, the menu and whether it may change."""
    days = week_of(week_start)
    services = list(canteen.services.filter(active=True).select_related("canteen"))
    serving = ServingDays(canteen, days[0], days[-1])
    mine = {
        (b.service_id, b.date): b
        for b in MealBooking.objects.filter(service__canteen=canteen, date__in=days).filter(diner=user)
    }
    guests = {
        (b.service_id, b.date): b.guests
        for b in MealBooking.objects.filter(
            service__canteen=canteen,
            date__in=days,
            diner__isnull=True,
            unit_id=user.unit_id or 0,  # no unit, no guests
        )
    }
    dishes: dict[tuple[str, date], list[Dish]] = {}
    for dish in Dish.objects.filter(
        menu__canteen=canteen, menu__status=MenuStatus.PUBLISHED, date__in=days, withdrawn=False
    ):
        dishes.setdefault((dish.meal, dish.date), []).append(dish)
    changes: dict[tuple[str, date], list[MenuChange]] = {}
    for change in MenuChange.objects.filter(menu__canteen=canteen, date__in=days).order_by("created_at"):
        changes.setdefault((change.meal, change.date), []).append(change)
    ratings = dict(
        DishRating.objects.filter(diner=user, dish__menu__canteen=canteen, dish__date__in=days).values_list(
            "dish_id", "stars"
        )
    )
    opt_in = canteen.booking_mode == BookingMode.OPT_IN
    rows = []
    for_me: list[MenuChange] = []
    for day in days:
        cells = []
        for service in services:
            booking = mine.get((service.pk, day))
            eating = bool(booking.eating) if booking else not opt_in
            serves = serving.serves(day)
            key = (service.meal, day)
            cell = MealCell(
                service=service,
                day=day,
                serves=serves,
                eating=serves and eating,
                guests=guests.get((service.pk, day), 0),
                refusal=bookable_error(service, day, now, serving),
                cutoff=cutoff_at(service, day),
                dishes=dishes.get(key, []),
                changes=changes.get(key, []),
                rateable=serves and eating and meal_starts_at(service, day) <= now,
                my_ratings=ratings,
            )
            if cell.eating:
                for_me += cell.changes
            cells.append(cell)
        if any(c.serves for c in cells):
            rows.append((day, cells))
    return BookingWeek(canteen, days[0], days, services, rows, for_me)


@dataclass
class DayService:
    service: MealService
    head_count: HeadCount | None
    live: tuple[int, int] | None
    dishes: list[Dish]
    sampled: set[str]

    @property
    def samples_missing(self) -> list[Dish]:
        return [d for d in self.dishes if d.name not in self.sampled]


def operator_day_view(*, canteen: Canteen, day: date, now: datetime) -> dict[str, Any]:
    services = list(canteen.services.filter(active=True).select_related("canteen"))
    counts = {h.service_id: h for h in HeadCount.objects.filter(service__canteen=canteen, date=day)}
    dishes: dict[str, list[Dish]] = {}
    for dish in Dish.objects.filter(
        menu__canteen=canteen, menu__status=MenuStatus.PUBLISHED, date=day, withdrawn=False
    ):
        dishes.setdefault(dish.meal, []).append(dish)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    samples = list(
        FoodSample.objects.filter(canteen=canteen, taken_at__gte=start, taken_at__lt=start + timedelta(days=1))
    )
    sampled = {s.dish_name for s in samples}
    rows = [
        DayService(
            service=s,
            head_count=counts.get(s.pk),
            live=None if s.pk in counts else live_count(s, day),
            dishes=dishes.get(s.meal, []),
            sampled=sampled,
        )
        for s in services
    ]
    keep_until = now - timedelta(hours=SAMPLE_MIN_HOURS)
    return {
        "rows": rows,
        "samples": samples,
        "to_dispose": list(
            FoodSample.objects.filter(canteen=canteen, disposed_at__isnull=True, taken_at__lte=keep_until)[:50]
        ),
        "waste": canteen.waste.filter(date=day).first(),
    }


def unread_notices(user: User) -> QuerySet[HeadCountNotice]:
    return HeadCountNotice.objects.filter(recipient=user, read_at__isnull=True).select_related(
        "head_count__service__canteen"
    )


def menus_visible_to(user: User) -> QuerySet[WeeklyMenu]:
    from canteen.permissions import canteens_managed_by

    return (
        WeeklyMenu.objects.filter(canteen__in=canteens_managed_by(user))
        .select_related("canteen")
        .annotate(dish_count=Count("dishes"))
        .order_by("-week_start", "canteen__code")
    )
