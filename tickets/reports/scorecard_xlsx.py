"""A scorecard as XLSX: one sheet, Chinese headers, the header frozen, a totals row."""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from tickets.models import Compound, Scorecard

BOLD = Font(bold=True)
HEAD = PatternFill("solid", fgColor="DDEBF7")


def write_scorecard(out: IO[bytes] | str, card: Scorecard) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("考核评分表")
    names = dict(Compound.objects.filter(pk__in=card.lines.values("compound")).values_list("pk", "name"))
    headers = [_("院区"), _("指标"), _("计分方式"), _("指标值"), _("计算得分"), _("得分"), _("调整理由")]
    ws.append(headers)
    for cell in ws[1]:
        cell.font, cell.fill = BOLD, HEAD
    ws.freeze_panes = "A2"
    for line in card.lines.all():
        ws.append(
            [
                names.get(line.compound_id, _("全合同")),
                str(line.get_indicator_display()),
                str(line.get_method_display()),
                None if line.value is None else float(line.value),
                float(line.computed_points),
                float(line.points),
                line.adjust_reason,
            ]
        )
    rows: list[list[Any]] = [
        [_("合计得分"), "", "", "", "", float(card.score), ""],
        [_("月服务费(元)"), "", "", "", "", float(card.monthly_fee), ""],
        [_("按得分应付(元)"), "", "", "", "", float(card.fee_payable), ""],
        [_("定额扣款(元)"), "", "", "", "", float(card.penalty_total), ""],
        [_("实付金额(元)"), "", "", "", "", float(card.amount_payable), ""],
    ]
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            cell.font = BOLD
    for col, width in zip("ABCDEFG", (14, 14, 10, 10, 10, 10, 40), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(out)
