"""The bureau's ledgers: over-standard rooms, vacating deadlines, idle rooms, utilisation by building and unit, the
leaders' office filing list; and their XLSX. Each is a fixed number of queries."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _
from openpyxl import Workbook

from offices import selectors
from offices.models import (
    LEADER_RANKS,
    Allocation,
    NormCheck,
    NormFinding,
    ReallocationProposal,
    Seat,
    VacatingDeadline,
)
from tickets.models import Building, Room, Status
from tickets.reports.cells import safe_row

ZERO = Decimal(0)
OPEN_OR_RESOLVED = (Status.SUBMITTED, Status.REOPENED, Status.ACCEPTED, Status.RESOLVED)


@dataclass
class BuildingUse:
    building: Building
    total: Decimal
    allocated: Decimal
    occupied: Decimal

    @property
    def allocated_pct(self) -> int:
        return round(self.allocated / self.total * 100) if self.total else 0

    @property
    def occupied_pct(self) -> int:
        return round(self.occupied / self.total * 100) if self.total else 0


def building_usage(*, day: date) -> list[BuildingUse]:
    total = dict(
        Room.objects.values("floor__building")
        .order_by()
        .annotate(a=Sum("usable_area"))
        .values_list("floor__building", "a")
    )
    held = Allocation.objects.filter(selectors.q_current(day))
    allocated = dict(
        held.values("room__floor__building")
        .order_by()
        .annotate(a=Sum("room__usable_area"))
        .values_list("room__floor__building", "a")
    )
    occupied_rooms = Seat.objects.filter(selectors.q_current(day, start="since", end="until")).values("room_id")
    occupied = dict(
        Room.objects.filter(pk__in=occupied_rooms)
        .values("floor__building")
        .order_by()
        .annotate(a=Sum("usable_area"))
        .values_list("floor__building", "a")
    )
    return [
        BuildingUse(b, total.get(b.pk) or ZERO, allocated.get(b.pk) or ZERO, occupied.get(b.pk) or ZERO)
        for b in Building.objects.filter(pk__in=list(total)).select_related("compound")
    ]


def latest_check() -> NormCheck | None:
    """The last stored over-standard check (the nightly job or the bureau's button). The ledger reads it rather than
    checking 20,000 rooms while a page waits."""
    return NormCheck.objects.select_related("version").order_by("-checked_at", "-id").first()


def findings_of(check: NormCheck | None) -> list[NormFinding]:
    if check is None:
        return []
    return list(check.findings.select_related("room__floor__building", "unit").order_by("-excess", "room_id"))


def ledger_data(*, day: date) -> dict[str, Any]:
    vacating = VacatingDeadline.objects.filter(vacated_on__isnull=True).select_related(
        "seat__person", "seat__room", "seat__unit"
    )
    usage = selectors.unit_usage(day=day)
    peak = max([u.used for u in usage] + [u.approved or ZERO for u in usage] + [Decimal(1)])
    check = latest_check()
    return {
        "check": check,
        "over": findings_of(check),  # the page shows the 200 largest; the XLSX all
        "vacating": list(vacating.order_by("due_on")),
        # Given back (by the unit's record) but not yet confirmed by the bureau: the rows with a "close" button.
        "to_close": list(
            VacatingDeadline.objects.filter(vacated_on__isnull=False, service_request__status__in=OPEN_OR_RESOLVED)
            .select_related("seat__person", "seat__room", "seat__unit", "service_request")
            .order_by("vacated_on", "id")
        ),
        "overdue": [d for d in vacating if d.due_on < day],
        "idle": list(ReallocationProposal.objects.filter(closed_at__isnull=True).select_related("room", "unit")),
        "units": [
            {"u": u, "used_pct": round(u.used / peak * 100), "approved_pct": round((u.approved or 0) / peak * 100)}
            for u in usage
        ],
        "buildings": building_usage(day=day),
    }


def leader_rows(*, day: date) -> list[Seat]:
    return list(
        Seat.objects.filter(selectors.q_current(day, start="since", end="until"), person__rank__in=LEADER_RANKS)
        .select_related("person", "room__floor__building", "unit")
        .order_by("unit__code", "person__name")
    )


def ledger_xlsx(data: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("超标")
    sheet.append(safe_row([_("房间"), _("单位"), _("使用面积"), _("核定上限"), _("超标面积"), _("人员")]))
    for f in data["over"]:
        names = "、".join(str(p["name"]) for p in f.people)
        sheet.append(
            safe_row([str(f.room), str(f.unit or ""), float(f.area), float(f.allowance), float(f.excess), names])
        )
    sheet = book.create_sheet(_("腾退"))
    sheet.append(safe_row([_("人员"), _("房间"), _("单位"), _("原因"), _("期限"), _("逾期")]))
    for d in data["vacating"]:
        sheet.append(
            safe_row(
                [
                    d.seat.person.name,
                    str(d.seat.room),
                    str(d.seat.unit),
                    str(d.get_reason_display()),
                    d.due_on,
                    d in data["overdue"],
                ]
            )
        )
    sheet = book.create_sheet(_("单位用房"))
    sheet.append(safe_row([_("单位"), _("核定面积"), _("已用办公面积"), _("超出")]))
    for item in data["units"]:
        u = item["u"]
        sheet.append(
            safe_row(
                [str(u.unit), float(u.approved) if u.approved is not None else None, float(u.used), float(u.excess)]
            )
        )
    sheet = book.create_sheet(_("楼栋利用"))
    sheet.append(safe_row([_("楼栋"), _("总面积"), _("已配置"), _("有人办公")]))
    for b in data["buildings"]:
        sheet.append(safe_row([str(b.building), float(b.total), float(b.allocated), float(b.occupied)]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
