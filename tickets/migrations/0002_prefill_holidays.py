"""Prefill the national holiday table for 2024–2026 so a fresh install computes real deadlines at once.

2024 and 2025 come from the `holidays` package (CN). The package lists only the weekdays off: a holiday
block's weekend days (2026-10-04, a Sunday inside National Day) are not in it, so each block is widened over
the adjacent weekend days that are not 调休 working days, which reproduces the State Council notices.
2026 is written out from the notice as given in the domain brief, which wins over the package if they differ.
Later years are entered by the bureau (admin upload); until then their deadlines are flagged as provisional.
"""

from datetime import date, timedelta

from django.db import migrations

PACKAGE_YEARS = (2024, 2025)

# 2026, from the State Council notice (domain brief, "Working-day calendar").
HOLIDAYS_2026 = [
    ((1, 1), (1, 3), "元旦"),
    ((2, 15), (2, 23), "春节"),
    ((4, 4), (4, 6), "清明节"),
    ((5, 1), (5, 5), "劳动节"),
    ((6, 19), (6, 21), "端午节"),
    ((9, 25), (9, 27), "中秋节"),
    ((10, 1), (10, 7), "国庆节"),
]
WORKDAYS_2026 = [
    ((1, 4), "元旦"),
    ((2, 14), "春节"),
    ((2, 28), "春节"),
    ((5, 9), "劳动节"),
    ((9, 20), "国庆节"),
    ((10, 10), "国庆节"),
]

FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
ONE_DAY = timedelta(days=1)


def _festival(name):
    """The festival a package name belongs to ('农历除夕' -> 春节, '清明节（补假）' -> 清明节), or None."""
    if name == "农历除夕":
        return "春节"
    for festival in FESTIVALS:
        if name.startswith(festival):
            return festival
    return None


def rows_2026():
    holidays, workdays = {}, {}
    for (start_month, start_day), (end_month, end_day), name in HOLIDAYS_2026:
        day = date(2026, start_month, start_day)
        while day <= date(2026, end_month, end_day):
            holidays[day] = name
            day += ONE_DAY
    for (month, day_of_month), name in WORKDAYS_2026:
        workdays[date(2026, month, day_of_month)] = f"{name}调休上班"
    return holidays, workdays


def rows_from_package(year):
    import holidays as holidays_package

    table = holidays_package.country_holidays("CN", years=year, language="zh_CN")
    package_names = {day: str(name) for day, name in table.items() if day.year == year}
    workday_set = {day for day in table.weekend_workdays if day.year == year}

    # Widen each block over its adjacent weekend days that are not working days.
    days = set(package_names)
    changed = True
    while changed:
        changed = False
        for day in sorted(days):
            for neighbour in (day - ONE_DAY, day + ONE_DAY):
                if (
                    neighbour.year == year
                    and neighbour.weekday() >= 5
                    and neighbour not in workday_set
                    and neighbour not in days
                ):
                    days.add(neighbour)
                    changed = True

    # Split into blocks of consecutive days; a block is named after its first festival.
    blocks, current = [], []
    for day in sorted(days):
        if current and day - current[-1] != ONE_DAY:
            blocks.append(current)
            current = []
        current.append(day)
    if current:
        blocks.append(current)

    holidays, block_of = {}, {}
    for block in blocks:
        festivals = [_festival(package_names.get(day, "")) for day in block]
        block_name = next((f for f in festivals if f), "")
        for day, festival in zip(block, festivals, strict=True):
            holidays[day] = festival or block_name
            block_of[day] = block_name

    # A 调休 working day belongs to the block whose day off it pays for: "休息日（由 2024-02-04 调休）".
    workdays = {}
    for workday in sorted(workday_set):
        owner = next(
            (block_of[day] for day, name in package_names.items() if workday.isoformat() in name and day in block_of),
            None,
        )
        if owner is None:
            nearest = min(block_of, key=lambda day: abs((day - workday).days))
            owner = block_of[nearest]
        workdays[workday] = f"{owner}调休上班"
    return holidays, workdays


def prefill(apps, schema_editor):
    CalendarDay = apps.get_model("tickets", "CalendarDay")
    HolidayYear = apps.get_model("tickets", "HolidayYear")
    for year in (*PACKAGE_YEARS, 2026):
        if HolidayYear.objects.filter(year=year).exists():
            continue  # the bureau already entered this year: never overwrite its notice
        holidays, workdays = rows_2026() if year == 2026 else rows_from_package(year)
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=day, kind="holiday", name=name) for day, name in sorted(holidays.items())]
            + [CalendarDay(date=day, kind="workday", name=name) for day, name in sorted(workdays.items())]
        )
        HolidayYear.objects.create(year=year, notice="", source="package")


def unfill(apps, schema_editor):
    CalendarDay = apps.get_model("tickets", "CalendarDay")
    HolidayYear = apps.get_model("tickets", "HolidayYear")
    years = list(HolidayYear.objects.filter(source="package").values_list("year", flat=True))
    for year in years:
        CalendarDay.objects.filter(date__year=year).delete()
    HolidayYear.objects.filter(source="package").delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(prefill, unfill)]
