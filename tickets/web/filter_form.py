"""A list page's filter form written in Python: the same markup as Django's field templates for its selects and
text boxes (label, name, id, class, the chosen option), without a template per field and per option, which cost a
workbench page about a fifth of its CPU. A field with errors, or of another widget, is left to Django."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: Mapping[str, object]) -> str:
    return "".join(
        format_html(' {}="{}"', name, value) if value is not True else format_html(" {}", name)
        for name, value in attrs.items()
        if value is not None and value is not False
    )


def _widget(bound: forms.BoundField) -> str | None:
    widget = bound.field.widget
    attrs = bound.build_widget_attrs({**widget.attrs, "id": bound.auto_id} if bound.auto_id else dict(widget.attrs))
    value = bound.value()
    if type(widget) is forms.Select:
        field: Any = bound.field  # a choice field (the stubs' Field has no choices)
        chosen = {"" if value is None else str(value)}
        options = "".join(
            format_html(
                '<option value="{}"{}>{}</option>',
                "" if key is None else str(key),
                mark_safe(" selected") if str("" if key is None else key) in chosen else "",
                label,
            )
            for key, label in field.choices
        )
        return format_html('<select name="{}"{}>', bound.html_name, mark_safe(_attrs(attrs))) + options + "</select>"  # noqa: S308
    if type(widget) in (forms.TextInput, forms.NumberInput, forms.DateInput, forms.EmailInput):
        shown = widget.format_value(value)
        if shown is not None:
            attrs = {"value": shown, **attrs}
        return format_html(
            '<input type="{}" name="{}"{}>',
            widget.input_type,  # type: ignore[attr-defined]
            bound.html_name,
            mark_safe(_attrs(attrs)),  # noqa: S308 (escaped by format_html above)
        )
    return None


def filter_fields(form: forms.Form) -> SafeString:
    """The form's fields, each as `tickets/_field.html` would write it."""
    parts: list[str] = []
    for bound in form:
        widget = None if bound.errors or bound.help_text else _widget(bound)
        if widget is None:
            parts.append(render_to_string("tickets/_field.html", {"field": bound}))
            continue
        label = format_html('<label for="{}">{}{}</label>', bound.id_for_label, bound.label, form.label_suffix or "")
        parts.append(f'<div class="field">{label}{widget}</div>')
    return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)
