"""Fleet pages: thin views; forms parse, services decide, service errors show as form errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fleet import forms as f
from fleet import permissions as perms
from fleet import reports, selectors
from fleet.api import board_window
from fleet.filing import trip_request_create
from fleet.models import TripStage, VehicleTrip
from fleet.steps import (
    trip_actions,
    trip_approve,
    trip_approve_posthoc,
    trip_cancel,
    trip_cost,
    trip_depart,
    trip_dispatch,
    trip_rate,
    trip_reject,
    trip_return,
)
from fleet.vehicle_files import vehicle_record_add
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.http import AuthenticatedHttpRequest
from tickets.web import charts
from tickets.web.params import BadParams


def _apply_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _staff_only(request: AuthenticatedHttpRequest) -> None:
    if not perms.may_see_vehicles(request.user):
        raise PermissionDenied


def _trip(request: AuthenticatedHttpRequest, pk: int) -> VehicleTrip:
    return get_object_or_404(selectors.trip_list(user=request.user), pk=pk)


# --- requester -----------------------------------------------------------------------------------------------


@login_required
def trip_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    trips = selectors.trip_list(user=request.user).order_by("-slot_start", "-id")[:100]
    return render(request, "fleet/trip_list.html", {"trips": trips})


@login_required
def trip_apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.is_contractor_staff or request.user.unit_id is None:
        raise PermissionDenied
    form = f.TripForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            trip = trip_request_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("用车申请已提交，等待单位审核。"))
            return redirect("fleet:trip-detail", pk=trip.pk)
    return render(request, "fleet/trip_apply.html", {"form": form})


BUTTONS = {
    "approve": gettext_lazy("同意"),
    "reject": gettext_lazy("驳回"),
    "cancel": gettext_lazy("取消用车"),
    "approve_posthoc": gettext_lazy("事后补批"),
    "dispatch": gettext_lazy("派车"),
    "depart": gettext_lazy("出车"),
    "return": gettext_lazy("回场"),
    "cost": gettext_lazy("核算费用"),
    "rate": gettext_lazy("评价"),
}


def _step_forms(trip: VehicleTrip, actions: list[str], failed: tuple[str, Form] | None = None) -> list[dict[str, Any]]:
    """One form per step the user may take, each with its own element ids (two note fields on one page, approve's
    and reject's, must not share an id); the step that just failed shows its bound form with the errors."""
    forms = []
    for action in actions:
        if failed is not None and failed[0] == action:
            form: Form | None = failed[1]
        elif action == "dispatch":
            form = f.DispatchForm(
                vehicles=selectors.free_vehicles(trip=trip),
                drivers=selectors.free_drivers(trip=trip),
                auto_id=f"{action}-%s",
            )
        else:
            form_class = STEPS[action][0]
            form = form_class(auto_id=f"{action}-%s") if form_class is not None else None
        forms.append({"action": action, "form": form, "button": BUTTONS[action]})
    return forms


@login_required
def trip_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    trip = _trip(request, pk)
    forms = _step_forms(trip, trip_actions(trip, request.user))
    return render(request, "fleet/trip_detail.html", {"trip": trip, "step_forms": forms})


@login_required
def trip_of_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The trip of a core request (the core links a request to its kind's page by the request's id)."""
    trip = get_object_or_404(selectors.trip_list(user=request.user), request_id=pk)
    return redirect("fleet:trip-detail", pk=trip.pk)


STEPS: dict[str, tuple[type[Form] | None, Callable[..., Any]]] = {
    "approve": (f.NoteForm, trip_approve),
    "reject": (f.NoteForm, trip_reject),
    "cancel": (f.NoteForm, trip_cancel),
    "approve_posthoc": (f.PosthocForm, trip_approve_posthoc),
    "dispatch": (f.DispatchForm, trip_dispatch),
    "depart": (f.DepartForm, trip_depart),
    "return": (f.ReturnForm, trip_return),
    "cost": (None, trip_cost),
    "rate": (f.RateForm, trip_rate),
}


@login_required
@require_POST
def trip_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    trip = _trip(request, pk)
    form_class, service = STEPS[step]
    kwargs: dict[str, Any] = {}
    form: Form | None = None
    if form_class is not None:
        if form_class is f.DispatchForm:
            form = f.DispatchForm(
                request.POST, vehicles=selectors.free_vehicles(trip=trip), drivers=selectors.free_drivers(trip=trip)
            )
        else:
            form = form_class(request.POST)
        if not form.is_valid():
            return _step_failed(request, trip, step, form)
        kwargs = form.cleaned_data
    try:
        service(trip=trip, actor=request.user, **kwargs)
    except ValidationError as exc:
        form = form or Form()
        _apply_errors(form, exc)
        return _step_failed(request, trip, step, form)
    except (TransitionNotAllowed, ActionForbidden) as exc:
        messages.error(request, exc.message)
        status = 409 if isinstance(exc, TransitionNotAllowed) else 403
        return _step_failed(request, trip, step, form or Form(), status=status)
    messages.success(request, _("已办理。"))
    if step in ("depart", "return") and perms.is_trip_driver(request.user, trip):
        return redirect("fleet:driver")
    return redirect("fleet:trip-detail", pk=trip.pk)


def _step_failed(
    request: AuthenticatedHttpRequest, trip: VehicleTrip, step: str, form: Form, status: int = 400
) -> HttpResponse:
    trip = _trip(request, trip.pk)
    ctx: dict[str, Any] = {
        "trip": trip,
        "step_forms": _step_forms(trip, trip_actions(trip, request.user), failed=(step, form)),
        "failed_step": step,
        "step_form": form,
    }
    return render(request, "fleet/trip_detail.html", ctx, status=status)


@login_required
def dispatch_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """派车单: printable."""
    trip = _trip(request, pk)
    if trip.vehicle_id is None:
        raise Http404
    return render(request, "fleet/dispatch_note.html", {"trip": trip, "printed_at": timezone.now()})


# --- approvers -------------------------------------------------------------------------------------------------


@login_required
def approvals(request: AuthenticatedHttpRequest) -> HttpResponse:
    trips = selectors.trips_awaiting_approval(user=request.user).order_by("slot_start")
    posthoc = [
        t
        for t in selectors.trip_list(user=request.user)
        .filter(emergency=True)
        .exclude(stage__in=[TripStage.CANCELLED, TripStage.REJECTED])[:100]
        if "approve_posthoc" in trip_actions(t, request.user)
    ]
    return render(request, "fleet/approvals.html", {"trips": trips, "posthoc": posthoc})


# --- dispatcher and bureau -------------------------------------------------------------------------------------


@login_required
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff_only(request)
    days = request.GET.get("days", "1")
    try:
        start, end = board_window(request.GET.get("date"), days)
    except ValidationError as exc:
        raise BadParams({"date": exc.messages}) from None
    rows = selectors.board(user=request.user, start=start, end=end)
    span = (end - start).total_seconds()
    lanes = []
    for vehicle, trips in rows:
        bars = []
        for t in trips:
            left = max((t.slot_start - start).total_seconds(), 0) / span * 100
            right = min((t.slot_end - start).total_seconds(), span) / span * 100
            bars.append({"trip": t, "left": round(left, 2), "width": round(max(right - left, 0.5), 2)})
        lanes.append({"vehicle": vehicle, "bars": bars})
    waiting = selectors.trip_list(user=request.user).filter(stage=TripStage.APPROVED).order_by("slot_start")[:50]
    step = timedelta(days=7 if days == "7" else 1)
    ticks = [start + timedelta(hours=h) for h in range(0, int(span // 3600), 24 if days == "7" else 3)]
    return render(
        request,
        "fleet/board.html",
        {
            "lanes": lanes,
            "waiting": waiting,
            "start": start,
            "end": end,
            "days": days,
            "ticks": ticks,
            "prev": (timezone.localtime(start) - step).date(),
            "next": (timezone.localtime(start) + step).date(),
        },
    )


@login_required
def vehicle_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff_only(request)
    return render(request, "fleet/vehicle_list.html", {"vehicles": selectors.vehicle_list(user=request.user)})


@login_required
def vehicle_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    vehicle = get_object_or_404(selectors.vehicle_list(user=request.user), pk=pk)
    form = f.RecordForm(request.POST or None)
    if request.method == "POST":
        if not perms.may_manage_vehicles(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                vehicle_record_add(vehicle=vehicle, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("档案已登记。"))
                return redirect("fleet:vehicle-detail", pk=vehicle.pk)
    return render(
        request,
        "fleet/vehicle_detail.html",
        {
            "vehicle": vehicle,
            "records": selectors.vehicle_file(vehicle=vehicle)[:200],
            "alerts": selectors.alert_list(user=request.user).filter(vehicle=vehicle, resolved_at__isnull=True),
            "form": form,
            "may_edit": perms.may_manage_vehicles(request.user),
        },
    )


@login_required
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff_only(request)
    today = timezone.localdate()
    form = f.PeriodForm(request.GET or {"start": today.replace(day=1), "end": today})
    ctx: dict[str, Any] = {"form": form}
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        if end < start:
            form.add_error("end", _("结束日期不能早于开始日期。"))
        else:
            vehicles = reports.vehicle_report(start=start, end=end)
            units = reports.unit_report(start=start, end=end)
            ctx.update(vehicles=vehicles, units=units, start=start, end=end, charts=report_charts(vehicles, units))
            if request.GET.get("format") == "xlsx":
                response = HttpResponse(
                    reports.export_xlsx(start=start, end=end),
                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
                response["Content-Disposition"] = f'attachment; filename="fleet-{start}-{end}.xlsx"'
                return response
    return render(request, "fleet/report.html", ctx, status=400 if form.errors else 200)


def report_charts(vehicles: list[Any], units: list[Any]) -> list[charts.Chart]:
    """Cost per vehicle (service charges and running costs stacked) and trips per unit."""
    return [
        charts.bar(
            "fleet-cost",
            _("单车费用（元）"),
            [line.vehicle.plate for line in vehicles],
            [
                (_("用车服务费"), [float(line.trip_charges) for line in vehicles]),
                (_("运行费用"), [float(line.running_total) for line in vehicles]),
            ],
            stacked=True,
        ),
        charts.bar(
            "fleet-units",
            _("各单位出车次数"),
            [str(u.unit_name) for u in units],
            [(_("出车次数"), [u.trips for u in units])],
        ),
    ]


# --- driver ----------------------------------------------------------------------------------------------------


@login_required
def driver_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The driver's phone: today's and coming trips with out/return forms."""
    trips = list(selectors.driver_trips(user=request.user).order_by("slot_start"))
    for t in trips:  # each trip's form with its own element ids
        t.depart_form = f.DepartForm(auto_id=f"depart-{t.pk}-%s")  # type: ignore[attr-defined]
        t.return_form = f.ReturnForm(auto_id=f"return-{t.pk}-%s")  # type: ignore[attr-defined]
    return render(request, "fleet/driver.html", {"trips": trips})
