"""The tabular reading layer of the imports: a file (XLSX or CSV) in, rows of parsed cells or errors out.

It knows spreadsheets and the clerks who fill them, not the models: how Excel stores numbers and encodes CSV, how
a header is decorated ("使用面积（㎡）*"), which row number a person sees, how a cell is parsed (codes, choices by
label, areas, e-mail) and how every problem of a file is collected with its row and column so the whole file can
be fixed in one go. The importers (``tickets.services.imports``) declare their columns and parsers on top of it.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

SUPPORTED_EXTENSIONS = (".xlsx", ".csv")
HEADER_ROW = 1
FILE = "file"  # the field of an error about the file as a whole (row 0)
FILE_LABEL = _("文件")


# --- results -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in the file. ``row`` is the spreadsheet row (header = 1; 0 = the file as a whole) and
    ``field`` the canonical column key, so callers can render either a sentence or a table."""

    row: int
    field: str
    message: str
    # The column's label; set by rejected() from the importer's columns, so it is no part of equality.
    label: str | Promise = dataclass_field(default="", compare=False)

    @property
    def field_label(self) -> str:
        return str(self.label or (FILE_LABEL if self.field == FILE else self.field))

    def __str__(self) -> str:
        if self.row <= 0:
            return gettext("%(field)s：%(message)s") % {"field": self.field_label, "message": self.message}
        return gettext("第%(row)d行 %(field)s：%(message)s") % {
            "row": self.row,
            "field": self.field_label,
            "message": self.message,
        }


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = dataclass_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        """The one-line outcome shared by the command and the admin page, so both say the same thing."""
        return gettext("已导入 %(total)d 条（新增 %(created)d，更新 %(updated)d）") % {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
        }


class TableReadError(ValueError):
    """The file itself cannot be read as a table (wrong format, broken XLSX, unknown encoding)."""


# --- reading -----------------------------------------------------------------------------------------------


class TableRow(dict[str, str]):
    """A data row keyed by header text that remembers its spreadsheet row number, because blank rows are
    skipped and the error report must still point at the row the clerk sees in Excel."""

    def __init__(self, values: Mapping[str, str], *, number: int) -> None:
        super().__init__(values)
        self.number = number


def read_table(file: IO[bytes] | bytes, filename: str) -> list[dict[str, str]]:
    """Read the first (active) sheet of an XLSX file or a CSV file into rows keyed by header text.

    Values are stripped strings; entirely blank rows are skipped. Each row is a :class:`TableRow` carrying its
    spreadsheet row number. Raises :class:`TableReadError` for files that are not a readable table.
    """
    data = file if isinstance(file, bytes) else file.read()
    extension = file_extension(filename)
    if extension == ".csv":
        records = _csv_records(data)
    elif extension == ".xlsx":
        records = _xlsx_records(data)
    else:
        raise TableReadError(gettext("仅支持 .xlsx 和 .csv 文件"))

    rows: list[dict[str, str]] = []
    headers: list[str] = []
    for number, record in enumerate(records, start=HEADER_ROW):
        if number == HEADER_ROW:
            headers = [_cell_text(value) for value in record]
            named = [header for header in headers if header]
            duplicates = sorted({header for header in named if named.count(header) > 1})
            if duplicates:
                raise TableReadError(gettext("表头“%(name)s”重复") % {"name": "、".join(duplicates)})
            continue
        values = [_cell_text(value) for value in record]
        if not any(values):
            continue
        values += [""] * (len(headers) - len(values))
        rows.append(TableRow({h: v for h, v in zip(headers, values, strict=False) if h}, number=number))
    return rows


def file_extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot >= 0 else ""


def _csv_records(data: bytes) -> Iterable[Sequence[object]]:
    # Excel's "CSV UTF-8" writes a BOM; plain "CSV" on a Chinese Windows writes GBK, which GB18030 extends.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text, newline="")))
    raise TableReadError(gettext("无法识别 CSV 文件的编码，请另存为“CSV UTF-8”"))


def _xlsx_records(data: bytes) -> Iterable[Sequence[object]]:
    try:
        # data_only: take the values Excel cached for formulas, not the formula text.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken upload; all mean "not an XLSX file".
        raise TableReadError(gettext("无法读取 Excel 文件，请确认是 .xlsx 格式")) from exc
    try:
        sheet = workbook.active
        if sheet is None:
            return []
        # Some generators write a wrong <dimension>; without a reset, read-only mode trusts it and drops cells.
        sheet.reset_dimensions()
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """Excel stores room numbers, floors and phone numbers as numbers; render them as a person would type."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).strip()


# --- columns -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column an importer reads: its key, the label shown in errors, the header texts that name it (matched
    without decoration, case or spacing) and the parser of its cells."""

    key: str
    label: Promise
    aliases: tuple[str, ...]
    parse: Callable[[str], Any] = str
    required: bool = False


# "使用面积（㎡）*" and "Usable area" are the same column as "使用面积" and "usable_area".
_HEADER_DECORATION = re.compile(r"[\(（\[【].*?[\)）\]】]|[*＊]")


def _normalise_header(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", _HEADER_DECORATION.sub("", text).strip()).casefold()


@dataclass
class MappedRow:
    number: int
    # Only the columns present in the file, so "absent" and "blank" stay distinguishable.
    values: dict[str, str]


def map_columns(rows: Sequence[Mapping[str, str]], columns: Sequence[Column]) -> tuple[list[MappedRow], list[RowError]]:
    """Translate header text to column keys and check that the required columns are there."""
    if not rows:
        # Checked first: a header-only file would otherwise be reported as missing every column.
        return [], [RowError(0, FILE, gettext("文件中没有数据行"))]
    lookup = {_normalise_header(alias): column.key for column in columns for alias in column.aliases}
    headers = list(dict.fromkeys(header for row in rows for header in row))
    mapping: dict[str, str] = {}
    errors: list[RowError] = []
    for header in headers:
        key = lookup.get(_normalise_header(header))
        if key is None:
            continue
        if key in mapping.values():
            errors.append(RowError(HEADER_ROW, key, gettext("此列重复")))
        mapping[header] = key
    present = set(mapping.values())
    errors += [RowError(HEADER_ROW, c.key, gettext("缺少此列")) for c in columns if c.required and c.key not in present]
    mapped = [
        MappedRow(
            number=getattr(row, "number", index + HEADER_ROW + 1),
            values={key: str(row.get(header) or "").strip() for header, key in mapping.items()},
        )
        for index, row in enumerate(rows)
    ]
    return mapped, errors


@dataclass
class ParsedTable:
    """A table read against an importer's columns. ``complete`` is False when the header itself failed (no data
    row, a required column missing, a column twice): then no row was parsed and ``errors`` says why."""

    rows: list[MappedRow]  # every data row as text, for checks across rows
    valid: list[tuple[MappedRow, dict[str, Any]]]  # the rows whose every cell parsed, with the parsed values
    errors: list[RowError]
    complete: bool = True


def parse_table(
    rows: Sequence[Mapping[str, str]], columns: Sequence[Column], *, natural_key: Sequence[str]
) -> ParsedTable:
    """Map the header, parse every present cell of every row and report a natural key given twice. Every problem
    is collected (not only the first), so the clerk can correct the whole file at once."""
    mapped, errors = map_columns(rows, columns)
    if errors:
        return ParsedTable(mapped, [], errors, complete=False)
    parsers = {column.key: column.parse for column in columns}
    required = [column.key for column in columns if column.required]
    parsed = [(row, parse_row(row, parsers, required, errors)) for row in mapped]
    valid = [(row, values) for row, values in parsed if values is not None]
    check_duplicates(mapped, natural_key, errors)
    return ParsedTable(mapped, valid, errors)


def rejected(errors: list[RowError], columns: Sequence[Column]) -> ImportResult:
    """The result of a file that is not imported: every error, in row order, with its column's label."""
    labels = {column.key: column.label for column in columns}
    ordered = sorted(errors, key=lambda error: error.row)
    return ImportResult(errors=[replace(error, label=labels.get(error.field, error.label)) for error in ordered])


# --- cells -------------------------------------------------------------------------------------------------


class Invalid(Exception):
    """A cell's value is wrong; the message is the reason shown to the clerk."""


@functools.cache
def _choice_lookup(choices: type[models.TextChoices], language: str | None) -> dict[str, str]:
    """Accept the code, the Chinese label (the msgid) and the label in the current language; a label with
    alternatives ("报修人/申请人") matches each alternative as well."""
    lookup: dict[str, str] = {}
    labels: list[tuple[str, str]] = []
    for value, label in zip(choices.values, choices.labels, strict=True):
        labels.append((value, str(label)))
        with override(None):
            labels.append((value, str(label)))
    for value, label in labels:
        for text in (value, label, *label.split("/")):
            lookup[text.strip().casefold()] = value
    return lookup


def parse_choice(text: str, choices: type[models.TextChoices]) -> str:
    value = _choice_lookup(choices, get_language()).get(text.casefold())
    if value is None:
        allowed = "、".join(str(label) for label in choices.labels)
        raise Invalid(gettext("无法识别“%(value)s”，可填：%(choices)s") % {"value": text, "choices": allowed})
    return value


def parse_code(text: str) -> str:
    if len(text) > 32:
        raise Invalid(gettext("不能超过%(max)d个字符") % {"max": 32})
    try:
        validate_slug(text)
    except ValidationError as exc:
        raise Invalid(gettext("只能包含字母、数字、下划线和连字符")) from exc
    return text


def parse_text(text: str, *, max_length: int) -> str:
    if len(text) > max_length:
        raise Invalid(gettext("不能超过%(max)d个字符") % {"max": max_length})
    return text


def parse_area(text: str) -> Decimal:
    try:
        area = Decimal(text.replace(",", ""))
    except InvalidOperation as exc:
        raise Invalid(gettext("必须是大于0的数字")) from exc
    if not area.is_finite() or area <= 0:
        raise Invalid(gettext("必须是大于0的数字"))
    if area >= Decimal("1000000"):  # before quantize(), which fails on huge exponents
        raise Invalid(gettext("数值过大"))
    if area != area.quantize(Decimal("0.01")):
        raise Invalid(gettext("最多保留两位小数"))
    return area.quantize(Decimal("0.01"))


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?")


def parse_date(text: str) -> date:
    """2030-06-30, 2030/6/30, 2030.6.30 or 2030年6月30日; an Excel date cell arrives as 2030-06-30T00:00:00."""
    match = _DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise Invalid(gettext("日期格式应为 2030-06-30")) from None


def parse_email(text: str) -> str:
    try:
        validate_email(text)
    except ValidationError as exc:
        raise Invalid(gettext("邮箱格式不正确")) from exc
    return text


def text_of(max_length: int) -> Callable[[str], str]:
    """The parser of a free-text column of at most ``max_length`` characters."""
    return functools.partial(parse_text, max_length=max_length)


def choice_of(choices: type[models.TextChoices]) -> Callable[[str], str]:
    """The parser of a column holding one of ``choices``, by code or label."""
    return functools.partial(parse_choice, choices=choices)


def parse_row(
    row: MappedRow, parsers: Mapping[str, Callable[[str], Any]], required: Iterable[str], errors: list[RowError]
) -> dict[str, Any] | None:
    """Parse the present cells of one row; a blank cell parses to "" so that it can clear a field.
    Returns None (after recording every problem) when any cell is wrong."""
    parsed: dict[str, Any] = {}
    ok = True
    for key in required:
        if not row.values.get(key):
            errors.append(RowError(row.number, key, gettext("不能为空")))
            ok = False
    for key, text in row.values.items():
        if not text:
            parsed[key] = ""
            continue
        try:
            parsed[key] = parsers[key](text)
        except Invalid as exc:
            errors.append(RowError(row.number, key, str(exc)))
            ok = False
    return parsed if ok else None


def check_duplicates(rows: Sequence[MappedRow], key_fields: Sequence[str], errors: list[RowError]) -> None:
    """The same natural key twice in one file is ambiguous (which row wins?), so it is an error. Checked on the
    raw text of every row, so a duplicate is reported even when the first occurrence has other errors."""
    first: dict[tuple[str, ...], int] = {}
    for row in rows:
        key = tuple(row.values.get(name, "") for name in key_fields)
        if not all(key):
            continue
        if key in first:
            message = gettext("与第%(row)d行重复") % {"row": first[key]}
            errors.append(RowError(row.number, key_fields[-1], message))
        else:
            first[key] = row.number
