"""The database side of the SLA clock: build ``WorkCalendar`` values and enter a year's holiday notice.

Public holidays and 调休 days move every year by State Council notice, and the packages that carry them
silently guess future years. So the bureau enters each year itself (from the notice, by admin or by file), and
``known_years`` tells the clock which years are real; deadlines in other years are flagged as provisional.

``load_work_calendar`` reads the national table on every call unless a ``calendars_cached()`` block is open: a
batch that computes many deadlines at once (the demo's year of history, an import) opens one, and each process
sees a notice entered elsewhere at its next block.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from types import MappingProxyType
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.models import BusinessCalendar, CalendarDay, HolidayYear, User
from tickets.sla.clock import Span, WorkCalendar

HolidayRow = tuple[date, str, str]  # (date, kind "holiday"|"workday", name)

KIND_ALIASES = {
    "节假日": CalendarDay.Kind.HOLIDAY.value,
    "法定节假日": CalendarDay.Kind.HOLIDAY.value,
    "放假": CalendarDay.Kind.HOLIDAY.value,
    "holiday": CalendarDay.Kind.HOLIDAY.value,
    "调休": CalendarDay.Kind.WORKDAY.value,
    "调休上班": CalendarDay.Kind.WORKDAY.value,
    "上班": CalendarDay.Kind.WORKDAY.value,
    "workday": CalendarDay.Kind.WORKDAY.value,
}
HEADER_ALIASES = {
    "日期": "date",
    "date": "date",
    "类型": "kind",
    "kind": "kind",
    "名称": "name",
    "name": "name",
}
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
NAME_MAX_LENGTH = 50  # CalendarDay.name
MAX_ROWS = 400  # a notice has ~40 days; anything much larger is the wrong file


# --- building the clock's calendar ----------------------------------------------------------------------------


def _parse_time(value: str) -> time:
    # "24:00" closes a span at midnight, which ``time`` cannot spell; the clock reads 00:00 as an end that way.
    if value.strip() == "24:00":
        return time(0)
    return time.fromisoformat(value.strip())


def parse_weekly_hours(raw: Any) -> dict[int, tuple[Span, ...]]:
    """Turn the ``weekly_hours`` JSON into clock spans; raises ``ValueError`` on a malformed value."""
    if not isinstance(raw, dict):
        raise ValueError("weekly_hours must be an object keyed by weekday")
    result: dict[int, tuple[Span, ...]] = {}
    for key, spans in raw.items():
        weekday = int(key)
        if not isinstance(spans, list):
            raise ValueError(f"weekday {key}: spans must be a list")
        parsed = []
        for span in spans:
            if not isinstance(span, list | tuple) or len(span) != 2:
                raise ValueError(f"weekday {key}: each span must be [start, end]")
            parsed.append((_parse_time(str(span[0])), _parse_time(str(span[1]))))
        result[weekday] = tuple(parsed)
    # WorkCalendar checks order and overlaps; building one here makes a bad value fail at save, not at use.
    WorkCalendar(weekly_hours=result)
    return result


@dataclass
class _CalendarCache:
    """What one ``calendars_cached()`` block has read: the national table and the calendars built from it."""

    national: tuple[Mapping[date, str], Mapping[date, str], frozenset[int]] | None = None
    # calendar id (or name, unsaved) → (the settings it was built from, the built calendar)
    built: dict[object, tuple[tuple[Any, ...], WorkCalendar]] = field(default_factory=dict)


# A context variable, not a module global: each thread, task or request has its own block (or none), and no
# other process needs to know about it.
_cache: ContextVar[_CalendarCache | None] = ContextVar("servicedesk_calendar_cache", default=None)


@contextmanager
def calendars_cached() -> Iterator[None]:
    """Within the block, ``load_work_calendar`` reads the national table once and builds each calendar once.

    For a batch that computes many deadlines in one go; the SLA clock itself stays pure. The cache lives as long
    as the block and only in the context (thread, task) that opened it. A notice entered by another process
    during the block is seen by the next block or any call outside one; ``holiday_year_import`` inside the block
    empties the cache at once. A calendar is reused only while its hours and flags are those it was built from,
    so a ``BusinessCalendar`` edited and re-read in the block is built afresh. Nested blocks share the outer
    block's cache.
    """
    if _cache.get() is not None:
        yield
        return
    token = _cache.set(_CalendarCache())
    try:
        yield
    finally:
        _cache.reset(token)


def _forget_cached_calendars() -> None:
    cache = _cache.get()
    if cache is not None:
        cache.national = None
        cache.built.clear()


def _read_national_table() -> tuple[Mapping[date, str], Mapping[date, str], frozenset[int]]:
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        (workdays if kind == CalendarDay.Kind.WORKDAY else holidays)[day] = name
    known_years = frozenset(HolidayYear.objects.values_list("year", flat=True))
    # Read-only views: cached calendars share these tables, so none may change them for the others.
    return MappingProxyType(holidays), MappingProxyType(workdays), known_years


def load_work_calendar(calendar: BusinessCalendar | None) -> WorkCalendar:
    """The clock's calendar for a contract's ``BusinessCalendar``; ``None`` means 24×7.

    Outside a ``calendars_cached()`` block this reads the national table on every call (two queries): a notice
    entered in the admin must change the next deadline computed by any process, web or worker.
    """
    cache = _cache.get()
    if cache is None:
        return _build_work_calendar(calendar, _read_national_table)
    if calendar is None:
        key: object = "24x7"
        settings_now: tuple[Any, ...] = ()
    else:
        key = calendar.pk or f"unsaved:{calendar.name}"
        settings_now = (calendar.always_open, calendar.observes_public_holidays, calendar.weekly_hours)
    hit = cache.built.get(key)
    # Comparing the settings costs a dict comparison, far less than building the calendar again.
    if hit is not None and hit[0] == settings_now:
        return hit[1]

    def national() -> tuple[Mapping[date, str], Mapping[date, str], frozenset[int]]:
        if cache.national is None:
            cache.national = _read_national_table()
        return cache.national

    built = _build_work_calendar(calendar, national)
    # A deep copy: an edit made in place on the instance's JSON must not also change what it is compared with.
    cache.built[key] = (copy.deepcopy(settings_now), built)
    return built


def _build_work_calendar(
    calendar: BusinessCalendar | None,
    national: Callable[[], tuple[Mapping[date, str], Mapping[date, str], frozenset[int]]],
) -> WorkCalendar:
    tz = ZoneInfo(settings.TIME_ZONE)
    if calendar is None:
        return WorkCalendar(weekly_hours={}, always_open=True, observes_public_holidays=False, tz=tz)
    weekly_hours = parse_weekly_hours(calendar.weekly_hours or {})
    if calendar.always_open or not calendar.observes_public_holidays:
        # The national table cannot change such a calendar's deadlines, so it is not read.
        return WorkCalendar(
            weekly_hours=weekly_hours,
            always_open=calendar.always_open,
            observes_public_holidays=calendar.observes_public_holidays,
            tz=tz,
        )
    holidays, workdays, known_years = national()
    return WorkCalendar(
        weekly_hours=weekly_hours,
        always_open=False,
        observes_public_holidays=True,
        holidays=holidays,
        workdays=workdays,
        known_years=known_years,
        tz=tz,
    )


def calendar_gaps(from_year: int, to_year: int) -> list[int]:
    """Years in ``from_year..to_year`` (inclusive) whose State Council notice has not been entered."""
    entered = set(HolidayYear.objects.filter(year__gte=from_year, year__lte=to_year).values_list("year", flat=True))
    return [year for year in range(from_year, to_year + 1) if year not in entered]


# --- entering a year's notice ---------------------------------------------------------------------------------


def _validate_rows(year: int, rows: list[HolidayRow]) -> list[str]:
    errors: list[str] = []
    if not rows:
        errors.append(_("没有任何日期：请至少录入一条节假日或调休上班日。"))
    if len(rows) > MAX_ROWS:
        errors.append(_("日期过多（%(count)d 条），请检查是否选错了文件。") % {"count": len(rows)})
    seen: dict[date, str] = {}
    kinds = {CalendarDay.Kind.HOLIDAY.value, CalendarDay.Kind.WORKDAY.value}
    for index, (day, kind, name) in enumerate(rows, start=1):
        label = _("第%(index)d条（%(day)s）") % {"index": index, "day": day}
        if not isinstance(day, date):
            errors.append(_("第%(index)d条：日期“%(day)s”无效。") % {"index": index, "day": day})
            continue
        if day.year != year:
            errors.append(_("%(row)s：日期不在 %(year)d 年内。") % {"row": label, "year": year})
        if kind not in kinds:
            errors.append(
                _("%(row)s：类型“%(kind)s”无效，应为“节假日”（holiday）或“调休”（workday）。")
                % {"row": label, "kind": kind}
            )
        elif kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
            errors.append(
                _("%(row)s：是%(weekday)s，调休上班日只能是周六或周日。")
                % {"row": label, "weekday": WEEKDAY_NAMES[day.weekday()]}
            )
        if len(name) > NAME_MAX_LENGTH:
            errors.append(_("%(row)s：名称过长（最多 50 个字）。") % {"row": label})
        if day in seen:
            if seen[day] != kind:
                errors.append(_("%(row)s：同一天既是节假日又是调休上班日。") % {"row": label})
            else:
                errors.append(_("%(row)s：日期重复。") % {"row": label})
        else:
            seen[day] = kind
    return errors


def holiday_year_import(
    *,
    year: int,
    rows: list[HolidayRow],
    notice: str,
    actor: User | None,
    source: str = HolidayYear.Source.ADMIN,
    now: datetime | None = None,
) -> HolidayYear:
    """Enter (or replace) one year's holiday notice: all its rows, or nothing.

    Every row is checked before anything is written, and all problems are reported at once, so an import
    either replaces the whole year or leaves the previous table untouched.
    """
    if not 2000 <= year <= 2100:
        raise ValidationError(_("年份 %(year)s 无效。") % {"year": year})
    if source not in HolidayYear.Source.values:
        raise ValidationError(_("来源“%(source)s”无效。") % {"source": source})
    rows = [
        (day.date() if isinstance(day, datetime) else day, str(kind or "").strip(), str(name or "").strip())
        for day, kind, name in rows
    ]
    errors = _validate_rows(year, rows)
    if errors:
        raise ValidationError(errors)
    at = now if now is not None else timezone.now()
    with transaction.atomic():
        # Lock the year's row so two imports of the same year run one after the other.
        holiday_year = HolidayYear.objects.select_for_update().filter(year=year).first()
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create([CalendarDay(date=day, kind=kind, name=name) for day, kind, name in rows])
        if holiday_year is None:
            holiday_year = HolidayYear(year=year)
        holiday_year.notice = notice.strip()
        holiday_year.source = source
        holiday_year.entered_by = actor
        holiday_year.entered_at = at  # auto_now_add only fills it on insert; a re-import is a new entry
        holiday_year.save()
    _forget_cached_calendars()
    return holiday_year


# --- reading a notice file --------------------------------------------------------------------------------------

_DATE_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE_PATTERN.match(str(value or ""))
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _rows_from_table(table: list[list[Any]]) -> list[HolidayRow]:
    """Map a header row plus data rows to import rows; errors name the file's row number (header = row 1)."""
    table = [row for row in table if any(str(cell or "").strip() for cell in row)]
    if not table:
        raise ValidationError(_("文件为空。"))
    header = [HEADER_ALIASES.get(str(cell or "").strip().lstrip("\ufeff").lower(), "") for cell in table[0]]
    missing = [label for key, label in (("date", "日期"), ("kind", "类型")) if key not in header]
    if missing:
        raise ValidationError(
            _("表头缺少列：%(columns)s（需要“日期”“类型”，可选“名称”）。") % {"columns": "、".join(missing)}
        )
    position: dict[str, int] = {key: header.index(key) for key in ("date", "kind", "name") if key in header}
    rows: list[HolidayRow] = []
    errors: list[str] = []
    for number, cells in enumerate(table[1:], start=2):

        def cell(key: str, cells: list[Any] = cells) -> Any:
            index = position.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        day = _parse_date(cell("date"))
        if day is None:
            errors.append(_("第%(number)d行：日期“%(value)s”无法识别。") % {"number": number, "value": cell("date")})
            continue
        raw_kind = str(cell("kind") or "").strip()
        kind = KIND_ALIASES.get(raw_kind.lower(), raw_kind)
        rows.append((day, kind, str(cell("name") or "").strip()))
    if errors:
        raise ValidationError(errors)
    return rows


def _read_csv(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Chinese Windows saves "CSV" in GB18030/GBK; accept it rather than show mojibake errors.
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("无法识别文件编码，请保存为 UTF-8 编码的 CSV。")) from exc
    return [list(row) for row in csv.reader(io.StringIO(text))]


def _read_xlsx(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or mislabelled file
        raise ValidationError(_("无法读取 Excel 文件：%(error)s") % {"error": exc}) from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def parse_holiday_file(uploaded_file: IO[bytes]) -> list[HolidayRow]:
    """Rows of a notice file: CSV (UTF-8, BOM optional) or XLSX, columns 日期, 类型 (节假日/调休), 名称.

    Unknown kinds are passed through so that ``holiday_year_import`` reports them with the other row errors.
    """
    data = uploaded_file.read()
    name = str(getattr(uploaded_file, "name", "") or "").lower()
    # XLSX is a zip archive; trust the content over the file name, which users rename freely.
    table = _read_xlsx(data) if data[:2] == b"PK" or name.endswith(".xlsx") else _read_csv(data)
    return _rows_from_table(table)
