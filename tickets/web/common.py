"""Helpers the pages share: who may open which page, the SLA countdown of a row, service errors as form errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.api.serializers import sla_state
from tickets.http import AuthenticatedHttpRequest
from tickets.models import OPEN_STATUSES, ServiceRequest, Status, Urgency, User
from tickets.selectors import notifications_for
from tickets.services.transitions import MOVES

TARGET_LABELS = {
    "response": gettext_lazy("受理时限"),
    "arrival": gettext_lazy("到场时限"),
    "resolution": gettext_lazy("办结时限"),
}
SLA_LABELS = {"green": gettext_lazy("正常"), "yellow": gettext_lazy("预警"), "red": gettext_lazy("超时")}

# Button texts: the transition table's labels.
ACTION_TEXT = {name: move.label for name, move in MOVES.items()}


def is_bureau(user: User) -> bool:
    return bool(user.is_authenticated and user.is_bureau)


def is_contractor(user: User) -> bool:
    return bool(user.is_authenticated and user.is_contractor_staff)


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A form's own copy of one of its model-choice fields, to narrow its queryset or labels per request
    (``form.fields`` is typed by Field, not by the kind of field each name holds)."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField), name
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A form's own copy of one of its choice fields, to set its choices per request."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), name
    return field


def role_required(check: Callable[[User], bool], message: str | Promise) -> Callable[..., Any]:
    """Log-in first (anonymous users go to the log-in page), then the role check answers 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """Render a page with the header's unread count filled in server-side."""
    user = request.user
    context.setdefault("unread_count", notifications_for(user=user).filter(read_at__isnull=True).count())  # type: ignore[arg-type]
    return render(request, template, context, status=status)


def duration_text(minutes: int) -> str:
    minutes = abs(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)d天%(h)d小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d小时%(m)d分") % {"h": hours, "m": mins}
    return _("%(m)d分钟") % {"m": mins}


def next_due(req: ServiceRequest) -> tuple[str, datetime] | None:
    if req.status not in OPEN_STATUSES or req.status == Status.PENDING_APPROVAL:
        return None
    for target, met in (("response", req.responded_at), ("arrival", req.arrived_at), ("resolution", req.resolved_at)):
        due = getattr(req, f"{target}_due")
        if met is None and due is not None:
            return target, due
    return None


def decorate(rows: Iterable[ServiceRequest], now: datetime | None = None) -> list[ServiceRequest]:
    """Attach the SLA colour and the countdown text each row shows; no query."""
    now = now or timezone.now()
    # Labels and times as text here, once per page: in the template, get_status_display and |date cost a page of
    # 50 rows about 20 ms of CPU.
    statuses = {k: str(v) for k, v in Status.choices}
    urgencies = {k: str(v) for k, v in Urgency.choices}
    sla_labels = {k: str(v) for k, v in SLA_LABELS.items()}
    targets = {k: str(v) for k, v in TARGET_LABELS.items()}
    tz = timezone.get_current_timezone()
    out = []
    for req in rows:
        req.sla = sla_state(req, now)  # type: ignore[attr-defined]
        req.sla_label = sla_labels[req.sla]  # type: ignore[attr-defined]
        req.status_label = statuses.get(req.status, req.status)  # type: ignore[attr-defined]
        req.urgency_label = urgencies.get(req.urgency, req.urgency)  # type: ignore[attr-defined]
        due = next_due(req)
        req.due_target = targets[due[0]] if due else ""  # type: ignore[attr-defined]
        req.due_at = due[1] if due else None  # type: ignore[attr-defined]
        local = due[1].astimezone(tz) if due else None
        req.due_text = local.strftime("%m-%d %H:%M") if local else ""  # type: ignore[attr-defined]
        req.due_iso = local.isoformat() if local else ""  # type: ignore[attr-defined]
        req.countdown = ""  # type: ignore[attr-defined]
        if due:
            minutes = int((due[1] - now).total_seconds() // 60)
            if req.paused_at:
                req.countdown = _("计时暂停")  # type: ignore[attr-defined]
            elif minutes >= 0:
                req.countdown = _("剩余%(t)s") % {"t": duration_text(minutes)}  # type: ignore[attr-defined]
            else:
                req.countdown = _("已超时%(t)s") % {"t": duration_text(minutes)}  # type: ignore[attr-defined]
        out.append(req)
    return out


def errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, each message next to its field where the form has one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
