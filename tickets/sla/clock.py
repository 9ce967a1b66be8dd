"""The SLA clock: pure functions from (start, target, calendar, pauses) to a deadline.

It is pure (no ORM, no settings, no "now") so that the deadline stored on a request can be recomputed on every
write and tested by tables of cases; ``tickets.sla.calendars`` builds the ``WorkCalendar`` from the database.

The walk goes day by day and span by span (never minute by minute): each working span of a day is clipped to
the start, pauses are cut out of it, and the remaining target is subtracted until it fits inside a span. All
arithmetic is done on UTC instants; wall-clock spans are placed with ``calendar.tz``.

Notes record why a deadline is later than ``start + minutes``: the public holidays and weekends walked over,
the 调休 weekend days that were worked, the pauses that took working time, and any year whose State Council
notice has not been entered (the result is then provisional and must be shown as such).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

Span = tuple[time, time]

# A target that is not reached within this many days of walking is a configuration error (a calendar whose
# every day is a holiday, an absurd target), not a deadline: fail loudly instead of looping.
MAX_WALK_DAYS = 3 * 366

SHANGHAI = ZoneInfo("Asia/Shanghai")
_MIDNIGHT = time(0)
_ONE_MINUTE = timedelta(minutes=1)
_ONE_DAY = timedelta(days=1)

NOTE_KINDS = frozenset({"holiday", "workday", "weekend", "pause", "incomplete"})


@dataclass(frozen=True)
class WorkCalendar:
    """Working hours plus the national holiday table, as plain data.

    ``weekly_hours`` maps weekday (0 = Monday) to its working spans; a span ending at 00:00 runs to midnight.
    A 调休 working weekend day uses its own weekday's hours if it has any, otherwise the hours of the first
    weekday that has hours (Monday normally), because the State Council notice says "work as on a weekday".
    """

    weekly_hours: Mapping[int, tuple[tuple[time, time], ...]]
    always_open: bool = False
    observes_public_holidays: bool = True
    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: Mapping[date, str] = field(default_factory=dict)
    known_years: frozenset[int] = frozenset()
    tz: ZoneInfo = SHANGHAI

    def __post_init__(self) -> None:
        # Normalise once here so the walk never has to sort or re-check spans.
        normalised: dict[int, tuple[Span, ...]] = {}
        for weekday, spans in self.weekly_hours.items():
            weekday = int(weekday)
            if not 0 <= weekday <= 6:
                raise ValueError(f"weekday must be 0..6, got {weekday}")
            ordered: tuple[Span, ...] = tuple(sorted(((span[0], span[1]) for span in spans), key=lambda s: s[0]))
            previous_end: time | None = None
            for start, end in ordered:
                if end != _MIDNIGHT and end <= start:
                    raise ValueError(f"span {start}–{end} on weekday {weekday} ends before it starts")
                if previous_end is not None and (previous_end == _MIDNIGHT or start < previous_end):
                    raise ValueError(f"spans on weekday {weekday} overlap at {start}")
                previous_end = end
            if ordered:
                normalised[weekday] = ordered
        object.__setattr__(self, "weekly_hours", normalised)

    @cached_property
    def has_hours(self) -> bool:
        return self.always_open or bool(self.weekly_hours)

    @cached_property
    def workday_hours(self) -> tuple[Span, ...]:
        """Hours of a 调休 weekend day: those of the first weekday that has hours."""
        for weekday in range(7):
            if self.weekly_hours.get(weekday):
                return self.weekly_hours[weekday]
        return ()


@dataclass(frozen=True)
class Pause:
    """A stretch during which the clock stops (waiting for the requester, for parts…); ``end=None`` is open."""

    start: datetime
    end: datetime | None
    reason: str = ""


@dataclass(frozen=True)
class Target:
    """A target in whole minutes; ``business=False`` counts calendar minutes (24×7), ignoring the calendar."""

    minutes: int
    business: bool = True


@dataclass(frozen=True)
class Note:
    """One reason why a deadline is later than start + minutes.

    ``kind``: "holiday" (a public holiday walked over, ``name`` is the holiday), "workday" (a 调休 weekend day
    whose hours were counted), "weekend" (a day without hours walked over), "pause" (``minutes`` of working
    time removed by a pause, ``name`` its reason; 0 minutes for an open pause), "incomplete" (the walk entered
    a year without a State Council notice, ``name`` is the year, ``day`` the first day walked in it).
    """

    kind: str
    day: date | None = None
    name: str = ""
    minutes: int = 0


@dataclass(frozen=True)
class Deadline:
    due: datetime | None
    warn_at: datetime | None
    incomplete: bool
    notes: tuple[Note, ...]


# --- helpers -----------------------------------------------------------------------------------------------


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value!r}")


def _spans_on(day: date, calendar: WorkCalendar) -> tuple[Span, ...]:
    """Wall-clock working spans of one day (not for always-open calendars)."""
    own = calendar.weekly_hours.get(day.weekday(), ())
    if not calendar.observes_public_holidays:
        return own
    if day in calendar.workdays:
        return own or calendar.workday_hours
    if day in calendar.holidays:
        return ()
    return own


def _instants(day: date, spans: tuple[Span, ...], tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    result = []
    for start, end in spans:
        begin = datetime.combine(day, start, tzinfo=tz).astimezone(UTC)
        finish_day = day + _ONE_DAY if end == _MIDNIGHT else day
        finish = datetime.combine(finish_day, end, tzinfo=tz).astimezone(UTC)
        result.append((begin, finish))
    return result


@dataclass
class _MergedPause:
    start: datetime
    end: datetime | None
    reasons: list[str]
    paused: timedelta = timedelta(0)
    reached: bool = False


def _merge_pauses(pauses: Sequence[Pause]) -> list[_MergedPause]:
    """Sort and merge overlapping or touching pauses; an open pause swallows everything after its start."""
    items = []
    for pause in pauses:
        _require_aware(pause.start, "pause start")
        if pause.end is not None:
            _require_aware(pause.end, "pause end")
            if pause.end < pause.start:
                raise ValueError(f"pause ends before it starts: {pause!r}")
            if pause.end == pause.start:
                continue
        items.append(pause)
    items.sort(key=lambda p: p.start)
    merged: list[_MergedPause] = []
    for pause in items:
        start = pause.start.astimezone(UTC)
        end = pause.end.astimezone(UTC) if pause.end is not None else None
        last = merged[-1] if merged else None
        if last is not None and (last.end is None or start <= last.end):
            if last.end is not None:
                last.end = None if end is None else max(last.end, end)
            if pause.reason and pause.reason not in last.reasons:
                last.reasons.append(pause.reason)
            continue
        merged.append(_MergedPause(start=start, end=end, reasons=[pause.reason] if pause.reason else []))
    return merged


class _Walk:
    """Yields net working pieces (pauses cut out) from ``start`` onwards, and collects the notes on the way.

    A generator is used so that the consumer stops it as soon as the target fits: notes and paused time are
    only recorded for the stretch that was actually walked.
    """

    def __init__(
        self,
        start: datetime,
        calendar: WorkCalendar,
        pauses: Sequence[Pause],
        *,
        business: bool,
        until: datetime | None = None,
    ) -> None:
        _require_aware(start, "start")
        self.start = start.astimezone(UTC)
        self.calendar = calendar
        self.pauses = _merge_pauses(pauses)
        self.use_calendar = business and not calendar.always_open
        if self.use_calendar and not calendar.has_hours:
            raise ValueError("the calendar has no working hours on any weekday")
        self.until = until
        self.day_notes: list[Note] = []
        self.incomplete = False
        self.stopped = False  # an open pause was reached: the clock does not run again
        self._years_seen: set[int] = set()
        self._pause_index = 0

    # The day loop ----------------------------------------------------------------------------------------

    def pieces(self) -> Iterator[tuple[datetime, datetime | None]]:
        if not self.use_calendar:
            yield from self._cut_pauses(self.start, None, None)
            return
        calendar = self.calendar
        day = self.start.astimezone(calendar.tz).date()
        if self.until is not None:
            last_day = self.until.astimezone(calendar.tz).date()
        else:
            horizon = max([self.start] + [p.end for p in self.pauses if p.end is not None])
            last_day = horizon.astimezone(calendar.tz).date() + timedelta(days=MAX_WALK_DAYS)
        while True:
            if day > last_day:
                if self.until is not None:
                    return
                raise ValueError(f"SLA target not reached within {MAX_WALK_DAYS} days of {self.start.isoformat()}")
            self._note_day(day)
            spans = _spans_on(day, calendar)
            workday_noted = False
            for begin, finish in _instants(day, spans, calendar.tz):
                if finish <= self.start:
                    continue
                begin = max(begin, self.start)
                for piece in self._cut_pauses(begin, finish, day):
                    if not workday_noted and self._is_extra_workday(day):
                        self.day_notes.append(Note("workday", day, calendar.workdays[day]))
                        workday_noted = True
                    yield piece
                if self.stopped:
                    return
            day += _ONE_DAY

    def _note_day(self, day: date) -> None:
        calendar = self.calendar
        if not calendar.observes_public_holidays:
            if not calendar.weekly_hours.get(day.weekday()):
                self.day_notes.append(Note("weekend", day))
            return
        if day.year not in self._years_seen:
            self._years_seen.add(day.year)
            if day.year not in calendar.known_years:
                self.incomplete = True
                self.day_notes.append(Note("incomplete", day, str(day.year)))
        if day in calendar.workdays:
            return
        if day in calendar.holidays:
            self.day_notes.append(Note("holiday", day, calendar.holidays[day]))
        elif not calendar.weekly_hours.get(day.weekday()):
            self.day_notes.append(Note("weekend", day))

    def _is_extra_workday(self, day: date) -> bool:
        """A 调休 day that is worked although its weekday normally has no hours."""
        calendar = self.calendar
        return (
            calendar.observes_public_holidays
            and day in calendar.workdays
            and not calendar.weekly_hours.get(day.weekday())
        )

    # Pauses ----------------------------------------------------------------------------------------------

    def _cut_pauses(
        self, begin: datetime, finish: datetime | None, day: date | None
    ) -> Iterator[tuple[datetime, datetime | None]]:
        """Yield the parts of [begin, finish) outside pauses; ``finish=None`` means open-ended."""
        pauses = self.pauses
        cursor = begin
        while finish is None or cursor < finish:
            while self._pause_index < len(pauses):
                pause_end = pauses[self._pause_index].end
                if pause_end is not None and pause_end <= cursor:
                    self._pause_index += 1
                else:
                    break
            if self._pause_index < len(pauses) and pauses[self._pause_index].start <= cursor:
                pause = pauses[self._pause_index]
                pause.reached = True
                if pause.end is None:
                    self.stopped = True
                    return
                stop = pause.end if finish is None else min(pause.end, finish)
                pause.paused += stop - cursor
                cursor = stop
                continue
            next_pause = pauses[self._pause_index].start if self._pause_index < len(pauses) else None
            if next_pause is None:
                piece_end = finish
            elif finish is None:
                piece_end = next_pause
            else:
                piece_end = min(finish, next_pause)
            yield cursor, piece_end
            if piece_end is None:
                return
            cursor = piece_end

    def notes(self) -> tuple[Note, ...]:
        tz = self.calendar.tz
        pause_notes = [
            Note(
                "pause",
                pause.start.astimezone(tz).date(),
                "；".join(pause.reasons),
                pause.paused // _ONE_MINUTE,
            )
            for pause in self.pauses
            if pause.paused > timedelta(0) or (pause.reached and pause.end is None)
        ]
        # Chronological, pauses after the day notes of the same day; sorted() is stable.
        return tuple(sorted(self.day_notes + pause_notes, key=lambda note: note.day or date.max))


# --- public API --------------------------------------------------------------------------------------------


def add_working_minutes(
    start: datetime,
    target: Target,
    calendar: WorkCalendar,
    pauses: Sequence[Pause] = (),
    warn_percent: int = 80,
) -> Deadline:
    """The moment ``target`` working minutes after ``start`` are used up, and when ``warn_percent`` of it is.

    A target ending exactly at the close of a span is due at that close, not at the next opening.
    """
    if target.minutes < 0:
        raise ValueError(f"target minutes must not be negative, got {target.minutes}")
    if not 0 <= warn_percent <= 100:
        raise ValueError(f"warn_percent must be 0..100, got {warn_percent}")
    walk = _Walk(start, calendar, pauses, business=target.business)
    need = timedelta(minutes=target.minutes)
    # Microseconds keep the warning exact for any target/percent pair without float rounding.
    warn_need = timedelta(microseconds=target.minutes * 60_000_000 * warn_percent // 100)
    start_utc = start.astimezone(UTC)
    due: datetime | None = start_utc if need == timedelta(0) else None
    warn_at: datetime | None = start_utc if warn_need == timedelta(0) else None
    if due is None:
        used = timedelta(0)
        for piece_start, piece_end in walk.pieces():
            length = None if piece_end is None else piece_end - piece_start
            if warn_at is None and (length is None or used + length >= warn_need):
                warn_at = piece_start + (warn_need - used)
            if length is None or used + length >= need:
                due = piece_start + (need - used)
                break
            used += length
    return Deadline(due=due, warn_at=warn_at, incomplete=walk.incomplete, notes=walk.notes())


def working_minutes_between(
    start: datetime,
    end: datetime,
    calendar: WorkCalendar,
    pauses: Sequence[Pause] = (),
    business: bool = True,
) -> int:
    """Net working minutes in [start, end), pauses excluded, rounded down; 0 if ``end <= start``.

    The inverse of ``add_working_minutes``: for its ``due``, this returns exactly the target's minutes.
    """
    _require_aware(end, "end")
    if end <= start:
        return 0
    end_utc = end.astimezone(UTC)
    walk = _Walk(start, calendar, pauses, business=business, until=end_utc)
    total = timedelta(0)
    for piece_start, piece_end in walk.pieces():
        if piece_start >= end_utc:
            break
        stop = end_utc if piece_end is None else min(piece_end, end_utc)
        total += stop - piece_start
    return total // _ONE_MINUTE


def compute_deadlines(
    start: datetime,
    targets: Mapping[str, Target | None],
    calendar: WorkCalendar,
    pauses: Sequence[Pause] = (),
    warn_percent: int = 80,
) -> dict[str, Deadline | None]:
    """Deadlines for several targets from one start (response, arrival, resolution…); a None target has none."""
    return {
        key: None if target is None else add_working_minutes(start, target, calendar, pauses, warn_percent)
        for key, target in targets.items()
    }


def is_working_day(day: date, calendar: WorkCalendar) -> bool:
    """A 调休 day, or a weekday with hours that is not a public holiday (holidays ignored if not observed)."""
    if calendar.always_open:
        return True
    return bool(_spans_on(day, calendar))


def add_working_days(start: datetime, days: int, calendar: WorkCalendar) -> datetime:
    """Close of business of the ``days``-th working day strictly after ``start``'s date.

    Used for windows counted in whole working days (3 working days to give feedback, a callback within one
    working day): they end when the office closes, whatever the hour the window opened. An always-open
    calendar has no close of business, so the window is ``days`` × 24 hours. ``days=0`` returns ``start``.
    """
    _require_aware(start, "start")
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    if days == 0:
        return start
    if calendar.always_open:
        return start + days * _ONE_DAY
    if not calendar.has_hours:
        raise ValueError("the calendar has no working hours on any weekday")
    day = start.astimezone(calendar.tz).date()
    remaining = days
    for _ in range(days + MAX_WALK_DAYS):
        day += _ONE_DAY
        spans = _spans_on(day, calendar)
        if spans:
            remaining -= 1
            if remaining == 0:
                return _instants(day, spans[-1:], calendar.tz)[0][1]
    raise ValueError(f"{days} working days not reached within {MAX_WALK_DAYS} days of {start.isoformat()}")
