"""Office-space pages: thin views; forms parse, services decide, service errors show as form errors.

Who sees what: the bureau's office-space staff see every building, unit and request; a unit approver sees the
rooms their unit holds, its people, its notice and its requests; a requester sees their own requests. Anything
else is 403 (a page) or 404 (a row the user may not see).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from offices import forms as f
from offices import imports, ledgers, selectors, services, steps
from offices.models import Allocation, AreaNormVersion, NormCheck, Seat, SpaceRequest
from offices.permissions import is_space_bureau, may_file_space_request, may_see_unit_space, may_use_space_pages
from tickets.api.fields import as_id
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.http import AuthenticatedHttpRequest
from tickets.models import Compound, Floor, Room, Unit
from tickets.services.imports import ImportResult, import_file
from tickets.web.common import errors_to_form, page, role_required

space_pages = role_required(may_use_space_pages, _("仅机关事务局房产管理人员和单位审核人可以查看。"))
bureau_only = role_required(is_space_bureau, _("仅机关事务局房产管理人员可以办理。"))


def _refused(request: AuthenticatedHttpRequest, form: Form, exc: Exception) -> int:
    """Put a service refusal on the form and return the status the page answers with."""
    if isinstance(exc, ValidationError):
        errors_to_form(form, exc)
        return 400
    form.add_error(None, exc.message)  # type: ignore[attr-defined]
    return 409 if isinstance(exc, TransitionNotAllowed) else 403


# --- floors and rooms ------------------------------------------------------------------------------------------


@space_pages
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    day = timezone.localdate()
    floors = selectors.visible_floors(request.user, day).order_by("building__compound__code", "building__code", "level")
    buildings: dict[Any, list[Floor]] = defaultdict(list)
    for floor in floors:
        buildings[floor.building].append(floor)
    return page(request, "offices/home.html", {"buildings": dict(buildings), "bureau": is_space_bureau(request.user)})


@space_pages
def floor(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    day = timezone.localdate()
    floor = get_object_or_404(selectors.visible_floors(request.user, day), pk=pk)
    rooms = selectors.visible_rooms(request.user, day).filter(floor=floor)
    states = selectors.room_states(rooms=rooms, day=day, version=services.current_version())
    counts: dict[str, int] = defaultdict(int)
    for state in states:
        counts[state.state] += 1
    return page(request, "offices/floor.html", {"floor": floor, "states": states, "counts": dict(counts)})


def _room_page(request: AuthenticatedHttpRequest, room: Room, status: int = 200, **forms: Form) -> HttpResponse:
    day = timezone.localdate()
    (state,) = selectors.room_states(rooms=Room.objects.filter(pk=room.pk), day=day, version=services.current_version())
    history = Allocation.objects.filter(room=room).select_related("unit").order_by("-starts_on")
    ctx: dict[str, Any] = {
        "room": room,
        "state": state,
        "history": history,
        "bureau": is_space_bureau(request.user),
        "allocate_form": forms.get("allocate_form") or f.AllocateForm(initial={"starts_on": day}),
        "end_form": forms.get("end_form") or f.EndForm(initial={"ends_on": day}),
        "seat_form": forms.get("seat_form") or f.SeatForm(initial={"since": day}),
        "depart_form": f.DepartForm(initial={"on": day}),
        "vacated_form": f.VacatedForm(initial={"on": day}),
        "may_seat": state.allocation is not None and may_see_unit_space(request.user, state.allocation.unit_id),
    }
    return page(request, "offices/room.html", ctx, status=status)


def _visible_room(request: AuthenticatedHttpRequest, pk: int) -> Room:
    return get_object_or_404(selectors.visible_rooms(request.user, timezone.localdate()).select_related("floor"), pk=pk)


@space_pages
def room(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _room_page(request, _visible_room(request, pk))


@space_pages
@require_POST
def room_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    room = _visible_room(request, pk)
    day = timezone.localdate()
    handlers = {
        "allocate": (f.AllocateForm, "allocate_form"),
        "end": (f.EndForm, "end_form"),
        "seat": (f.SeatForm, "seat_form"),
    }
    if action not in handlers:
        raise Http404
    if action != "seat" and not is_space_bureau(request.user):
        raise PermissionDenied  # the party is checked before the form is read
    form_class, name = handlers[action]
    form = form_class(request.POST)
    if not form.is_valid():
        return _room_page(request, room, status=400, **{name: form})
    data = form.cleaned_data
    try:
        if action == "allocate":
            services.allocation_create(actor=request.user, room=room, **data)
            messages.success(request, _("已配置，可打印配置凭证。"))
        elif action == "end":
            holder = selectors.allocation_on(room=room, day=day)
            if holder is None:
                raise TransitionNotAllowed(_("该房间当前未配置。"), action="end", status="vacant")
            services.allocation_end(actor=request.user, allocation=holder, **data)
            messages.success(request, _("已收回。"))
        else:
            holder = selectors.allocation_on(room=room, day=data["since"])
            unit = holder.unit if holder else None
            if unit is None or not may_see_unit_space(request.user, unit.pk):
                raise ValidationError({"since": [_("该日期房间未配置给可管理的单位。")]})
            person = services.person_create(
                actor=request.user,
                name=data["name"],
                unit=unit,
                level=data["level"],
                rank=data["rank"],
                title=data["title"],
            )
            services.seat_assign(actor=request.user, person=person, room=room, since=data["since"], post=data["post"])
            messages.success(request, _("已安排入驻。"))
    except (ValidationError, TransitionNotAllowed, ActionForbidden) as exc:
        return _room_page(request, room, status=_refused(request, form, exc), **{name: form})
    return redirect("offices:room", pk=room.pk)


@space_pages
@require_POST
def seat_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    day = timezone.localdate()
    seat = get_object_or_404(
        Seat.objects.filter(room__in=selectors.visible_rooms(request.user, day), until__isnull=True).select_related(
            "person", "room"
        ),
        pk=pk,
    )
    form: Form
    try:
        if action == "depart":
            form = f.DepartForm(request.POST)
            if form.is_valid():
                services.person_depart(actor=request.user, person=seat.person, **form.cleaned_data)
                messages.success(request, _("已登记变动，腾退期限已开始计算。"))
        elif action == "vacated":
            form = f.VacatedForm(request.POST)
            if form.is_valid():
                services.seat_end(actor=request.user, seat=seat, on=form.cleaned_data["on"])
                messages.success(request, _("已腾退。"))
        else:
            raise Http404
    except (ValidationError, TransitionNotAllowed, ActionForbidden) as exc:
        return _room_page(request, seat.room, status=_refused(request, form, exc))
    if not form.is_valid():
        messages.error(request, "; ".join(str(m) for errs in form.errors.values() for m in errs))
        return _room_page(request, seat.room, status=400)
    return redirect("offices:room", pk=seat.room_id)


@login_required
def certificate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """配置凭证 and 使用协议, printable: the bureau and the holding unit's approver."""
    allocation = get_object_or_404(Allocation.objects.select_related("room__floor__building__compound", "unit"), pk=pk)
    if not may_see_unit_space(request.user, allocation.unit_id):
        raise PermissionDenied
    return page(request, "offices/certificate.html", {"a": allocation, "printed_at": timezone.now()})


# --- space requests ---------------------------------------------------------------------------------------------


@login_required
def requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.is_contractor_staff:
        raise PermissionDenied
    rows = selectors.space_requests(user=request.user).order_by("-service_request__created_at")[:200]
    return page(request, "offices/requests.html", {"rows": rows, "may_file": may_file_space_request(request.user)})


@login_required
def request_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_file_space_request(request.user):
        raise PermissionDenied
    day = timezone.localdate()
    rooms = selectors.visible_rooms(request.user, day) if request.user.unit_id else Room.objects.none()
    rooms = Room.objects.filter(
        pk__in=Allocation.objects.filter(selectors.q_current(day), unit_id=request.user.unit_id or 0).values("room_id")
    ).select_related("floor__building")
    form = f.SpaceRequestForm(request.POST or None, rooms=rooms, initial={"compound": Compound.objects.first()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sr = steps.space_request_file(actor=request.user, **form.cleaned_data)
            except (ValidationError, ActionForbidden) as exc:
                status = _refused(request, form, exc)
            else:
                messages.success(request, _("用房申请已提交，等待单位审核。"))
                return redirect("offices:request-detail", pk=sr.pk)
        else:
            status = 400
    return page(request, "offices/request_new.html", {"form": form}, status=status)


def _space_request(request: AuthenticatedHttpRequest, pk: int) -> SpaceRequest:
    return get_object_or_404(
        selectors.space_requests(user=request.user)
        .select_related("service_request__requester", "service_request__compound")
        .prefetch_related(
            "returned_rooms", Prefetch("allocations", queryset=Allocation.objects.select_related("room"))
        ),
        pk=pk,
    )


def _request_page(
    request: AuthenticatedHttpRequest, sr: SpaceRequest, status: int = 200, step_form: Form | None = None
) -> HttpResponse:
    actions = steps.space_actions(sr, request.user)
    day = timezone.localdate()
    ctx: dict[str, Any] = {
        "sr": sr,
        "req": sr.service_request,
        "actions": actions,
        "note_form": f.NoteForm(),
        "step_form": step_form,
    }
    if "fulfil" in actions:
        free = Room.objects.exclude(pk__in=Allocation.objects.filter(selectors.q_current(day)).values("room_id"))
        ctx["fulfil_form"] = (
            step_form
            if isinstance(step_form, f.FulfilForm)
            else f.FulfilForm(
                rooms=free.filter(floor__building__compound=sr.service_request.compound_id).select_related("floor"),
                initial={"starts_on": day},
            )
        )
    return page(request, "offices/request_detail.html", ctx, status=status)


@login_required
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _request_page(request, _space_request(request, pk))


@login_required
def request_detail_by_core(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sr = get_object_or_404(selectors.space_requests(user=request.user), service_request_id=pk)
    return redirect("offices:request-detail", pk=sr.pk)


@login_required
@require_POST
def request_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in steps.STEPS:
        raise Http404
    sr = _space_request(request, pk)
    day = timezone.localdate()
    form: Form
    if step == "fulfil":
        form = f.FulfilForm(
            request.POST,
            rooms=Room.objects.exclude(
                pk__in=Allocation.objects.filter(selectors.q_current(day)).values("room_id")
            ).filter(floor__building__compound=sr.service_request.compound_id),
        )
    else:
        form = f.NoteForm(request.POST)
    if not form.is_valid():
        return _request_page(request, sr, status=400, step_form=form)
    try:
        steps.space_step(space_request=sr, step=step, actor=request.user, **form.cleaned_data)
    except (ValidationError, TransitionNotAllowed, ActionForbidden) as exc:
        status = _refused(request, form, exc)
        return _request_page(request, _space_request(request, pk), status=status, step_form=form)
    messages.success(request, _("已办理。"))
    return redirect("offices:request-detail", pk=sr.pk)


# --- ledgers, notices, norms ------------------------------------------------------------------------------------


@bureau_only
def ledger(request: AuthenticatedHttpRequest) -> HttpResponse:
    day = timezone.localdate()
    data = ledgers.ledger_data(day=day)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            ledgers.ledger_xlsx(data), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="offices-ledger-{day}.xlsx"'
        return response
    return _ledger_page(request, data)


def _ledger_page(
    request: AuthenticatedHttpRequest, data: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    day = timezone.localdate()
    context = {
        "d": data or ledgers.ledger_data(day=day),
        "day": day,
        "checks": NormCheck.objects.select_related("version")[:10],
    }
    return page(request, "offices/ledger.html", context, status=status)


@bureau_only
@require_POST
def vacating_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    """The ledger's "confirm and close" button on a vacating item whose room is given back."""
    if step not in steps.VACATE_STEPS:
        raise Http404
    deadline = get_object_or_404(selectors.vacating_list(user=request.user), pk=pk)
    try:
        steps.vacating_step(deadline=deadline, step=step, actor=request.user)
    except (TransitionNotAllowed, ActionForbidden) as exc:
        messages.error(request, exc.message)
        return _ledger_page(request, status=409 if isinstance(exc, TransitionNotAllowed) else 403)
    messages.success(request, _("腾退事项已关闭。"))
    return redirect("offices:ledger")


@bureau_only
@require_POST
def scan(request: AuthenticatedHttpRequest) -> HttpResponse:
    check = services.norm_scan(actor=request.user)
    messages.success(request, _("已完成超标检查：%(n)d间超标。") % {"n": check.findings.count()})
    return redirect("offices:check", pk=check.pk)


@bureau_only
def check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(NormCheck.objects.select_related("version"), pk=pk)
    findings = run.findings.select_related("room__floor__building", "unit")
    return page(request, "offices/check.html", {"run": run, "findings": findings})


@login_required
def notice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The yearly internal room-arrangement notice of a unit (printable)."""
    unit = get_object_or_404(Unit, pk=pk)
    if not may_see_unit_space(request.user, unit.pk):
        raise PermissionDenied
    day = timezone.localdate()
    rooms = Room.objects.filter(pk__in=Allocation.objects.filter(selectors.q_current(day), unit=unit).values("room_id"))
    states = selectors.room_states(rooms=rooms, day=day, version=services.current_version())
    usage = selectors.unit_usage(day=day, units=Unit.objects.filter(pk=unit.pk))[0]
    return page(request, "offices/notice.html", {"unit": unit, "states": states, "usage": usage, "day": day})


@bureau_only
def leaders(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The leaders' office filing list (领导干部办公用房备案)."""
    day = timezone.localdate()
    return page(request, "offices/leaders.html", {"rows": ledgers.leader_rows(day=day), "day": day})


@bureau_only
def norms_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    versions = AreaNormVersion.objects.prefetch_related("rows")
    asked = request.GET.get("v", "")
    chosen = versions.filter(pk=pk).first() if (pk := as_id(asked)) is not None else None
    base = chosen or services.current_version()
    form = f.NormVersionForm(request.POST or None, base=base)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in ("name", "effective_from", "source")}
            data["code"] = form.cleaned_data["version_code"]
            try:
                services.norm_version_create(actor=request.user, rows=form.rows(), based_on=base, **data)
            except (ValidationError, ActionForbidden) as exc:
                status = _refused(request, form, exc)
            else:
                messages.success(request, _("已另建新版本并设为现行；以往检查结果不变。"))
                return redirect("offices:norms")
        else:
            status = 400
    table: defaultdict[str, dict[str, Any]] = defaultdict(dict)
    for row in base.rows.all():
        table[row.get_level_display()][row.rank] = row.area
    return page(
        request,
        "offices/norms.html",
        {"versions": versions, "base": base, "form": form, "table": dict(table), "zero": Decimal(0)},
        status=status,
    )


# --- imports ----------------------------------------------------------------------------------------------------


@bureau_only
def import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The bureau's import of rooms, allocations and occupants from its own sheets: every error of the file with its
    row, nothing written unless the whole file is right (``offices.imports`` over the core's import layer)."""
    form = f.ImportForm(request.POST or None, request.FILES or None)
    result: ImportResult | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_file(
                    kind=form.cleaned_data["kind"], file=upload, filename=upload.name or "", actor=request.user
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                if result.ok:
                    messages.success(request, result.summary())
                    return redirect("offices:import")
                status = 400
        else:
            status = 400
    labels = imports.page_labels()
    return page(request, "offices/import.html", {"form": form, "result": result, "kinds": labels}, status=status)


@bureau_only
def import_template(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    if kind not in imports.page_labels():
        raise Http404
    response = HttpResponse(
        imports.example_xlsx(kind), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response
