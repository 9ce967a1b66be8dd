"""Serving days and cut-offs: the canteen's working-day calendar from the core, plus its own exceptions.

A day is served when the canteen's ``BusinessCalendar`` makes it a working day (a public holiday is not, a 调休
Saturday is) unless a ``ServiceDay`` row says otherwise. A meal's cut-off is ``cutoff_time`` on the serving
day, or that many calendar days before it (``cutoff_days_before``), in Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from canteen.models import Canteen, MealService, ServiceDay
from tickets.sla.calendars import load_work_calendar
from tickets.sla.clock import WorkCalendar, is_working_day


class ServingDays:
    """Which days a canteen serves in a window: reads its calendar and its exceptions once."""

    def __init__(self, canteen: Canteen, start: date, end: date, *, work_calendar: WorkCalendar | None = None):
        self.canteen = canteen
        self.work_calendar = work_calendar or load_work_calendar(canteen.calendar)
        self.overrides = dict(
            ServiceDay.objects.filter(canteen=canteen, date__gte=start, date__lte=end).values_list("date", "serves")
        )

    def serves(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return is_working_day(day, self.work_calendar)

    def days(self, days: Iterable[date]) -> list[date]:
        return [d for d in days if self.serves(d)]


def serves_on(canteen: Canteen, day: date) -> bool:
    return ServingDays(canteen, day, day).serves(day)


def cutoff_at(service: MealService, day: date) -> datetime:
    moment = datetime.combine(day - timedelta(days=service.cutoff_days_before), service.cutoff_time)
    return timezone.make_aware(moment, timezone.get_default_timezone())


def meal_starts_at(service: MealService, day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, service.serves_from), timezone.get_default_timezone())


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


def bookable_error(service: MealService, day: date, now: datetime, serving: ServingDays | None = None) -> str:
    """Why the meal cannot be booked or changed now ("" when it can)."""
    serving = serving or ServingDays(service.canteen, day, day)
    label = date_format(day, "Y-m-d") if day else ""
    if not service.active or not serving.serves(day):
        return _("%(date)s %(canteen)s不供应%(meal)s。") % {
            "date": label,
            "canteen": service.canteen.name,
            "meal": service.get_meal_display(),
        }
    cutoff = cutoff_at(service, day)
    if now >= cutoff:
        return _("%(date)s%(meal)s的报餐已于%(cutoff)s截止，不能再更改。") % {
            "date": label,
            "meal": service.get_meal_display(),
            "cutoff": date_format(timezone.localtime(cutoff), "Y-m-d H:i"),
        }
    return ""


def require_bookable(service: MealService, day: date, now: datetime, serving: ServingDays | None = None) -> None:
    message = bookable_error(service, day, now, serving)
    if message:
        raise ValidationError({"date": [message]})
