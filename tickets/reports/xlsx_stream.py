"""A small streaming XLSX writer for large exports.

openpyxl's write-only mode keeps memory flat but builds and serialises a cell object per value: the report's
100k rows × 21 columns cost 22–25 s of CPU with lxml installed (31–45 s wall on the shared 2-core machine, against
a 30 s budget; bench/report_bench.py). This writer streams the sheet XML straight into the zip entry: the same
memory profile, the whole export in 5–7 s of CPU. It supports what the exports need and nothing more: several
sheets, column widths, a frozen header row, an auto-filter, four cell styles (plain, header, date-time, totals),
inline strings, numbers and datetimes (naive local time). Text that could start a formula is prefixed with
``'`` (tickets.reports.cells).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any

from openpyxl.utils import get_column_letter

from tickets.reports.cells import safe_cell

PLAIN, HEADER, DATETIME, TOTAL = 0, 1, 2, 3
_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 (Excel serial dates are naive local time)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>
<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>
<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font>
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FF1F4E79"/><bgColor indexed="64"/></patternFill></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>
<border><left style="thin"><color rgb="FF999999"/></left><right style="thin"><color rgb="FF999999"/></right>
<top style="thin"><color rgb="FF999999"/></top><bottom style="thin"><color rgb="FF999999"/></bottom><diagonal/></border>
</borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"
 applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="2" fillId="3" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def _esc(text: str) -> str:
    text = _ILLEGAL.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cells(values: Sequence[Any], style: int) -> str:
    parts = []
    s_attr = f' s="{style}"' if style else ""
    for value in values:
        if value is None or value == "":
            if style:
                parts.append(f"<c{s_attr}/>")
            else:
                parts.append("<c/>")
        elif isinstance(value, bool):
            parts.append(f'<c t="b"{s_attr}><v>{int(value)}</v></c>')
        elif isinstance(value, int | float):
            parts.append(f"<c{s_attr}><v>{value}</v></c>")
        elif isinstance(value, datetime):
            serial = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
            parts.append(f'<c s="{style or DATETIME}"><v>{serial:.10f}</v></c>')
        elif isinstance(value, date):
            parts.append(f'<c s="{style or DATETIME}"><v>{(value - _EPOCH.date()).days}</v></c>')
        else:
            text = _esc(safe_cell(str(value)))
            parts.append(f'<c t="inlineStr"{s_attr}><is><t xml:space="preserve">{text}</t></is></c>')
    return "".join(parts)


class Sheet:
    def __init__(self, book: StreamingWorkbook, title: str, widths: Sequence[float], nrows: int) -> None:
        self.book, self.title, self.row = book, title, 0
        self.index = len(book.sheets) + 1
        self._out = book.zip.open(f"xl/worksheets/sheet{self.index}.xml", "w", force_zip64=True)
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
        self.ncols = len(widths)
        self.nrows = nrows
        self._write(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f"<cols>{cols}</cols><sheetData>"
        )
        self._buffer: list[str] = []

    def _write(self, text: str) -> None:
        self._out.write(text.encode("utf-8"))

    def append(self, values: Sequence[Any], style: int = PLAIN) -> None:
        self.row += 1
        self._buffer.append(f'<row r="{self.row}">{_cells(values, style)}</row>')
        if len(self._buffer) >= 500:
            self.flush()

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for values in rows:
            self.append(values)

    def flush(self) -> None:
        if self._buffer:
            self._write("".join(self._buffer))
            self._buffer.clear()

    def close(self) -> None:
        self.flush()
        last = get_column_letter(max(self.ncols, 1))
        self._write(f'</sheetData><autoFilter ref="A1:{last}{max(self.row, 2)}"/></worksheet>')
        self._out.close()


class StreamingWorkbook:
    def __init__(self, target: str | IO[bytes]) -> None:
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.sheets: list[Sheet] = []
        self._open: Sheet | None = None

    def sheet(self, title: str, widths: Sequence[float], nrows: int = 0) -> Sheet:
        """Sheets are written one after the other: opening one closes the previous."""
        if self._open is not None:
            self._open.close()
        sheet = Sheet(self, title, widths, nrows)
        self.sheets.append(sheet)
        self._open = sheet
        return sheet

    def close(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None
        n = len(self.sheets)
        z = self.zip
        sheet_types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{sheet_types}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        sheets = "".join(
            f'<sheet name="{_esc(s.title)[:31]}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(self.sheets, 1)
        )
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"'{_esc(s.title)}'!$A$1:${get_column_letter(max(s.ncols, 1))}${max(s.row, 2)}</definedName>"
            for i, s in enumerate(self.sheets)
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheets}</sheets><definedNames>{filters}</definedNames></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{rels}<Relationship Id="rId{n + 1}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/></Relationships>',
        )
        z.writestr("xl/styles.xml", _STYLES)
        z.close()
