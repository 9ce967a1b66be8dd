"""Spreadsheet-safe text for every CSV and XLSX export (CSV/formula injection, OWASP).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, WPS and
LibreOffice as a formula (``=HYPERLINK(...)``, ``+cmd|...``), and openpyxl itself stores such a string as a
formula. Every exporter passes its rows through :func:`safe_row`, which prefixes those texts with ``'`` so they
stay text. Numbers, dates, booleans and ``None`` pass unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value itself, or a text that cannot start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]
