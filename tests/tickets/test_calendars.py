"""The national holiday table: the prefilled years, entering a notice (service, file, admin) and loading it.

Carol supervises property for the bureau and enters the State Council notice each year.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from tickets.models import BusinessCalendar, CalendarDay, HolidayYear
from tickets.sla.calendars import (
    calendar_gaps,
    calendars_cached,
    holiday_year_import,
    load_work_calendar,
    parse_holiday_file,
)
from tickets.sla.clock import Target, add_working_minutes

SH = ZoneInfo("Asia/Shanghai")
UPLOAD_URL = "/admin/tickets/holidayyear/upload/"


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _ranges(year: int, ranges: list[tuple[tuple[int, int], tuple[int, int]]]) -> set[date]:
    return {day for first, last in ranges for day in _days(date(year, *first), date(year, *last))}


# The notices as published (2026 from the domain brief).
NOTICES = {
    2024: (
        _ranges(
            2024,
            [
                ((1, 1), (1, 1)),
                ((2, 10), (2, 17)),
                ((4, 4), (4, 6)),
                ((5, 1), (5, 5)),
                ((6, 8), (6, 10)),
                ((9, 15), (9, 17)),
                ((10, 1), (10, 7)),
            ],
        ),
        {date(2024, m, d) for m, d in [(2, 4), (2, 18), (4, 7), (4, 28), (5, 11), (9, 14), (9, 29), (10, 12)]},
    ),
    2025: (
        _ranges(
            2025,
            [
                ((1, 1), (1, 1)),
                ((1, 28), (2, 4)),
                ((4, 4), (4, 6)),
                ((5, 1), (5, 5)),
                ((5, 31), (6, 2)),
                ((10, 1), (10, 8)),
            ],
        ),
        {date(2025, m, d) for m, d in [(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)]},
    ),
    2026: (
        _ranges(
            2026,
            [
                ((1, 1), (1, 3)),
                ((2, 15), (2, 23)),
                ((4, 4), (4, 6)),
                ((5, 1), (5, 5)),
                ((6, 19), (6, 21)),
                ((9, 25), (9, 27)),
                ((10, 1), (10, 7)),
            ],
        ),
        {date(2026, m, d) for m, d in [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)]},
    ),
}


def days_of(year: int, kind: str) -> set[date]:
    return set(CalendarDay.objects.filter(date__year=year, kind=kind).values_list("date", flat=True))


@pytest.fixture
def carol(django_user_model):
    return django_user_model.objects.create_superuser(username="carol", password="carol-secret-1", email="c@x.cn")


def csv_file(text: str, name: str = "2027.csv", bom: bool = True) -> SimpleUploadedFile:
    data = text.encode("utf-8")
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + data, content_type="text/csv")


CSV_2027 = "日期,类型,名称\n2027-01-01,节假日,元旦\n2027-02-06,节假日,春节\n2027-02-07,调休,春节调休上班\n"


# --- prefilled years ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_prefilled_years_match_the_notices(year):
    holidays, workdays = NOTICES[year]
    assert days_of(year, "holiday") == holidays
    assert days_of(year, "workday") == workdays
    assert HolidayYear.objects.get(year=year).source == HolidayYear.Source.PACKAGE


@pytest.mark.django_db
def test_prefilled_2026_names_are_chinese():
    names = dict(CalendarDay.objects.filter(date__year=2026, kind="holiday").values_list("date", "name"))
    assert {names[date(2026, 1, 1)], names[date(2026, 2, 15)], names[date(2026, 4, 4)], names[date(2026, 5, 3)]} == {
        "元旦",
        "春节",
        "清明节",
        "劳动节",
    }
    assert {names[date(2026, 6, 21)], names[date(2026, 9, 25)], names[date(2026, 10, 4)]} == {
        "端午节",
        "中秋节",
        "国庆节",
    }
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).name == "国庆节调休上班"


# --- loading -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_work_calendar_reads_hours_days_and_known_years(django_assert_num_queries):
    office = BusinessCalendar.objects.create(name="机关办公")
    with django_assert_num_queries(2):
        calendar = load_work_calendar(office)
    assert calendar.known_years == frozenset({2024, 2025, 2026})
    assert calendar.holidays[date(2026, 10, 1)] == "国庆节"
    assert date(2026, 10, 10) in calendar.workdays
    assert calendar.weekly_hours[0][1][1].isoformat() == "17:30:00"
    assert 5 not in calendar.weekly_hours
    due = add_working_minutes(datetime(2026, 9, 30, 15, tzinfo=SH), Target(450), calendar).due
    assert due == datetime(2026, 10, 8, 15, tzinfo=SH)


@pytest.mark.django_db
def test_load_work_calendar_for_none_and_canteen(django_assert_num_queries):
    with django_assert_num_queries(0):
        open_all_hours = load_work_calendar(None)
    assert open_all_hours.always_open is True
    canteen = BusinessCalendar(
        name="食堂",
        weekly_hours={str(d): [["06:00", "09:00"], ["16:00", "24:00"]] for d in range(7)},
        observes_public_holidays=False,
    )
    with django_assert_num_queries(0):  # the national table cannot change its deadlines
        calendar = load_work_calendar(canteen)
    assert calendar.observes_public_holidays is False
    assert add_working_minutes(datetime(2026, 10, 1, 23, tzinfo=SH), Target(90), calendar).due == datetime(
        2026, 10, 2, 6, 30, tzinfo=SH
    )


@pytest.mark.django_db
def test_calendars_cached_reads_the_national_table_once_per_block(django_assert_num_queries):
    office = BusinessCalendar.objects.create(name="机关办公")
    late = BusinessCalendar.objects.create(
        name="晚班", weekly_hours={str(d): [["13:00", "21:00"]] for d in range(5)}, observes_public_holidays=True
    )
    with calendars_cached():
        with django_assert_num_queries(2):
            first = load_work_calendar(office)
        with django_assert_num_queries(0):  # other hours, same national table
            other = load_work_calendar(late)
        with django_assert_num_queries(0):
            assert load_work_calendar(office) is first
            with calendars_cached():  # a nested block shares the outer one
                assert load_work_calendar(office) is first
    assert other.holidays is first.holidays
    assert other.weekly_hours[0][0][0].isoformat() == "13:00:00"
    with django_assert_num_queries(2):  # outside a block, every call reads the table
        assert load_work_calendar(office) == first


@pytest.mark.django_db
def test_edits_are_seen_after_the_block_and_local_edits_within_it():
    office = BusinessCalendar.objects.create(name="机关办公")
    start = datetime(2027, 2, 10, 9, tzinfo=SH)  # a Wednesday; 2027 has no notice entered yet
    with calendars_cached():
        before = load_work_calendar(office)
        assert 2027 not in before.known_years
        # Another process enters the notice meanwhile (a plain write, not through this block's import).
        HolidayYear.objects.create(year=2027, notice="国办发明电〔2026〕1号")
        CalendarDay.objects.create(date=date(2027, 2, 10), kind=CalendarDay.Kind.HOLIDAY, name="春节")
        assert load_work_calendar(office) is before  # the block keeps what it read
    # The next block (or any call outside one) sees the edit.
    with calendars_cached():
        after = load_work_calendar(office)
    assert 2027 in after.known_years and date(2027, 2, 10) in after.holidays
    due = add_working_minutes(start, Target(60), after)
    assert not due.incomplete and due.due.date() == date(2027, 2, 11)

    with calendars_cached():
        load_work_calendar(office)
        # An import within the block empties the cache: the next deadline uses the new table at once.
        holiday_year_import(
            year=2027,
            rows=[(date(2027, 2, 11), "holiday", "春节")],
            notice="国办发明电〔2026〕1号（更正）",
            actor=None,
        )
        assert date(2027, 2, 11) in load_work_calendar(office).holidays
        assert date(2027, 2, 10) not in load_work_calendar(office).holidays
        # An edit of the calendar's own hours is seen as well: a calendar is reused only while its hours hold.
        office.weekly_hours = {str(d): [["10:00", "16:00"]] for d in range(5)}
        office.save()
        reloaded = load_work_calendar(BusinessCalendar.objects.get(pk=office.pk))
        assert reloaded.weekly_hours[0] == ((time(10), time(16)),)


@pytest.mark.django_db
def test_calendar_gaps():
    assert calendar_gaps(2024, 2028) == [2027, 2028]
    assert calendar_gaps(2025, 2026) == []


# --- holiday_year_import -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_then_replaces_a_year(carol):
    rows = [(date(2027, 1, 1), "holiday", "元旦"), (date(2027, 2, 7), "workday", "春节调休上班")]
    year = holiday_year_import(year=2027, rows=rows, notice="国办发明电〔2026〕1号", actor=carol, source="upload")
    assert (year.year, year.source, year.entered_by, year.notice) == (2027, "upload", carol, "国办发明电〔2026〕1号")
    assert days_of(2027, "holiday") == {date(2027, 1, 1)}

    holiday_year_import(year=2027, rows=[(date(2027, 1, 1), "holiday", "元旦")], notice="更正", actor=carol)
    assert days_of(2027, "workday") == set()
    assert HolidayYear.objects.get(year=2027).notice == "更正"
    assert HolidayYear.objects.filter(year=2027).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rows", "message"),
    [
        pytest.param([(date(2025, 12, 31), "holiday", "元旦")], "不在 2026 年内", id="date-outside-year"),
        pytest.param([(date(2026, 10, 12), "workday", "国庆节调休上班")], "星期一", id="workday-on-weekday"),
        pytest.param([(date(2026, 10, 1), "vacation", "国庆节")], "类型“vacation”无效", id="bad-kind"),
        pytest.param(
            [(date(2026, 10, 10), "holiday", "国庆节"), (date(2026, 10, 10), "workday", "国庆节调休上班")],
            "既是节假日又是调休上班日",
            id="holiday-and-workday",
        ),
        pytest.param([(date(2026, 1, 1), "holiday", "元旦")], "日期重复", id="duplicate"),
    ],
)
def test_import_failures_change_nothing(carol, rows, message):
    # Good rows around the bad one must not be written either.
    rows = [(date(2026, 1, 1), "holiday", "元旦"), *rows]
    before = list(CalendarDay.objects.filter(date__year=2026).values_list("date", "kind", "name"))
    with pytest.raises(ValidationError) as error:
        holiday_year_import(year=2026, rows=rows, notice="错误", actor=carol, source="upload")
    assert any(message in text for text in error.value.messages), error.value.messages
    assert list(CalendarDay.objects.filter(date__year=2026).values_list("date", "kind", "name")) == before
    assert HolidayYear.objects.get(year=2026).source == HolidayYear.Source.PACKAGE


@pytest.mark.django_db
def test_import_of_nothing_is_refused(carol):
    with pytest.raises(ValidationError, match="没有任何日期"):
        holiday_year_import(year=2027, rows=[], notice="", actor=carol)
    assert not HolidayYear.objects.filter(year=2027).exists()


# --- parse_holiday_file ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [True, False])
def test_parse_csv_with_chinese_headers(bom):
    rows = parse_holiday_file(csv_file(CSV_2027, bom=bom))
    assert rows == [
        (date(2027, 1, 1), "holiday", "元旦"),
        (date(2027, 2, 6), "holiday", "春节"),
        (date(2027, 2, 7), "workday", "春节调休上班"),
    ]


def test_parse_csv_with_english_headers_and_other_date_forms():
    text = "date,kind,name\n2027/1/1,holiday,New Year\n2027年2月7日,workday,\n"
    assert parse_holiday_file(csv_file(text, bom=False)) == [
        (date(2027, 1, 1), "holiday", "New Year"),
        (date(2027, 2, 7), "workday", ""),
    ]


def test_parse_csv_in_gbk_from_excel():
    data = CSV_2027.encode("gb18030")
    assert parse_holiday_file(SimpleUploadedFile("x.csv", data))[0] == (date(2027, 1, 1), "holiday", "元旦")


def test_parse_xlsx():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["日期", "类型", "名称"])
    sheet.append([datetime(2027, 1, 1), "节假日", "元旦"])
    sheet.append(["2027-02-07", "调休", "春节调休上班"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = parse_holiday_file(SimpleUploadedFile("2027.xlsx", buffer.getvalue()))
    assert rows == [(date(2027, 1, 1), "holiday", "元旦"), (date(2027, 2, 7), "workday", "春节调休上班")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("日期,类型\n2027-13-01,节假日\n", "第2行", id="bad-date"),
        pytest.param("名称\n元旦\n", "日期、类型", id="missing-columns"),
        pytest.param("", "文件为空", id="empty"),
    ],
)
def test_parse_errors_name_the_row(text, message):
    with pytest.raises(ValidationError) as error:
        parse_holiday_file(csv_file(text))
    assert any(message in text for text in error.value.messages), error.value.messages


# --- admin ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_upload_creates_the_year(client, carol):
    client.force_login(carol)
    assert reverse("admin:tickets_holidayyear_upload") == UPLOAD_URL
    page = client.get(UPLOAD_URL)
    assert page.status_code == 200
    assert "holiday-upload-form" in page.content.decode()

    response = client.post(UPLOAD_URL, {"year": 2027, "notice": "国办发明电〔2026〕1号", "file": csv_file(CSV_2027)})
    assert response.status_code == 302
    year = HolidayYear.objects.get(year=2027)
    assert (year.source, year.entered_by, year.notice) == ("upload", carol, "国办发明电〔2026〕1号")
    assert days_of(2027, "holiday") == {date(2027, 1, 1), date(2027, 2, 6)}
    assert days_of(2027, "workday") == {date(2027, 2, 7)}
    assert "已录入 2027 年节假日安排，共 3 天。" in [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_admin_upload_shows_row_errors_and_changes_nothing(client, carol):
    client.force_login(carol)
    bad = "日期,类型,名称\n2027-01-01,节假日,元旦\n2027-02-08,调休,春节调休上班\n"  # 2-08 is a Monday
    response = client.post(UPLOAD_URL, {"year": 2027, "notice": "x", "file": csv_file(bad)})
    assert response.status_code == 200
    assert "调休上班日只能是周六或周日" in response.content.decode()
    assert not HolidayYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


@pytest.mark.django_db
def test_admin_upload_needs_a_staff_login(client):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_admin_add_goes_to_the_upload(client, carol):
    client.force_login(carol)
    response = client.get(reverse("admin:tickets_holidayyear_add"))
    assert response.status_code == 302
    assert response["Location"] == UPLOAD_URL


@pytest.mark.django_db
def test_changelist_warns_about_missing_years(client, carol):
    client.force_login(carol)
    with time_machine.travel(datetime(2026, 6, 1, 10, tzinfo=SH), tick=False):
        response = client.get(reverse("admin:tickets_holidayyear_changelist"))
    assert response.status_code == 200
    assert "以下年份尚未录入国务院节假日安排，涉及这些年份的时限为暂定值：2027" in response.content.decode()


@pytest.mark.django_db
def test_changelist_is_quiet_when_both_years_are_entered(client, carol):
    client.force_login(carol)
    with time_machine.travel(datetime(2025, 6, 1, 10, tzinfo=SH), tick=False):
        response = client.get(reverse("admin:tickets_holidayyear_changelist"))
    assert "尚未录入" not in response.content.decode()


@pytest.mark.django_db
def test_calendar_day_admin_filters_by_kind_and_year(client, carol):
    client.force_login(carol)
    url = reverse("admin:tickets_calendarday_changelist")
    response = client.get(url, {"kind": "workday", "year": "2026"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 6


@pytest.mark.django_db
def test_business_calendar_admin_rejects_bad_hours(client, carol):
    client.force_login(carol)
    response = client.post(
        reverse("admin:tickets_businesscalendar_add"),
        {
            "name": "坏日历",
            "day_0": "12:00-08:30",
            "day_1": "8点半到12点",
            "day_9": "x",
            "observes_public_holidays": "on",
        },
    )
    assert response.status_code == 200
    assert not BusinessCalendar.objects.filter(name="坏日历").exists()
    html = response.content.decode()
    assert "“12:00-08:30”的结束时间要晚于开始时间。" in html
    assert "“8点半到12点”看不懂：每个时段写成 08:30-12:00，多个时段用逗号隔开。" in html
    assert "weekday" not in html and "must be" not in html


@pytest.mark.django_db
def test_business_calendar_hours_are_a_form_a_clerk_fills_in(client, carol):
    client.force_login(carol)
    add = client.get(reverse("admin:tickets_businesscalendar_add")).content.decode()
    assert 'name="day_0" value="08:30-12:00, 13:30-17:30"' in add and 'name="weekly_hours"' not in add
    response = client.post(
        reverse("admin:tickets_businesscalendar_add"),
        {
            "name": "食堂",
            "day_0": "6:00-9:00，10:30-13:00",
            "day_5": "06:00 至 09:00",
            "day_6": "06:00～09:00、16:00-24:00",
            "observes_public_holidays": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = BusinessCalendar.objects.get(name="食堂")
    assert saved.weekly_hours == {
        "0": [["06:00", "09:00"], ["10:30", "13:00"]],
        "5": [["06:00", "09:00"]],
        "6": [["06:00", "09:00"], ["16:00", "24:00"]],
    }
    overlap = client.post(
        reverse("admin:tickets_businesscalendar_change", args=[saved.pk]),
        {"name": "食堂", "day_0": "08:00-12:00, 11:00-13:00"},
    )
    assert overlap.status_code == 200 and "时段之间不能重叠。" in overlap.content.decode()
    nothing = client.post(reverse("admin:tickets_businesscalendar_add"), {"name": "空"})
    assert "非7×24小时的日历至少要有一天的工作时段。" in nothing.content.decode()
