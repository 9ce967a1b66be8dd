"""Typed input shared by the APIs and pages: ids that fit the database, months as YYYY-MM."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_ID = 2**63 - 1  # ids are 64-bit; a larger number cannot be an id (and SQLite cannot even compare it)
MONTH_YEARS = (2000, 2100)  # a month outside these is a typing error
MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")


class IdField(serializers.IntegerField):
    """An object's id in a query or body: digits only, within 64 bits."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs["error_messages"] = {
            "invalid": _("请填写对象编号（整数）。"),
            "min_value": _("所选对象不存在。"),
            "max_value": _("所选对象不存在。"),
            "max_string_length": _("所选对象不存在。"),
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2026-03"})
class MonthField(serializers.Field):
    """A month as YYYY-MM (its first day internally), within 2000–2100."""

    default_error_messages = {"invalid": _("月份格式应为 YYYY-MM。")}

    def to_internal_value(self, data: Any) -> date:
        match = MONTH_RE.match(data) if isinstance(data, str) else None
        if match is None:
            self.fail("invalid")
        assert match is not None
        year, month = int(match[1]), int(match[2])
        if not (MONTH_YEARS[0] <= year <= MONTH_YEARS[1] and 1 <= month <= 12):
            self.fail("invalid")
        return date(year, month, 1)

    def to_representation(self, value: date) -> str:
        return value.strftime("%Y-%m")


def as_id(raw: object) -> int | None:
    """An id from text, or None: ASCII digits only ("²" passes str.isdigit() but not int()) and within 64 bits."""
    text = str(raw) if raw is not None else ""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def visible_or_404[M: Model](qs: QuerySet[M], pk: int, **lookups: Any) -> M:
    """The row, or 404 if the caller may not see it or the id cannot exist (beyond 64 bits the database
    driver would fail rather than find nothing)."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    return get_object_or_404(qs, pk=pk, **lookups)


class IdConverter:
    """``<id:pk>`` in every URL: digits within 64 bits. A longer number cannot be an id, so the address does not
    match (404) before any view passes it to the database driver, which would fail rather than find nothing."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 <= number <= MAX_ID:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)
