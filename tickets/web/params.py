"""Typed page parameters: a page reads its query through form fields, so a bad int, date or choice answers 400
with the field's message in the user's language (the 400 page, `servicedesk.api.handler400`), never a 500.

    params = query(request, SomeForm)           # a Form of the page's parameters, cleaned or 400
    year = param(request, "year", YEAR, default=today.year)

Dates and years are bounded (DATE_MIN..DATE_MAX) so that date arithmetic on them cannot overflow."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from tickets.api.fields import as_id

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2999, 12, 31)
MAX_PAGE = 1_000_000


class BadParams(BadRequest):
    """A page's query or form failed its typed fields; handler400 shows the messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class BoundedDateField(forms.DateField):
    default_error_messages = {"range": _("日期须在 %(min)s 至 %(max)s 之间。")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        day = super().to_python(value)
        if day is not None and not DATE_MIN <= day <= DATE_MAX:
            raise ValidationError(self.error_messages["range"], code="range", params={"min": DATE_MIN, "max": DATE_MAX})
        return day


def year_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(min_value=DATE_MIN.year, max_value=DATE_MAX.year, required=False, **kwargs)


def id_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False, **kwargs)


def query(request: HttpRequest, form_class: type[forms.Form], data: QueryDict | None = None) -> dict[str, Any]:
    form = form_class(request.GET if data is None else data)
    if not form.is_valid():
        raise BadParams({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    return form.cleaned_data


def param(request: HttpRequest, name: str, field: forms.Field, default: Any = None) -> Any:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = field.clean(raw)
    except ValidationError as exc:
        raise BadParams({name: [str(m) for m in exc.messages]}) from None
    return default if value is None else value


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField whose ids are checked before the query: Django's ``pk__in`` lookup passes an id
    beyond 64 bits to the driver, which fails (SQLite: OverflowError) instead of finding nothing."""

    def _check_values(self, value: Any) -> Any:
        if self.to_field_name is None and isinstance(value, list | tuple):
            for pk in value:
                if as_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)  # type: ignore[misc]  # private in Django, missing from the stubs
