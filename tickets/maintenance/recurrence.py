"""A plan's dates, as pure functions: RFC 5545 RRULE semantics through python-dateutil's ``rrule``.

A monthly plan on the 31st skips the months without one (RRULE semantics, not "the last day"); a yearly plan on
29 February occurs in leap years only. Floating moves a date that is not a working day of the contract's calendar
(a weekend, a public holiday) to the next working day, and a 调休 Saturday counts as a working day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import rrule

from tickets.sla.clock import WorkCalendar, is_working_day

FREQUENCIES = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "monthly": rrule.MONTHLY, "yearly": rrule.YEARLY}
#: How far ahead a plan is searched for its first date when it is saved: a rule with none in that time is refused.
HORIZON_YEARS = 10
MAX_FLOAT_DAYS = 60  # the longest run of non-working days in a year is ~10 (Spring Festival); 60 means no hours


@dataclass(frozen=True)
class Recurrence:
    frequency: str  # a key of FREQUENCIES
    interval: int
    starts_on: date
    ends_on: date | None = None
    weekdays: Sequence[int] = ()  # 0 = Monday, for weekly plans
    month: int | None = None  # for yearly plans
    day: int | None = None


def build_rule(spec: Recurrence, *, until: date | None = None) -> rrule.rrule:
    """The dateutil rule; ``until`` caps it (the earlier of it and the plan's end)."""
    end = min(d for d in (spec.ends_on, until) if d is not None) if (spec.ends_on or until) else None
    kwargs: dict = {
        "freq": FREQUENCIES[spec.frequency],
        "interval": spec.interval,
        "dtstart": datetime.combine(spec.starts_on, datetime.min.time()),
        # Always bounded: an impossible rule (30 February) then ends instead of searching forever.
        "until": datetime.combine(
            end or spec.starts_on.replace(year=spec.starts_on.year + HORIZON_YEARS), datetime.min.time()
        ),
    }
    if spec.frequency == "weekly" and spec.weekdays:
        kwargs["byweekday"] = sorted(set(spec.weekdays))
    if spec.frequency == "yearly" and spec.month and spec.day:
        kwargs["bymonth"] = spec.month
        kwargs["bymonthday"] = spec.day
    return rrule.rrule(**kwargs)


def first_date(spec: Recurrence) -> date | None:
    """The plan's first date within its end or the horizon; None when it never occurs."""
    found = build_rule(spec).after(datetime.combine(spec.starts_on, datetime.min.time()), inc=True)
    return found.date() if found else None


def dates_between(spec: Recurrence, start: date, end: date) -> list[date]:
    """Scheduled dates in [start, end], before any floating."""
    rule = build_rule(spec, until=end)
    return [
        d.date()
        for d in rule.between(
            datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time()), inc=True
        )
    ]


def float_forward(day: date, calendar: WorkCalendar) -> date:
    """``day`` if it is a working day, else the next working day of the calendar."""
    for offset in range(MAX_FLOAT_DAYS):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate, calendar):
            return candidate
    raise ValueError(f"no working day within {MAX_FLOAT_DAYS} days of {day.isoformat()}")


def due_dates(days: Iterable[date], *, floating: bool, calendar: WorkCalendar) -> list[tuple[date, date]]:
    """(scheduled, due) pairs: the due date floated to a working day when the plan says so."""
    return [(day, float_forward(day, calendar) if floating else day) for day in days]
