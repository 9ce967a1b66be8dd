"""A scorecard, and a quarter's or year's roll-up, as XLSX: one sheet, Chinese headers, the header frozen, a
totals row."""

from __future__ import annotations

from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from tickets.models import Compound, Contract, Scorecard
from tickets.reports.cells import safe_row

BOLD = Font(bold=True)
HEAD = PatternFill("solid", fgColor="DDEBF7")


def write_scorecard(out: IO[bytes] | str, card: Scorecard) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("考核评分表")
    names: dict[int | None, str] = dict(
        Compound.objects.filter(pk__in=card.lines.values("compound")).values_list("pk", "name")
    )
    headers = [_("院区"), _("指标"), _("计分方式"), _("指标值"), _("计算得分"), _("得分"), _("调整理由")]
    ws.append(safe_row(headers))
    for cell in ws[1]:
        cell.font, cell.fill = BOLD, HEAD
    ws.freeze_panes = "A2"
    for line in card.lines.all():
        ws.append(
            safe_row(
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
        )
    rows: list[list[Any]] = [
        [_("合计得分"), "", "", "", "", float(card.score), ""],
        [_("月服务费(元)"), "", "", "", "", float(card.monthly_fee), ""],
        [_("按得分应付(元)"), "", "", "", "", float(card.fee_payable), ""],
        [_("定额扣款(元)"), "", "", "", "", float(card.penalty_total), ""],
        [_("实付金额(元)"), "", "", "", "", float(card.amount_payable), ""],
    ]
    for row in rows:
        ws.append(safe_row(row))
        for cell in ws[ws.max_row]:
            cell.font = BOLD
    for col, width in zip("ABCDEFG", (14, 14, 10, 10, 10, 10, 40), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(out)


def write_rollup(out: IO[bytes] | str, data: dict[str, Any], *, contract: Contract, period: str) -> None:
    """A quarter's or year's roll-up (selectors.rollup): one row per month, then the period's figures."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("考核汇总")
    wb.properties.title = f"{contract.name} {period}"
    headers = [
        _("月份"),
        _("版本"),
        _("状态"),
        _("得分"),
        _("月服务费(元)"),
        _("按得分应付(元)"),
        _("定额扣款(元)"),
        _("实付金额(元)"),
    ]
    ws.append(safe_row(headers))
    for cell in ws[1]:
        cell.font, cell.fill = BOLD, HEAD
    ws.freeze_panes = "A2"

    def num(value: str | None) -> float | None:
        return None if value is None else float(Decimal(value))

    for row in data["months"]:
        ws.append(
            safe_row(
                [
                    row["month"],
                    f"v{row['revision']}" if row["revision"] else "",
                    _("已签发") if row["signed"] else _("未签发"),
                    num(row["score"]),
                    num(row["monthly_fee"]),
                    num(row["fee_payable"]),
                    num(row["penalty_total"]),
                    num(row["amount_payable"]),
                ]
            )
        )
    totals: list[list[Any]] = [
        [_("已签发月数"), "", data["signed_months"], "", "", "", "", ""],
        [_("平均得分"), "", "", num(data["mean_score"]), "", "", "", ""],
        [_("最低得分"), "", "", num(data["lowest_score"]), "", "", "", ""],
        [_("合计"), "", "", "", num(data["fee_total"]), "", num(data["penalty_total"]), num(data["payable_total"])],
    ]
    for row in totals:
        ws.append(safe_row(row))
        for cell in ws[ws.max_row]:
            cell.font = BOLD
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=8):
        for cell in row:
            cell.number_format = "#,##0.00"
    ws.append([])
    ws.append(
        safe_row(
            [
                _("合同：%(contract)s（%(contractor)s） 期间：%(period)s")
                % {"contract": contract.name, "contractor": contract.contractor.name, "period": period}
            ]
        )
    )
    for col, width in zip("ABCDEFGH", (12, 8, 10, 10, 16, 16, 14, 16), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(out)
