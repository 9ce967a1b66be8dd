"""Planned-maintenance pages (mounted at /maintenance/): the register, an item's page with its history and its QR
label, filing a repair naming the item, the worker's checklist on a work order, the calendar and compliance.

Thin: forms parse, services decide, selectors read; a refusal is a 403 page, a state conflict a 409 message.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tickets.api.fields import as_id
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.http import AuthenticatedHttpRequest
from tickets.maintenance import register, selectors, services, work
from tickets.maintenance.forms import (
    ChecklistForm,
    CostForm,
    EquipmentForm,
    PlanForm,
    RepairForm,
    local_midnight,
    report_period,
)
from tickets.maintenance.models import (
    Equipment,
    EquipmentCategory,
    EquipmentWork,
    MaintenanceOccurrence,
    MaintenancePlan,
    OccurrenceStatus,
)
from tickets.maintenance.permissions import (
    is_register_keeper,
    may_complete,
    may_record_cost,
    may_see_history,
    may_use_register,
    occurrences_visible_to,
)
from tickets.models import Building, Compound, Contractor
from tickets.web.common import errors_to_form, page, role_required
from tickets.web.params import BoundedDateField, param
from tickets.web.qr import qr_svg

register_users = role_required(may_use_register, gettext_lazy("设备台账仅供管理处室和维保单位使用。"))
keepers = role_required(is_register_keeper, gettext_lazy("只有机关事务局的管理员或物业条线主管可以维护设备台账。"))
PAGE_SIZE = 50


def _int(value: str | None) -> int | None:
    return as_id(value)  # ASCII digits within 64 bits ("²" passes str.isdigit()), else no filter


@register_users
def equipment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    if category not in EquipmentCategory.values:
        category = ""
    compound = _int(request.GET.get("compound"))
    q = request.GET.get("q", "").strip()[:50]
    qs = selectors.equipment_list(user=request.user, category=category, compound=compound, q=q)
    paginator = Paginator(qs, PAGE_SIZE)
    items = paginator.get_page(request.GET.get("page"))
    soon = timezone.localdate() + timedelta(days=selectors.REMIND_DAYS)
    for item in items:
        item.inspection_soon = bool(item.inspection_due_on and item.inspection_due_on <= soon)  # type: ignore[attr-defined]
    return page(
        request,
        "maintenance/equipment_list.html",
        {
            "items": items,
            "categories": EquipmentCategory.choices,
            "compounds": Compound.objects.order_by("name"),
            "category": category,
            "compound": compound,
            "q": q,
            "may_edit": is_register_keeper(request.user),
        },
    )


@login_required
def equipment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Anyone signed in (the QR label opens this page): the item and its 报修 button; the history, plans and costs
    are the bureau's and the maintainer's."""
    item = get_object_or_404(
        Equipment.objects.select_related("compound", "building", "floor", "room", "contract__contractor"), pk=pk
    )
    context: dict[str, Any] = {"item": item, "history": None, "may_edit": is_register_keeper(request.user)}
    if may_see_history(request.user, item):
        history = selectors.equipment_history(item)
        may_cost = may_record_cost(request.user, item)
        for w in history:
            initial = {"cost": w.cost, "cost_note": w.cost_note}
            w.cost_form = CostForm(prefix=f"w{w.pk}", initial=initial) if may_cost else None  # type: ignore[attr-defined]
        context.update(
            open_orders=list(
                occurrences_visible_to(request.user)
                .filter(plan__equipment=item, status=OccurrenceStatus.OPENED)
                .select_related("plan")
                .order_by("due_on")
            ),
            history=history,
            costs=selectors.equipment_costs(item),
            breakdowns=selectors.equipment_breakdowns(item),
            plans=selectors.equipment_plans(item),
            may_print=True,
        )
    return page(request, "maintenance/equipment_detail.html", context)


def _equipment_form(request: AuthenticatedHttpRequest, item: Equipment | None) -> HttpResponse:
    form = EquipmentForm(request.POST or None, instance=item)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in register.EQUIPMENT_FIELDS}
            try:
                if item is None:
                    saved = register.equipment_create(actor=request.user, **values)
                else:
                    saved = register.equipment_update(equipment=item.pk, actor=request.user, **values)
            except ActionForbidden as exc:
                raise PermissionDenied(exc.message) from exc
            except ValidationError as exc:
                errors_to_form(form, exc)  # type: ignore[arg-type]  # a ModelForm is a form: only the typing differs
            else:
                messages.success(request, _("已保存设备 %(code)s。") % {"code": saved.code})
                return redirect("maintenance:equipment", pk=saved.pk)
        status = 400
    return page(request, "maintenance/equipment_form.html", {"form": form, "item": item}, status=status)


@keepers
def equipment_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _equipment_form(request, None)


@keepers
def equipment_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _equipment_form(request, get_object_or_404(Equipment, pk=pk))


@register_users
def equipment_label(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The item's printable QR label: scanning it opens the item's page (log-in first)."""
    item = get_object_or_404(Equipment.objects.select_related("compound", "building", "floor", "room"), pk=pk)
    if not may_see_history(request.user, item):
        raise PermissionDenied(_("只有管理处室和该设备的维保单位可以打印标签。"))
    url = request.build_absolute_uri(reverse("maintenance:equipment", args=[item.pk]))
    svg = mark_safe(qr_svg(url))  # noqa: S308 - generated by qrcode from our own URL
    return page(request, "maintenance/equipment_label.html", {"item": item, "url": url, "svg": svg})


@login_required
def equipment_repair(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """报修 from the item's page: the item and its place are filled in; the request is linked to the item."""
    item = get_object_or_404(Equipment.objects.select_related("compound", "building", "room"), pk=pk, active=True)
    user = request.user
    if request.method == "POST":
        form = RepairForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                service_request = register.equipment_repair_file(
                    equipment=item,
                    actor=user,
                    category=form.cleaned_data["category"],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    urgency=form.cleaned_data["urgency"],
                    photos=form.cleaned_data["photos"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            except (TransitionNotAllowed, ActionForbidden) as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已提交，编号 %(number)s。") % {"number": service_request.number})
                return redirect("request-detail", pk=service_request.pk)
        status = 400
    else:
        form = RepairForm(
            initial={"title": _("%(name)s 故障") % {"name": item.name}, "idempotency_key": secrets.token_urlsafe(24)}
        )
        status = 200
    return page(request, "maintenance/equipment_repair.html", {"item": item, "form": form}, status=status)


@login_required
@require_POST
def work_cost(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(EquipmentWork.objects.select_related("equipment"), pk=pk)
    if not may_see_history(request.user, entry.equipment):
        raise Http404
    if not may_record_cost(request.user, entry.equipment):
        raise PermissionDenied(_("只有管理处室或该设备维保单位的调度可以登记费用。"))
    form = CostForm(request.POST, prefix=f"w{entry.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for e in form.errors.values() for m in e))
        return redirect("maintenance:equipment", pk=entry.equipment_id)
    try:
        register.work_cost_record(
            work=entry, actor=request.user, cost=form.cleaned_data["cost"], note=form.cleaned_data["cost_note"]
        )
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("费用已登记。"))
    return redirect(reverse("maintenance:equipment", args=[entry.equipment_id]) + "#history")


def _occurrence_or_404(request: AuthenticatedHttpRequest, pk: int) -> MaintenanceOccurrence:
    occurrence = selectors.occurrence_detail(user=request.user, pk=pk)
    if occurrence is None:
        raise Http404
    return occurrence


@login_required
def work_order(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The worker's checklist for one occurrence (a phone page): each item, measured values against limits, photos.
    A failed item files a repair; finishing resolves the work order."""
    occurrence = _occurrence_or_404(request, pk)
    items = work.checklist_items(occurrence)
    allowed = may_complete(request.user, occurrence)
    form = None
    status = 200
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied(_("只有该工单的维保单位人员可以填写维保记录。"))
        form = ChecklistForm(request.POST, request.FILES, items=items)
        if form.is_valid():
            try:
                with transaction.atomic():
                    work.occurrence_complete(
                        occurrence=occurrence,
                        actor=request.user,
                        results=form.results(),
                        note=form.cleaned_data["note"],
                        photos=form.cleaned_data["photos"],
                    )
            except ActionForbidden as exc:
                raise PermissionDenied(exc.message) from exc
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
                return redirect("maintenance:work-order", pk=pk)
            except ValidationError as exc:
                _item_errors(form, exc)
            else:
                messages.success(request, _("维保记录已提交。"))
                return redirect("maintenance:work-order", pk=pk)
        status = 400
    elif allowed and occurrence.status == OccurrenceStatus.OPENED:
        form = ChecklistForm(items=items)
    checks = list(occurrence.checks.select_related("repair").order_by("id"))
    return page(
        request,
        "maintenance/work_order.html",
        {"occ": occurrence, "form": form, "checks": checks, "may_complete": allowed},
        status=status,
    )


def _item_errors(form: ChecklistForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = f"item_{field.split('.', 1)[1]}" if field.startswith("results.") else field
        for message in errors:
            form.add_error(target if target in form.fields else None, message)


@login_required
def work_order_by_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The core request page's "查看业务详情" for a planned work order."""
    occurrence = occurrences_visible_to(request.user).filter(service_request_id=pk).only("pk").first()
    if occurrence is None:
        raise Http404
    return redirect("maintenance:work-order", pk=occurrence.pk)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@register_users
def calendar_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The coming weeks' planned work per building and contractor: written occurrences and dates still to come."""
    start = _monday(param(request, "from", BoundedDateField(), default=timezone.localdate()))
    weeks = min(_int(request.GET.get("weeks")) or 4, 8)
    building = _int(request.GET.get("building"))
    contractor = _int(request.GET.get("contractor")) if is_register_keeper(request.user) else None
    written = list(
        selectors.calendar(user=request.user, start=start, weeks=weeks, building=building, contractor=contractor)
    )
    coming = [
        r
        for r in selectors.upcoming_dates(user=request.user, start=start, weeks=weeks, building=building)
        if not contractor or r["plan"].contract.contractor_id == contractor
    ]
    days: dict[date, list[dict[str, Any]]] = {}
    for o in written:
        days.setdefault(o.due_on, []).append({"plan": o.plan, "occ": o, "status": o.get_status_display()})
    for r in coming:
        days.setdefault(r["due_on"], []).append({"plan": r["plan"], "occ": None, "status": _("计划中")})
    return page(
        request,
        "maintenance/calendar.html",
        {
            "days": sorted(days.items()),
            "start": start,
            "prev": start - timedelta(weeks=weeks),
            "next": start + timedelta(weeks=weeks),
            "weeks": weeks,
            "building": building,
            "contractor": contractor,
            "buildings": Building.objects.select_related("compound").order_by("compound__name", "code"),
            "contractors": Contractor.objects.order_by("name") if is_register_keeper(request.user) else [],
            "may_plan": is_register_keeper(request.user),
        },
    )


@register_users
def compliance_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Done on time / late / missed per contract, site, equipment category and month (SQL aggregates)."""
    today = timezone.localdate()
    start = param(request, "from", BoundedDateField(), default=today.replace(day=1) - timedelta(days=150))
    start = start.replace(day=1)
    end = param(request, "to", BoundedDateField(), default=today)
    if end < start or (end - start).days > 800:
        end = min(start + timedelta(days=366), max(end, start))
    rows = selectors.compliance(user=request.user, start=start, end=end + timedelta(days=1))
    labels = dict(EquipmentCategory.choices)
    for r in rows:
        r["category_label"] = labels.get(r["category"], _("场所作业")) if r["category"] else _("场所作业")
    return page(request, "maintenance/compliance.html", {"rows": rows, "start": start, "end": end})


@register_users
def equipment_report_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Breakdowns, MTBF and cost per item over a period (SQL aggregates): the bureau sees every item, a
    contractor's staff the items their contracts maintain."""
    start, end, errors = report_period(request.GET, default_days=365)
    category = request.GET.get("category", "")
    if category not in EquipmentCategory.values:
        category = ""
    compound = _int(request.GET.get("compound"))
    context: dict[str, Any] = {
        "start": start,
        "end": end,
        "errors": errors,
        "categories": EquipmentCategory.choices,
        "compounds": Compound.objects.order_by("name"),
        "category": category,
        "compound": compound,
    }
    if errors:
        return page(request, "maintenance/equipment_report.html", context, status=400)
    qs, totals = selectors.equipment_report(
        user=request.user,
        start=local_midnight(start),
        end=local_midnight(end + timedelta(days=1)),
        category=category,
        compound=compound,
    )
    items = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in items:
        item.mtbf_days = selectors.mtbf_days(item)  # type: ignore[attr-defined]
    rest = request.GET.copy()
    rest.pop("page", None)
    context.update(items=items, totals=totals, rest=rest.urlencode())
    return page(request, "maintenance/equipment_report.html", context)


plan_keepers = role_required(is_register_keeper, gettext_lazy("只有机关事务局的管理员或本条线主管可以维护维保计划。"))


@plan_keepers
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The bureau's plans: what is done to which item or place, how often, on whose contract."""
    qs = selectors.plan_list(active=request.GET.get("active", ""))
    plans = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return page(request, "maintenance/plan_list.html", {"plans": plans, "active": request.GET.get("active", "")})


def _plan_form(request: AuthenticatedHttpRequest, plan: MaintenancePlan | None) -> HttpResponse:
    initial = {}
    if plan is None and _int(request.GET.get("equipment")):
        initial["equipment"] = _int(request.GET.get("equipment"))  # "新增计划" on an item's page
    form = PlanForm(request.POST or None, instance=plan, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if plan is None:
                    saved = services.plan_create(actor=request.user, **form.values())
                else:
                    saved = services.plan_update(plan=plan.pk, actor=request.user, **form.values())
            except ActionForbidden as exc:
                raise PermissionDenied(exc.message) from exc
            except ValidationError as exc:
                errors_to_form(form, exc)  # type: ignore[arg-type]  # a ModelForm is a form: only the typing differs
            else:
                messages.success(request, _("已保存维保计划：%(title)s。") % {"title": saved.title})
                return redirect("maintenance:plans")
        status = 400
    return page(request, "maintenance/plan_form.html", {"form": form, "plan": plan}, status=status)


@plan_keepers
def plan_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _plan_form(request, None)


@plan_keepers
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _plan_form(request, get_object_or_404(MaintenancePlan, pk=pk))
