"""Costs and utilisation: per trip (stored on the trip at 核算), per vehicle (单车核算), per unit, per year.

Each report reads a fixed number of queries and aggregates in Python, because trip durations (returned − out)
are not portable SQL across SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fleet.models import RecordKind, Vehicle, VehicleRecord, VehicleTrip
from tickets.reports.cells import safe_row
from tickets.services.deadlines import office_calendar
from tickets.sla.clock import is_working_day

WORKDAY_HOURS = Decimal("8")
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _period(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end] inclusive local dates as aware datetimes [start 00:00, end+1 00:00)."""
    tz = timezone.get_current_timezone()
    return (datetime.combine(start, time(0), tzinfo=tz), datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz))


def _returned_trips(start: date, end: date) -> list[Mapping[str, Any]]:
    since, until = _period(start, end)
    return list(
        VehicleTrip.objects.filter(returned_at__gte=since, returned_at__lt=until, vehicle__isnull=False).values(
            "vehicle_id",
            "request__unit_id",
            "request__unit__name",
            "out_at",
            "returned_at",
            "distance_km",
            "cost_km",
            "cost_time",
            "cost_total",
            "tolls",
            "parking",
            "fuel",
        )
    )


def _hours(row: Mapping[str, Any]) -> Decimal:
    seconds = (row["returned_at"] - row["out_at"]).total_seconds()
    return (Decimal(seconds) / 3600).quantize(Decimal("0.01"))


@dataclass
class VehicleLine:
    vehicle: Vehicle
    trips: int = 0
    km: int = 0
    hours: Decimal = ZERO
    trip_charges: Decimal = ZERO
    running: dict[str, Decimal] = field(default_factory=dict)
    utilisation: Decimal = ZERO

    @property
    def running_total(self) -> Decimal:
        return sum(self.running.values(), ZERO)

    @property
    def total(self) -> Decimal:
        return self.trip_charges + self.running_total


def working_days(start: date, end: date) -> int:
    calendar = office_calendar()
    return sum(1 for n in range((end - start).days + 1) if is_working_day(start + timedelta(days=n), calendar))


def vehicle_report(*, start: date, end: date) -> list[VehicleLine]:
    """单车核算: trips, km, hours, the contractor's service charges (kilometres and time) and running costs (the
    vehicle's records: insurance, inspection, maintenance, and the fuel, tolls and parking of its trips) of each
    vehicle in [start, end]. A trip's total cost is its service charge plus its records, so no amount counts twice."""
    lines = {v.pk: VehicleLine(vehicle=v) for v in Vehicle.objects.select_related("home_compound", "owning_unit")}
    for row in _returned_trips(start, end):
        line = lines[row["vehicle_id"]]
        line.trips += 1
        line.km += row["distance_km"] or 0
        line.hours += _hours(row)
        # The service part only: the trip's tolls, parking and fuel are in the vehicle's records (written at
        # return), counted once below with its other running costs, costed or not yet.
        line.trip_charges += (row["cost_km"] or ZERO) + (row["cost_time"] or ZERO)
    records = (
        VehicleRecord.objects.filter(date__gte=start, date__lte=end)
        .values("vehicle_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for rec in records:
        lines[rec["vehicle_id"]].running[rec["kind"]] = rec["total"].quantize(CENT)
    available = working_days(start, end) * WORKDAY_HOURS
    for line in lines.values():
        if available:
            line.utilisation = (line.hours / available * 100).quantize(Decimal("0.1"))
    return list(lines.values())


@dataclass
class UnitLine:
    unit_id: int | None
    unit_name: str
    trips: int = 0
    km: int = 0
    hours: Decimal = ZERO
    cost: Decimal = ZERO


def unit_report(*, start: date, end: date) -> list[UnitLine]:
    """Trips, km, hours and cost by the unit that asked for the car."""
    lines: dict[int | None, UnitLine] = {}
    for row in _returned_trips(start, end):
        key = row["request__unit_id"]
        line = lines.setdefault(key, UnitLine(key, row["request__unit__name"] or _("(无单位)")))
        line.trips += 1
        line.km += row["distance_km"] or 0
        line.hours += _hours(row)
        line.cost += row["cost_total"] or ZERO
    return sorted(lines.values(), key=lambda x: (-x.cost, x.unit_name))


def yearly_running_cost(*, year: int) -> list[dict[str, Any]]:
    """Running cost of each vehicle in a year, by kind of record (insurance, inspection, fuel…)."""
    lines = {
        v.pk: {"vehicle": v, **dict.fromkeys(RecordKind.values, ZERO), "total": ZERO} for v in Vehicle.objects.all()
    }
    rows = (
        VehicleRecord.objects.filter(date__year=year)
        .values("vehicle_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        line = lines[row["vehicle_id"]]
        line[row["kind"]] = row["total"].quantize(CENT)
        line["total"] += row["total"].quantize(CENT)
    return list(lines.values())


def export_xlsx(*, start: date, end: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("单车核算")
    kinds = list(RecordKind)
    ws.append(
        safe_row(
            [
                _("车牌号"),
                _("车型"),
                _("出车次数"),
                _("里程(公里)"),
                _("用车时长(小时)"),
                _("利用率(%)"),
                _("用车服务费(元)"),
                *[str(k.label) for k in kinds],
                _("合计(元)"),
            ]
        )
    )
    for line in vehicle_report(start=start, end=end):
        ws.append(
            safe_row(
                [
                    line.vehicle.plate,
                    line.vehicle.model,
                    line.trips,
                    line.km,
                    float(line.hours),
                    float(line.utilisation),
                    float(line.trip_charges),
                    *[float(line.running.get(k.value, ZERO)) for k in kinds],
                    float(line.total),
                ]
            )
        )
    units = wb.create_sheet(_("单位用车"))
    units.append(safe_row([_("单位"), _("出车次数"), _("里程(公里)"), _("用车时长(小时)"), _("费用(元)")]))
    for u in unit_report(start=start, end=end):
        units.append(safe_row([u.unit_name, u.trips, u.km, float(u.hours), float(u.cost)]))
    yearly = wb.create_sheet(_("年度运行费用"))
    yearly.append(safe_row([_("车牌号"), *[str(k.label) for k in kinds], _("合计(元)")]))
    for row in yearly_running_cost(year=start.year):
        yearly.append(safe_row([row["vehicle"].plate, *[float(row[k.value]) for k in kinds], float(row["total"])]))
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
