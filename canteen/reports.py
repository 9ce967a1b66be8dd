"""Canteen reports: booked vs served, waste per diner, ratings per dish, complaints and their SLA; the quarterly
anti-waste self-assessment (反食品浪费) as XLSX. Each figure is one aggregate query."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext as _

from canteen.apps import COMPLAINT_KIND
from canteen.models import Canteen, DishRating, FoodSample, HeadCount, WasteLog
from tickets.models import ServiceRequest
from tickets.reports.cells import safe_row

MAX_DAYS = 400


def parse_period(params: Any, *, today: date) -> tuple[date, date]:
    """``date_from``/``date_to`` (default: the last 28 days), validated."""
    errors: dict[str, list[str]] = {}
    values = []
    for key, default in (("date_from", today - timedelta(days=27)), ("date_to", today)):
        raw = params.get(key) or ""
        try:
            values.append(date.fromisoformat(raw) if raw else default)
        except ValueError:
            errors[key] = [_("日期格式应为 YYYY-MM-DD。")]
            values.append(default)
    start, end = values
    if not errors and end < start:
        errors["date_to"] = [_("结束日期不能早于开始日期。")]
    if not errors and (end - start).days > MAX_DAYS:
        errors["date_to"] = [_("统计区间不能超过%(days)d天。") % {"days": MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    return start, end


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def canteen_report(canteen: Canteen, start: date, end: date) -> dict[str, Any]:
    counts = (
        HeadCount.objects.filter(service__canteen=canteen, date__gte=start, date__lte=end)
        .values("date")
        .annotate(booked=Sum("total"), served=Sum("served"))
        .order_by("date")
    )
    booked_vs_served = [{"date": r["date"].isoformat(), "booked": r["booked"], "served": r["served"]} for r in counts]
    waste = (
        WasteLog.objects.filter(canteen=canteen, date__gte=start, date__lte=end)
        .annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(kg=Sum("waste_kg"), diners=Sum("diners"))
        .order_by("week")
    )
    waste_trend = [
        {
            "week": (r["week"].date() if isinstance(r["week"], datetime) else r["week"]).isoformat(),
            "kg": float(r["kg"]),
            "diners": r["diners"],
            "grams_per_diner": round(float(r["kg"]) * 1000 / r["diners"], 1) if r["diners"] else None,
        }
        for r in waste
    ]
    ratings = [
        {"dish": r["dish__name"], "ratings": r["n"], "mean": round(float(r["mean"]), 2)}
        for r in DishRating.objects.filter(dish__menu__canteen=canteen, dish__date__gte=start, dish__date__lte=end)
        .values("dish__name")
        .annotate(n=Count("id"), mean=Avg("stars"))
        .order_by("-n", "dish__name")[:50]
    ]
    complaints = ServiceRequest.objects.filter(
        kind=COMPLAINT_KIND,
        canteen_detail__canteen=canteen,
        created_at__date__gte=start,
        created_at__date__lte=end,
    ).aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(is_open=True)),
        answered=Count("id", filter=Q(responded_at__isnull=False)),
        answered_on_time=Count("id", filter=Q(responded_at__lte=F("response_due"))),
        breached=Count("id", filter=Q(response_breached=True) | Q(resolution_breached=True)),
        mean_rating=Avg("rating"),
    )
    complaints["on_time_pct"] = _pct(complaints["answered_on_time"], complaints["answered"])
    if complaints["mean_rating"] is not None:
        complaints["mean_rating"] = round(float(complaints["mean_rating"]), 2)
    samples = FoodSample.objects.filter(canteen=canteen, taken_at__date__gte=start, taken_at__date__lte=end).aggregate(
        total=Count("id"), flagged=Count("id", filter=Q(underweight=True) | Q(early_disposal=True))
    )
    totals = {
        "booked": sum(r["booked"] or 0 for r in booked_vs_served),
        "served": sum(r["served"] or 0 for r in booked_vs_served),
        "waste_kg": round(sum(r["kg"] for r in waste_trend), 2),
        "diners": sum(r["diners"] for r in waste_trend),
    }
    totals["grams_per_diner"] = round(totals["waste_kg"] * 1000 / totals["diners"], 1) if totals["diners"] else None
    return {
        "canteen": canteen.code,
        "date_from": start.isoformat(),
        "date_to": end.isoformat(),
        "booked_vs_served": booked_vs_served,
        "waste_trend": waste_trend,
        "ratings": ratings,
        "complaints": complaints,
        "samples": samples,
        "totals": totals,
    }


def bars(values: list[float | int | None], *, width: int = 300, height: int = 60) -> list[dict[str, float]]:
    """Bar geometry for a small server-drawn SVG chart (no script, so the page keeps its strict CSP)."""
    numbers = [float(v or 0) for v in values]
    top = max(numbers, default=0) or 1.0
    step = width / max(len(numbers), 1)
    return [
        {
            "x": round(i * step, 1),
            "w": round(max(step - 2, 1), 1),
            "h": round(v / top * height, 1),
            "y": round(height - v / top * height, 1),
            "v": v,
        }
        for i, v in enumerate(numbers)
    ]


def quarter_bounds(year: Any, quarter: Any) -> tuple[date, date]:
    try:
        y, q = int(year), int(quarter)
    except (TypeError, ValueError):
        raise ValidationError({"quarter": [_("请选择年份和季度。")]}) from None
    if not 2000 <= y <= 2100 or q not in (1, 2, 3, 4):
        raise ValidationError({"quarter": [_("请选择年份和季度。")]})
    start = date(y, 3 * q - 2, 1)
    end = date(y + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def anti_waste_xlsx(canteen: Canteen, year: Any, quarter: Any) -> tuple[str, bytes]:
    """The quarterly anti-waste self-assessment (反食品浪费自查表) of one canteen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    start, end = quarter_bounds(year, quarter)
    data = canteen_report(canteen, start, end)
    months = (
        WasteLog.objects.filter(canteen=canteen, date__gte=start, date__lte=end)
        .values("date__month")
        .annotate(kg=Sum("waste_kg"), diners=Sum("diners"), days=Count("id"))
        .order_by("date__month")
    )
    book = Workbook()
    sheet = book.active
    sheet.title = _("自查表")
    bold = Font(bold=True)
    sheet.append(safe_row([_("%(canteen)s 反食品浪费季度自查表") % {"canteen": canteen.name}]))
    sheet["A1"].font = bold
    sheet.append(safe_row([_("统计期间"), f"{start.isoformat()} — {end.isoformat()}"]))
    sheet.append([])
    sheet.append(safe_row([_("月份"), _("记录天数"), _("餐厨垃圾(千克)"), _("就餐人次"), _("人均浪费(克)")]))
    for r in months:
        per = round(float(r["kg"]) * 1000 / r["diners"], 1) if r["diners"] else None
        sheet.append(safe_row([r["date__month"], r["days"], float(r["kg"]), r["diners"], per]))
    totals = data["totals"]
    sheet.append(safe_row([_("合计"), None, totals["waste_kg"], totals["diners"], totals["grams_per_diner"]]))
    sheet.append([])
    sheet.append(safe_row([_("报餐人数合计"), totals["booked"]]))
    sheet.append(safe_row([_("实际就餐合计"), totals["served"]]))
    accuracy = _pct(min(totals["booked"], totals["served"]), max(totals["booked"], totals["served"]))
    sheet.append(safe_row([_("计口下粮准确率(%)"), accuracy]))
    sheet.append(safe_row([_("留样记录数"), data["samples"]["total"]]))
    sheet.append(safe_row([_("留样不合格数"), data["samples"]["flagged"]]))
    sheet.append(safe_row([_("食堂意见数"), data["complaints"]["total"]]))
    sheet.append([])
    sheet.append(safe_row([_("自查项目"), _("结论")]))
    checks = [
        (_("按报餐人数计口下粮"), accuracy is not None and accuracy >= 90),
        (_("每日登记餐厨垃圾"), sum(r["days"] for r in months) > 0),
        (_("留样 ≥125 克、≥48 小时"), data["samples"]["flagged"] == 0),
    ]
    for text, ok in checks:
        sheet.append(safe_row([text, _("符合") if ok else _("需整改")]))
    sheet.column_dimensions["A"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    name = f"anti-waste-{canteen.code}-{start.year}Q{(start.month + 2) // 3}.xlsx"
    return name, buffer.getvalue()


def flagged_samples(canteens: Any, start: date, end: date) -> list[FoodSample]:
    return list(
        FoodSample.objects.filter(canteen__in=canteens, taken_at__date__gte=start, taken_at__date__lte=end)
        .filter(Q(underweight=True) | Q(early_disposal=True))
        .select_related("canteen", "rectification")[:100]
    )
