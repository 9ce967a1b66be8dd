"""The pure SLA clock, by tables of (start, calendar, pauses) -> deadline. No database.

All cases use the 2026 State Council notice (holidays 1-1..3, 2-15..23, 4-4..6, 5-1..5, 6-19..21, 9-25..27,
10-1..7; 调休 working days 1-4, 2-14, 2-28, 5-9, 9-20, 10-10) and, unless said otherwise, the office calendar
08:30–12:00 + 13:30–17:30 Monday–Friday (210 + 240 = 450 working minutes a day).
"""

from __future__ import annotations

import timeit
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.sla.clock import (
    Deadline,
    Note,
    Pause,
    Target,
    WorkCalendar,
    add_working_days,
    add_working_minutes,
    compute_deadlines,
    is_working_day,
    working_minutes_between,
)

SH = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


HOLIDAYS_2026: dict[date, str] = {}
for _first, _last, _name in [
    ((1, 1), (1, 3), "元旦"),
    ((2, 15), (2, 23), "春节"),
    ((4, 4), (4, 6), "清明节"),
    ((5, 1), (5, 5), "劳动节"),
    ((6, 19), (6, 21), "端午节"),
    ((9, 25), (9, 27), "中秋节"),
    ((10, 1), (10, 7), "国庆节"),
]:
    for _day in _days(date(2026, *_first), date(2026, *_last)):
        HOLIDAYS_2026[_day] = _name
WORKDAYS_2026 = {
    date(2026, 1, 4): "元旦调休上班",
    date(2026, 2, 14): "春节调休上班",
    date(2026, 2, 28): "春节调休上班",
    date(2026, 5, 9): "劳动节调休上班",
    date(2026, 9, 20): "国庆节调休上班",
    date(2026, 10, 10): "国庆节调休上班",
}
KNOWN = frozenset({2024, 2025, 2026})

OFFICE = WorkCalendar(
    weekly_hours={weekday: OFFICE_HOURS for weekday in range(5)},
    holidays=HOLIDAYS_2026,
    workdays=WORKDAYS_2026,
    known_years=KNOWN,
)
ALWAYS_OPEN = WorkCalendar(weekly_hours={}, always_open=True, observes_public_holidays=False)
# The canteen serves three meals every day of the year, holidays included.
CANTEEN = WorkCalendar(
    weekly_hours={
        weekday: ((time(6, 0), time(9, 0)), (time(10, 30), time(13, 30)), (time(16, 0), time(19, 0)))
        for weekday in range(7)
    },
    observes_public_holidays=False,
    holidays=HOLIDAYS_2026,
    workdays=WORKDAYS_2026,
)
CALENDARS = {"office": OFFICE, "always_open": ALWAYS_OPEN, "canteen": CANTEEN}


def at(text: str) -> datetime:
    """A Beijing wall-clock time, e.g. "2026-09-30 15:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def p(start: str, end: str | None, reason: str = "") -> Pause:
    return Pause(at(start), at(end) if end else None, reason)


# fmt: off
DUE_CASES = [
    # id, calendar, start, minutes, business, pauses, expected due (Beijing), expected warn_at at 80 %
    ("national-day-1-day", "office", "2026-09-30 15:00", 450, True, (),
     # 9-30 15:00–17:30 = 150; 10-01..07 holiday; 10-08 08:30–12:00 = 210 (360, warn at 80 % = 360);
     # 13:30 + 90 = 15:00
     "2026-10-08 15:00", "2026-10-08 12:00"),
    ("national-day-240", "office", "2026-09-30 15:00", 240, True, (),
     # 150 on 9-30; 90 left from 10-08 08:30 -> 10:00. Warn at 192 = 150 + 42 -> 09:12
     "2026-10-08 10:00", "2026-10-08 09:12"),
    ("national-day-3-days", "office", "2026-09-30 15:00", 1350, True, (),
     # 150 (9-30) + 450 (10-08 Thu) + 450 (10-09 Fri) = 1050; Saturday 10-10 is a 调休 working day:
     # 300 left = 210 (08:30–12:00) + 90 from 13:30 -> 10-10 15:00. Warn at 1080 = 1050 + 30 -> 10-10 09:00
     "2026-10-10 15:00", "2026-10-10 09:00"),
    ("lunch-break", "office", "2026-03-10 11:30", 60, True, (),
     # 30 before 12:00, lunch, 30 from 13:30 -> 14:00. Warn at 48 = 30 + 18 -> 13:48
     "2026-03-10 14:00", "2026-03-10 13:48"),
    ("opened-during-lunch", "office", "2026-03-10 12:15", 60, True, (),
     # counting starts at 13:30
     "2026-03-10 14:30", "2026-03-10 14:18"),
    ("ends-exactly-at-noon", "office", "2026-03-10 08:30", 210, True, (),
     # the whole morning: due at 12:00, not at 13:30
     "2026-03-10 12:00", "2026-03-10 11:18"),
    ("ends-exactly-at-close", "office", "2026-03-10 08:30", 450, True, (),
     # the whole day: due at 17:30 that day, not 08:30 the next. Warn at 360 = 210 + 150 from 13:30 -> 16:00
     "2026-03-10 17:30", "2026-03-10 16:00"),
    ("opened-at-night", "office", "2026-03-10 22:00", 60, True, (),
     # Tuesday night: counts from Wednesday 08:30
     "2026-03-11 09:30", "2026-03-11 09:18"),
    ("opened-before-opening", "office", "2026-03-10 06:00", 60, True, (),
     "2026-03-10 09:30", "2026-03-10 09:18"),
    ("opened-on-sunday", "office", "2026-03-08 10:00", 60, True, (),
     # Sunday: counts from Monday 3-09 08:30
     "2026-03-09 09:30", "2026-03-09 09:18"),
    ("friday-evening", "office", "2026-03-13 17:00", 60, True, (),
     # 30 on Friday, weekend, 30 from Monday 3-16 08:30
     "2026-03-16 09:00", "2026-03-16 08:48"),
    ("opened-on-holiday", "office", "2026-05-01 10:00", 60, True, (),
     # 劳动节 5-01..05: counts from Wednesday 5-06 08:30 (5-09 Saturday is the 调休 day, after)
     "2026-05-06 09:30", "2026-05-06 09:18"),
    ("tiaoxiu-saturday-0214", "office", "2026-02-13 17:00", 120, True, (),
     # 30 on Friday 2-13; Saturday 2-14 is worked with Monday's hours: 90 from 08:30 -> 10:00
     "2026-02-14 10:00", "2026-02-14 09:36"),
    ("spring-festival", "office", "2026-02-14 16:00", 240, True, (),
     # 90 on Saturday 2-14 (调休); 2-15..23 holiday; 150 from Tuesday 2-24 08:30 -> 11:00
     "2026-02-24 11:00", "2026-02-24 10:12"),
    ("tiaoxiu-saturday-0228", "office", "2026-02-28 09:00", 60, True, (),
     "2026-02-28 10:00", "2026-02-28 09:48"),
    ("calendar-minutes", "office", "2026-09-30 15:00", 450, False, (),
     # business=False: 7.5 h of wall clock, holidays and nights included
     "2026-09-30 22:30", "2026-09-30 21:00"),
    ("always-open", "always_open", "2026-10-01 03:00", 90, True, (),
     "2026-10-01 04:30", "2026-10-01 04:12"),
    ("canteen-on-holiday", "canteen", "2026-10-01 12:00", 120, True, (),
     # 10-01 is a holiday but the canteen ignores holidays: 90 until 13:30, 30 from 16:00 -> 16:30
     "2026-10-01 16:30", "2026-10-01 16:06"),
    ("canteen-sunday-evening", "canteen", "2026-10-04 19:30", 60, True, (),
     # after dinner on Sunday: counts from Monday 06:00
     "2026-10-05 07:00", "2026-10-05 06:48"),
    ("pause-inside-window", "office", "2026-03-10 09:00", 240, True, (p("2026-03-10 10:00", "2026-03-10 11:00"),),
     # without the pause: 180 until 12:00 + 60 -> 14:30; the pause takes 60 working minutes -> 15:30.
     # Warn at 192: 120 (09:00–10:00, 11:00–12:00) + 72 from 13:30 -> 14:42
     "2026-03-10 15:30", "2026-03-10 14:42"),
    ("pause-over-lunch", "office", "2026-03-10 09:00", 240, True, (p("2026-03-10 11:30", "2026-03-10 14:00"),),
     # only 30 + 30 working minutes are paused (lunch is not working time) -> 15:30
     "2026-03-10 15:30", "2026-03-10 14:42"),
    ("overlapping-pauses-merge", "office", "2026-03-10 09:00", 240, True,
     (p("2026-03-10 10:00", "2026-03-10 10:45"), p("2026-03-10 10:30", "2026-03-10 11:00")),
     # merged into 10:00–11:00 = 60, not 45 + 30 = 75
     "2026-03-10 15:30", "2026-03-10 14:42"),
    ("pause-at-night-changes-nothing", "office", "2026-03-10 17:00", 60, True,
     (p("2026-03-10 20:00", "2026-03-11 08:00"),),
     "2026-03-11 09:00", "2026-03-11 08:48"),
    ("open-pause-after-due", "office", "2026-03-10 09:00", 240, True, (p("2026-03-10 16:00", None),),
     "2026-03-10 14:30", "2026-03-10 13:42"),
    ("open-pause-stops-clock", "office", "2026-03-10 09:00", 240, True, (p("2026-03-10 10:00", None),),
     # 60 minutes used, then the clock stops for good: no due, and 80 % is never reached
     None, None),
    ("pause-on-calendar-minutes", "office", "2026-03-10 09:00", 120, False,
     (p("2026-03-10 09:30", "2026-03-10 10:30"),),
     # 24×7 minutes still stop while paused: 30 + pause 60 + 90 -> 12:00
     "2026-03-10 12:00", "2026-03-10 11:36"),
    ("zero-minutes", "office", "2026-03-08 10:00", 0, True, (),
     "2026-03-08 10:00", "2026-03-08 10:00"),
    ("new-year-eve-to-2027", "office", "2026-12-31 16:00", 450, True, (),
     # 90 on 12-31; 2027 has no notice so 1-01 counts as a plain Friday: 210 + 150 -> 16:00 (provisional)
     "2027-01-01 16:00", "2027-01-01 14:30"),
]
# fmt: on


@pytest.mark.parametrize(
    ("calendar", "start", "minutes", "business", "pauses", "due", "warn_at"),
    [pytest.param(*case[1:], id=case[0]) for case in DUE_CASES],
)
def test_due_and_warning(calendar, start, minutes, business, pauses, due, warn_at):
    result = add_working_minutes(at(start), Target(minutes, business), CALENDARS[calendar], pauses)
    assert result.due == (at(due) if due else None)
    assert result.warn_at == (at(warn_at) if warn_at else None)
    if result.due is not None:
        assert result.due.utcoffset() == timedelta(0)
        # The inverse function agrees with every row of the table.
        assert working_minutes_between(at(start), result.due, CALENDARS[calendar], pauses, business) == minutes


def kinds(deadline: Deadline) -> list[tuple[str, str]]:
    return [(note.kind, note.day.isoformat() if note.day else "") for note in deadline.notes]


def test_notes_list_the_holidays_skipped_and_the_tiaoxiu_day_counted():
    result = add_working_minutes(at("2026-09-30 15:00"), Target(1350), OFFICE)
    assert [(n.kind, n.day, n.name) for n in result.notes] == [
        *[("holiday", day, "国庆节") for day in _days(date(2026, 10, 1), date(2026, 10, 7))],
        ("workday", date(2026, 10, 10), "国庆节调休上班"),
    ]
    assert result.incomplete is False


def test_notes_when_opened_inside_a_holiday():
    # Saturday 5-02 is inside 劳动节 (5-01..05); Wednesday 5-06 is the first working day.
    result = add_working_minutes(at("2026-05-02 10:00"), Target(30), OFFICE)
    assert result.due == at("2026-05-06 09:00")
    assert kinds(result) == [("holiday", f"2026-05-0{n}") for n in range(2, 6)]


def test_a_tiaoxiu_day_is_noted_only_when_reached():
    result = add_working_minutes(at("2026-02-13 09:00"), Target(60), OFFICE)
    assert result.notes == ()


def test_pause_note_carries_the_paused_working_minutes_and_reason():
    pauses = (p("2026-03-10 11:30", "2026-03-10 14:00", "等待配件"),)
    result = add_working_minutes(at("2026-03-10 09:00"), Target(240), OFFICE, pauses)
    assert result.notes == (Note("pause", date(2026, 3, 10), "等待配件", 60),)


def test_pause_outside_working_time_leaves_no_note():
    pauses = (p("2026-03-10 20:00", "2026-03-11 08:00", "夜间"),)
    result = add_working_minutes(at("2026-03-10 17:00"), Target(60), OFFICE, pauses)
    assert result.notes == ()


def test_open_pause_is_noted():
    result = add_working_minutes(at("2026-03-10 09:00"), Target(240), OFFICE, (p("2026-03-10 10:00", None, "挂起"),))
    assert result.due is None
    assert result.notes == (Note("pause", date(2026, 3, 10), "挂起", 0),)


def test_walking_into_a_year_without_notice_is_incomplete():
    result = add_working_minutes(at("2026-12-31 16:00"), Target(450), OFFICE)
    assert result.incomplete is True
    assert Note("incomplete", date(2027, 1, 1), "2027") in result.notes


def test_ending_on_the_last_day_of_a_known_year_is_complete():
    # 16:00 + 90 = 17:30 on 12-31, exactly the close: 2027 is never entered.
    result = add_working_minutes(at("2026-12-31 16:00"), Target(90), OFFICE)
    assert result.due == at("2026-12-31 17:30")
    assert result.incomplete is False


def test_calendars_that_ignore_holidays_are_never_incomplete():
    assert add_working_minutes(at("2027-03-01 12:00"), Target(60), CANTEEN).incomplete is False
    assert add_working_minutes(at("2027-03-01 12:00"), Target(60), ALWAYS_OPEN).incomplete is False


def test_compute_deadlines_keeps_keys_and_none_targets():
    result = compute_deadlines(
        at("2026-09-30 15:00"),
        {"response": Target(240), "arrival": None, "resolution": Target(450)},
        OFFICE,
    )
    assert result["arrival"] is None
    assert result["response"].due == at("2026-10-08 10:00")
    assert result["resolution"].due == at("2026-10-08 15:00")


@pytest.mark.parametrize(
    ("start", "days", "calendar", "expected"),
    [
        # Feedback window of 3 working days after a request closed on Tuesday 9-29:
        # 9-30 (1), 10-01..07 holiday, 10-08 (2), 10-09 (3) -> close of business 10-09 17:30
        pytest.param("2026-09-29 10:00", 3, "office", "2026-10-09 17:30", id="feedback-across-national-day"),
        # Closed Friday 2-13: Saturday 2-14 调休 (1), 2-15..23 holiday, 2-24 (2), 2-25 (3)
        pytest.param("2026-02-13 15:00", 3, "office", "2026-02-25 17:30", id="feedback-across-spring-festival"),
        # Callback within one working day, closed the evening before National Day
        pytest.param("2026-09-30 20:00", 1, "office", "2026-10-08 17:30", id="callback-after-holiday"),
        # Closed on the 调休 Saturday itself: the next working day is Monday 10-12
        pytest.param("2026-10-10 12:00", 1, "office", "2026-10-12 17:30", id="from-tiaoxiu-saturday"),
        pytest.param("2026-09-30 20:00", 3, "always_open", "2026-10-03 20:00", id="always-open-72h"),
        # The canteen's last meal ends at 19:00, holiday or not
        pytest.param("2026-09-30 20:00", 1, "canteen", "2026-10-01 19:00", id="canteen"),
        pytest.param("2026-09-30 20:00", 0, "office", "2026-09-30 20:00", id="zero-days"),
    ],
)
def test_add_working_days(start, days, calendar, expected):
    assert add_working_days(at(start), days, CALENDARS[calendar]) == at(expected)


@pytest.mark.parametrize(
    ("day", "calendar", "expected"),
    [
        pytest.param(date(2026, 3, 10), "office", True, id="tuesday"),
        pytest.param(date(2026, 3, 14), "office", False, id="saturday"),
        pytest.param(date(2026, 10, 1), "office", False, id="national-day"),
        pytest.param(date(2026, 10, 10), "office", True, id="tiaoxiu-saturday"),
        pytest.param(date(2026, 10, 4), "office", False, id="sunday-in-holiday"),
        pytest.param(date(2026, 10, 1), "canteen", True, id="canteen-ignores-holidays"),
        pytest.param(date(2026, 10, 10), "canteen", True, id="canteen-saturday"),
        pytest.param(date(2026, 10, 1), "always_open", True, id="always-open"),
    ],
)
def test_is_working_day(day, calendar, expected):
    assert is_working_day(day, CALENDARS[calendar]) is expected


def test_working_minutes_between_basics():
    assert working_minutes_between(at("2026-03-10 09:00"), at("2026-03-10 08:00"), OFFICE) == 0
    assert working_minutes_between(at("2026-03-10 00:00"), at("2026-03-11 00:00"), OFFICE) == 450
    # Monday 9-28 to Sunday 10-04: only Monday to Wednesday work, 10-01..04 are holidays
    assert working_minutes_between(at("2026-09-28 00:00"), at("2026-10-05 00:00"), OFFICE) == 3 * 450
    # floor: 59.5 minutes are 59
    assert working_minutes_between(at("2026-03-10 09:00"), at("2026-03-10 09:59:30"), OFFICE) == 59
    assert working_minutes_between(at("2026-03-10 09:00"), at("2026-03-10 11:00"), OFFICE, business=False) == 120
    pauses = (p("2026-03-10 10:00", None),)
    assert working_minutes_between(at("2026-03-10 09:00"), at("2026-03-12 09:00"), OFFICE, pauses) == 60


def test_a_tiaoxiu_day_uses_the_hours_of_its_own_weekday_if_it_has_any():
    saturday_short = WorkCalendar(
        weekly_hours={**{d: OFFICE_HOURS for d in range(5)}, 5: ((time(9, 0), time(11, 0)),)},
        holidays=HOLIDAYS_2026,
        workdays=WORKDAYS_2026,
        known_years=KNOWN,
    )
    assert add_working_minutes(at("2026-10-10 08:00"), Target(120), saturday_short).due == at("2026-10-10 11:00")


def test_a_span_ending_at_midnight():
    late = WorkCalendar(
        weekly_hours={d: ((time(20, 0), time(0, 0)),) for d in range(7)}, observes_public_holidays=False
    )
    assert add_working_minutes(at("2026-03-10 23:00"), Target(90), late).due == at("2026-03-11 20:30")
    assert add_working_minutes(at("2026-03-10 23:00"), Target(60), late).due == at("2026-03-11 00:00")


def test_other_input_timezones_are_accepted():
    start = at("2026-03-10 11:30").astimezone(UTC)
    assert add_working_minutes(start, Target(60), OFFICE).due == at("2026-03-10 14:00")


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: add_working_minutes(datetime(2026, 3, 10, 9), Target(60), OFFICE), id="naive-start"),
        pytest.param(lambda: add_working_minutes(at("2026-03-10 09:00"), Target(-1), OFFICE), id="negative"),
        pytest.param(
            lambda: add_working_minutes(at("2026-03-10 09:00"), Target(60), WorkCalendar(weekly_hours={})),
            id="no-hours",
        ),
        pytest.param(
            lambda: add_working_minutes(
                at("2026-03-10 09:00"),
                Target(60),
                WorkCalendar(
                    weekly_hours={0: OFFICE_HOURS},
                    holidays={date(2026, 1, 5) + timedelta(weeks=n): "x" for n in range(400)},
                    known_years=frozenset(range(2026, 2040)),
                ),
            ),
            id="every-working-day-a-holiday",
        ),
        pytest.param(lambda: WorkCalendar(weekly_hours={0: ((time(12), time(9)),)}), id="inverted-span"),
        pytest.param(lambda: WorkCalendar(weekly_hours={0: ((time(8), time(12)), (time(11), time(13)))}), id="overlap"),
        pytest.param(
            lambda: add_working_minutes(
                at("2026-03-10 09:00"), Target(60), OFFICE, (p("2026-03-10 10:00", "2026-03-10 09:00"),)
            ),
            id="inverted-pause",
        ),
    ],
)
def test_bad_input_raises(call):
    with pytest.raises(ValueError):
        call()


def test_fast_enough():
    # A five-day target crossing a weekend must cost well under a millisecond (it runs on every write).
    start = at("2026-03-11 10:00")
    seconds = timeit.timeit(lambda: add_working_minutes(start, Target(5 * 450), OFFICE), number=200) / 200
    assert seconds < 0.001


# --- properties against a minute-by-minute oracle ------------------------------------------------------------


def oracle_is_working(moment: datetime, pauses: tuple[Pause, ...]) -> bool:
    """The office calendar spelt out naively, minute by minute, to check the span arithmetic against."""
    for pause in pauses:
        if pause.start <= moment and (pause.end is None or moment < pause.end):
            return False
    local = moment.astimezone(SH)
    day = local.date()
    if day in WORKDAYS_2026:
        pass
    elif day in HOLIDAYS_2026 or day.weekday() >= 5:
        return False
    wall = local.time()
    return any(begin <= wall < end for begin, end in OFFICE_HOURS)


starts = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20), timezones=st.just(SH)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)


@st.composite
def pause_lists(draw, start_strategy=starts):
    start = draw(start_strategy)
    pauses = []
    for _ in range(draw(st.integers(0, 2))):
        begin = start + timedelta(minutes=draw(st.integers(-600, 3000)))
        length = draw(st.integers(1, 2000))
        pauses.append(Pause(begin, begin + timedelta(minutes=length), "x"))
    return start, tuple(pauses)


@settings(max_examples=60, deadline=None)
@given(case=pause_lists(), minutes=st.integers(0, 1200))
def test_due_matches_minute_by_minute_oracle(case, minutes):
    start, pauses = case
    result = add_working_minutes(start, Target(minutes), OFFICE, pauses)
    moment, used = start, 0
    while used < minutes:
        if oracle_is_working(moment, pauses):
            used += 1
        moment += timedelta(minutes=1)
    if minutes:
        assert result.due == moment
    else:
        assert result.due == start


@settings(max_examples=200, deadline=None)
@given(case=pause_lists(), minutes=st.integers(0, 10_000), business=st.booleans())
def test_working_minutes_between_inverts_add_working_minutes(case, minutes, business):
    start, pauses = case
    due = add_working_minutes(start, Target(minutes, business), OFFICE, pauses).due
    assert due is not None
    assert working_minutes_between(start, due, OFFICE, pauses, business) == minutes
    # one minute earlier is not enough
    if minutes:
        assert working_minutes_between(start, due - timedelta(minutes=1), OFFICE, pauses, business) < minutes


@settings(max_examples=100, deadline=None)
@given(case=pause_lists(), minutes=st.integers(0, 5000))
def test_deadlines_grow_with_the_target_and_warning_comes_first(case, minutes):
    start, pauses = case
    shorter = add_working_minutes(start, Target(minutes), OFFICE, pauses)
    longer = add_working_minutes(start, Target(minutes + 1), OFFICE, pauses)
    assert shorter.due < longer.due
    assert start <= longer.warn_at <= longer.due
