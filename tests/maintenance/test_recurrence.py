"""A plan's dates against hand-computed 2026 dates: the State Council notice's holidays and 调休 days (the
migration's table), floating to the next working day where the plan says so and staying put where it does not."""

from datetime import date

import pytest

from tickets.maintenance.recurrence import Recurrence, dates_between, due_dates, first_date
from tickets.sla.calendars import load_work_calendar

pytestmark = pytest.mark.django_db


def _due(world, spec, start, end, *, floating):
    calendar = load_work_calendar(world.calendar)
    return due_dates(dates_between(spec, start, end), floating=floating, calendar=calendar)


def test_monthly_on_the_first_floats_over_new_year_and_labour_day(world):
    spec = Recurrence(frequency="monthly", interval=1, starts_on=date(2026, 1, 1))
    got = dict(_due(world, spec, date(2026, 1, 1), date(2026, 12, 31), floating=True))
    # 1 Jan: holiday (1–3), 4 Jan is a 调休 Sunday → the 4th. 1 Feb: Sunday → Mon 2nd. 1 Mar: Sunday → 2nd.
    # 1 May: holiday (1–5) → Wed 6th. 1 Aug: Saturday → Mon 3rd. 1 Nov: Sunday → 2nd. 1 Oct: holiday (1–7) → Thu 8th.
    assert got[date(2026, 1, 1)] == date(2026, 1, 4)
    assert got[date(2026, 2, 1)] == date(2026, 2, 2)
    assert got[date(2026, 3, 1)] == date(2026, 3, 2)
    assert got[date(2026, 4, 1)] == date(2026, 4, 1)
    assert got[date(2026, 5, 1)] == date(2026, 5, 6)
    assert got[date(2026, 8, 1)] == date(2026, 8, 3)
    assert got[date(2026, 10, 1)] == date(2026, 10, 8)
    assert got[date(2026, 11, 1)] == date(2026, 11, 2)
    assert len(got) == 12


def test_not_floating_stays_on_holidays(world):
    spec = Recurrence(frequency="monthly", interval=1, starts_on=date(2026, 1, 1))
    got = _due(world, spec, date(2026, 1, 1), date(2026, 12, 31), floating=False)
    assert all(scheduled == due for scheduled, due in got)
    assert [d for d, _ in got][:5] == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
        date(2026, 4, 1),
        date(2026, 5, 1),
    ]


def test_every_fifteen_days_across_spring_festival(world):
    spec = Recurrence(frequency="daily", interval=15, starts_on=date(2026, 1, 1))
    got = _due(world, spec, date(2026, 1, 1), date(2026, 3, 31), floating=True)
    assert got == [
        (date(2026, 1, 1), date(2026, 1, 4)),  # 元旦 → the 调休 Sunday
        (date(2026, 1, 16), date(2026, 1, 16)),  # Friday
        (date(2026, 1, 31), date(2026, 2, 2)),  # Saturday → Monday
        (date(2026, 2, 15), date(2026, 2, 24)),  # 春节 15–23 → Tuesday 24th
        (date(2026, 3, 2), date(2026, 3, 2)),
        (date(2026, 3, 17), date(2026, 3, 17)),
    ]


def test_tiaoxiu_saturday_is_a_working_day(world):
    """Weekly on Saturdays: 14 Feb and 28 Feb are 调休 working Saturdays and stay; the others float to Monday,
    and 21 Feb (inside 春节) floats to Tuesday 24th."""
    spec = Recurrence(frequency="weekly", interval=1, starts_on=date(2026, 2, 7), weekdays=(5,))
    got = _due(world, spec, date(2026, 2, 7), date(2026, 3, 7), floating=True)
    assert got == [
        (date(2026, 2, 7), date(2026, 2, 9)),
        (date(2026, 2, 14), date(2026, 2, 14)),
        (date(2026, 2, 21), date(2026, 2, 24)),
        (date(2026, 2, 28), date(2026, 2, 28)),
        (date(2026, 3, 7), date(2026, 3, 9)),
    ]


def test_named_weekdays_every_other_week(world):
    spec = Recurrence(frequency="weekly", interval=2, starts_on=date(2026, 9, 21), weekdays=(0, 3))
    got = _due(world, spec, date(2026, 9, 21), date(2026, 10, 18), floating=True)
    # Mon 21 Sep, Thu 24 Sep; (two weeks on) Mon 5 Oct and Thu 8 Oct: 5 Oct is in National Day (1–7) → Thu 8th.
    assert got == [
        (date(2026, 9, 21), date(2026, 9, 21)),
        (date(2026, 9, 24), date(2026, 9, 24)),
        (date(2026, 10, 5), date(2026, 10, 8)),
        (date(2026, 10, 8), date(2026, 10, 8)),
    ]


def test_fixed_date_each_year(world):
    spec = Recurrence(frequency="yearly", interval=1, starts_on=date(2026, 1, 1), month=6, day=20)
    got = _due(world, spec, date(2026, 1, 1), date(2027, 12, 31), floating=True)
    # 20 Jun 2026 is in 端午 (19–21) → Mon 22nd; 20 Jun 2027 is a Sunday → Mon 21st (2027 not yet noticed:
    # weekends only).
    assert got == [(date(2026, 6, 20), date(2026, 6, 22)), (date(2027, 6, 20), date(2027, 6, 21))]


def test_a_rule_that_never_occurs_has_no_first_date():
    assert first_date(Recurrence(frequency="yearly", interval=1, starts_on=date(2026, 1, 1), month=2, day=30)) is None
    assert first_date(Recurrence(frequency="monthly", interval=1, starts_on=date(2026, 1, 1))) == date(2026, 1, 1)
