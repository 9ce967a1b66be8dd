"""Canteen pages: thin views. Services decide; a refusal re-renders the page with the reason and the answer's
status (400 bad input, 403 not allowed, 409 not in this state), so nothing is half-done behind a redirect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canteen import permissions as perms
from canteen import reports, selectors
from canteen.apps import COMPLAINT_KIND
from canteen.days import week_of
from canteen.models import (
    Canteen,
    Dish,
    DishCategory,
    FoodSample,
    HeadCount,
    LogChecklist,
    LogInspection,
    Meal,
    MealService,
    WeeklyMenu,
)
from canteen.services import assessment, bookings, feedback, headcounts, logs, menus
from tickets.api.fields import as_id
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.http import AuthenticatedHttpRequest
from tickets.models import Category
from tickets.web.common import page
from tickets.web.params import BadParams, BoundedDateField

Refusal = ValidationError | ActionForbidden | TransitionNotAllowed


def refusal_text(exc: Refusal) -> tuple[list[str], int]:
    if isinstance(exc, ActionForbidden):
        return [exc.message], 403
    if isinstance(exc, TransitionNotAllowed):
        return [exc.message], 409
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs], 400
    return list(exc.messages), 400


def _pick(request: AuthenticatedHttpRequest, canteens: QuerySet[Canteen]) -> Canteen:
    code = request.GET.get("canteen") or request.POST.get("canteen")
    found = canteens.filter(code=code).first() if code else canteens.order_by("code").first()
    if found is None:
        raise Http404
    return found


def _day(raw: str | None, default: date, name: str = "date") -> date:
    """A day from the query or the form: absent is the default; not a date, or out of range, is a 400."""
    try:
        parsed = BoundedDateField().clean(raw) if raw else None
    except ValidationError as exc:
        raise BadParams({name: exc.messages}) from None
    return parsed or default


def _posted_day(request: HttpRequest, name: str) -> date | None:
    """An optional day of a form: empty is None; not a date, or out of range, is a 400 with the field's message."""
    raw = request.POST.get(name) or ""
    try:
        return BoundedDateField().clean(raw) if raw else None
    except ValidationError as exc:
        raise BadParams({name: exc.messages}) from None


def _moment(raw: str | None) -> datetime | None:
    try:
        value = parse_datetime((raw or "").strip())
    except ValueError:  # well formed but not a moment (month 13): the service says the field is required
        return None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def attempt(work: Callable[[], Any]) -> tuple[list[str], int, Any]:
    """Run a service call; a refusal becomes its messages and the status the page answers with."""
    try:
        return [], 200, work()
    except (ValidationError, ActionForbidden, TransitionNotAllowed) as exc:
        errors, status = refusal_text(exc)
        return errors, status, None


# --- diners: the booking page --------------------------------------------------------------------------------


def _diner_canteen(request: AuthenticatedHttpRequest) -> Canteen:
    canteens = perms.canteens_for_diner(request.user)
    if not canteens.exists():
        raise PermissionDenied
    return _pick(request, canteens)


def _book_page(
    request: AuthenticatedHttpRequest, canteen: Canteen, week_start: date, errors=(), status=200
) -> HttpResponse:
    now = timezone.now()
    view = selectors.booking_week_view(user=request.user, canteen=canteen, week_start=week_start, now=now)
    return page(
        request,
        "canteen/book.html",
        {
            "view": view,
            "canteen": canteen,
            "canteens": perms.canteens_for_diner(request.user),
            "prev_week": week_start - timedelta(days=7),
            "next_week": week_start + timedelta(days=7),
            "errors": errors,
            "is_liaison": perms.is_liaison(request.user, canteen),
            "stars": range(1, 6),
        },
        status=status,
    )


@login_required
def book(request: AuthenticatedHttpRequest) -> HttpResponse:
    canteen = _diner_canteen(request)
    today = timezone.localdate()
    default = today + timedelta(days=7) if today.weekday() >= 5 else today
    week_start = week_of(_day(request.GET.get("week"), default, "week"))[0]
    return _book_page(request, canteen, week_start)


def _service(canteen: Canteen, raw: str | None) -> MealService | None:
    return canteen.services.filter(meal=raw or "", active=True).select_related("canteen").first()


def _no_meal(request: AuthenticatedHttpRequest, canteen: Canteen, day: date) -> HttpResponse:
    return _book_page(request, canteen, week_of(day)[0], [_("该食堂不供应这一餐次。")], 400)


def _back_to_week(canteen: Canteen, day: date) -> HttpResponse:
    return redirect(f"{reverse('canteen:book')}?canteen={canteen.code}&week={week_of(day)[0].isoformat()}")


@login_required
@require_POST
def book_meal(request: AuthenticatedHttpRequest) -> HttpResponse:
    canteen = _diner_canteen(request)
    service = _service(canteen, request.POST.get("meal"))
    day = _day(request.POST.get("date"), timezone.localdate())
    if service is None:
        return _no_meal(request, canteen, day)
    eating = request.POST.get("eating") == "1"
    errors, status, _booking = attempt(
        lambda: bookings.booking_set(actor=request.user, service=service, day=day, eating=eating)
    )
    if errors:
        return _book_page(request, canteen, week_of(day)[0], errors, status)
    done = _("已报%(date)s%(meal)s。") if eating else _("已取消%(date)s%(meal)s。")
    messages.success(request, done % {"date": day.isoformat(), "meal": service.get_meal_display()})
    return _back_to_week(canteen, day)


@login_required
@require_POST
def book_week(request: AuthenticatedHttpRequest) -> HttpResponse:
    canteen = _diner_canteen(request)
    service = _service(canteen, request.POST.get("meal"))
    week_start = week_of(_day(request.POST.get("week"), timezone.localdate(), "week"))[0]
    if service is None:
        return _no_meal(request, canteen, week_start)
    eating = request.POST.get("eating") == "1"
    errors, status, result = attempt(
        lambda: bookings.booking_week(actor=request.user, service=service, week_start=week_start, eating=eating)
    )
    if errors:
        return _book_page(request, canteen, week_start, errors, status)
    text = _("已报%(n)d天%(meal)s。") if eating else _("已取消%(n)d天%(meal)s。")
    messages.success(request, text % {"n": len(result.changed), "meal": service.get_meal_display()})
    for _day_skipped, reason in result.skipped:
        messages.warning(request, reason)
    return _back_to_week(canteen, week_start)


@login_required
@require_POST
def book_guests(request: AuthenticatedHttpRequest) -> HttpResponse:
    canteen = _diner_canteen(request)
    service = _service(canteen, request.POST.get("meal"))
    day = _day(request.POST.get("date"), timezone.localdate())
    if service is None:
        return _no_meal(request, canteen, day)
    try:
        guests = int(request.POST.get("guests", ""))
    except ValueError:
        guests = -1
    errors, status, _booking = attempt(
        lambda: bookings.guest_booking_set(
            actor=request.user,
            service=service,
            day=day,
            unit=request.user.unit,
            guests=guests,
            note=request.POST.get("note", ""),
        )
    )
    if errors:
        return _book_page(request, canteen, week_of(day)[0], errors, status)
    messages.success(request, _("来客就餐已登记。"))
    return _back_to_week(canteen, day)


@login_required
@require_POST
def rate(request: AuthenticatedHttpRequest) -> HttpResponse:
    canteen = _diner_canteen(request)
    raw = request.POST.get("dish") or ""
    dish = (
        Dish.objects.filter(pk=pk, menu__canteen=canteen).select_related("menu").first()
        if (pk := as_id(raw)) is not None
        else None
    )
    if dish is None:
        return _book_page(request, canteen, week_of(timezone.localdate())[0], [str(feedback.DISH_NOT_HERE)], 400)
    try:
        stars = int(request.POST.get("stars", ""))
    except ValueError:
        stars = 0
    errors, status, _rating = attempt(
        lambda: feedback.rating_add(actor=request.user, dish=dish, stars=stars, comment=request.POST.get("comment", ""))
    )
    if errors:
        return _book_page(request, canteen, week_of(dish.date)[0], errors, status)
    messages.success(request, _("谢谢您的评价。"))
    return _back_to_week(canteen, dish.date)


def _complaint_categories() -> QuerySet[Category]:
    return Category.objects.filter(kind=COMPLAINT_KIND, active=True, children__isnull=True).order_by("sort", "code")


@login_required
def complaint(request: AuthenticatedHttpRequest) -> HttpResponse:
    canteen = _diner_canteen(request)
    categories = _complaint_categories()
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        category_id = as_id(request.POST.get("category"))
        category = categories.filter(pk=category_id).first() if category_id is not None else None
        meal = request.POST.get("meal") or ""
        service = canteen.services.filter(meal=meal).first() if meal else None
        day = _posted_day(request, "date")
        if category is None:
            errors, status = [_("请选择意见分类。")], 400
        else:
            errors, status, req = attempt(
                lambda: feedback.complaint_file(
                    actor=request.user,
                    canteen=canteen,
                    category=category,
                    title=request.POST.get("title", ""),
                    description=request.POST.get("description", ""),
                    service=service,
                    day=day,
                    photos=request.FILES.getlist("photos"),
                )
            )
            if not errors:
                messages.success(request, _("意见已提交，食堂运营方将在1个工作日内答复。"))
                return redirect("request-detail", pk=req.pk)
    return page(
        request,
        "canteen/complaint.html",
        {"canteen": canteen, "categories": categories, "meals": Meal.choices, "errors": errors, "form": request.POST},
        status=status,
    )


# --- the operator and the bureau -----------------------------------------------------------------------------


def _managed(request: AuthenticatedHttpRequest) -> QuerySet[Canteen]:
    canteens = perms.canteens_managed_by(request.user)
    if not canteens.exists():
        raise PermissionDenied
    return canteens


def _day_page(request: AuthenticatedHttpRequest, canteen: Canteen, day: date, errors=(), status=200) -> HttpResponse:
    now = timezone.now()
    context = selectors.operator_day_view(canteen=canteen, day=day, now=now)
    notices = selectors.unread_notices(request.user)
    context.update(
        canteen=canteen,
        canteens=_managed(request),
        day=day,
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        notices=list(notices),
        errors=errors,
        is_operator=perms.is_operator(request.user, canteen),
        is_bureau=perms.is_canteen_bureau(request.user),
        now_local=timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
    )
    if request.method == "GET":
        notices.filter(head_count__service__canteen=canteen).update(read_at=now)
    return page(request, "canteen/day.html", context, status=status)


@login_required
def day_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    canteen = _pick(request, _managed(request))
    return _day_page(request, canteen, _day(request.GET.get("date"), timezone.localdate()))


def _back_to_day(canteen: Canteen, day: date) -> HttpResponse:
    return redirect(f"{reverse('canteen:day')}?canteen={canteen.code}&date={day.isoformat()}")


@login_required
@require_POST
def served(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    count = get_object_or_404(
        HeadCount.objects.select_related("service__canteen"), pk=pk, service__canteen__in=_managed(request)
    )
    try:
        number = int(request.POST.get("served", ""))
    except ValueError:
        number = -1
    errors, status, _count = attempt(
        lambda: headcounts.head_count_record_served(actor=request.user, head_count=count, served=number)
    )
    canteen = count.service.canteen
    if errors:
        return _day_page(request, canteen, count.date, errors, status)
    messages.success(request, _("实际就餐人数已登记。"))
    return _back_to_day(canteen, count.date)


@login_required
@require_POST
def sample_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    canteen = _pick(request, _managed(request))
    day = _day(request.POST.get("day"), timezone.localdate(), "day")
    dish = Dish.objects.filter(pk=request.POST.get("dish") or 0, menu__canteen=canteen).select_related("menu").first()
    errors, status, _sample = attempt(
        lambda: logs.sample_record(
            actor=request.user,
            canteen=canteen,
            dish=dish,
            dish_name=request.POST.get("dish_name", ""),
            weight_g=request.POST.get("weight_g", ""),
            taken_at=_moment(request.POST.get("taken_at")),
            keeper=request.POST.get("keeper", ""),
        )
    )
    if errors:
        return _day_page(request, canteen, day, errors, status)
    messages.success(request, _("留样已登记。"))
    return _back_to_day(canteen, day)


@login_required
@require_POST
def sample_dispose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sample = get_object_or_404(FoodSample.objects.select_related("canteen"), pk=pk, canteen__in=_managed(request))
    day = _day(request.POST.get("day"), timezone.localdate(), "day")
    errors, status, _sample = attempt(
        lambda: logs.sample_dispose(
            actor=request.user, sample=sample, disposed_at=_moment(request.POST.get("disposed_at"))
        )
    )
    if errors:
        return _day_page(request, sample.canteen, day, errors, status)
    messages.success(request, _("留样处置已登记。"))
    return _back_to_day(sample.canteen, day)


@login_required
@require_POST
def sample_rectify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sample = get_object_or_404(FoodSample.objects.select_related("canteen"), pk=pk, canteen__in=_managed(request))
    errors, status, req = attempt(lambda: logs.sample_rectify(actor=request.user, sample=sample))
    if errors:
        return _reports_page(request, errors, status)
    messages.success(request, _("已下达整改：%(number)s") % {"number": req.number})
    return redirect("request-detail", pk=req.pk)


@login_required
@require_POST
def log_inspection_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The bureau counts a finished month's samples and waste in the contractor's assessment (the beat does it on
    the 1st; this is for a month it missed or a setting made later)."""
    if not perms.is_canteen_bureau(request.user):
        raise PermissionDenied
    canteen = _pick(request, _managed(request))
    try:
        month = BoundedDateField().clean(f"{request.POST.get('month', '')[:7]}-01")
    except ValidationError:  # 2026-13 or year 0001: not a month the assessment can count
        month = None
    if month is None:
        return _reports_page(request, [_("请选择月份。")], 400)
    errors, status, row = attempt(
        lambda: assessment.log_inspection_record(canteen=canteen, month=month, actor=request.user)
    )
    if errors:
        return _reports_page(request, errors, status)
    messages.success(
        request,
        _("%(month)s留样与浪费已计入考核：检查得分 %(score)s")
        % {"month": f"{month:%Y-%m}", "score": row.inspection.score},
    )
    return redirect(f"{reverse('canteen:reports')}?canteen={canteen.code}")


@login_required
@require_POST
def waste_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    canteen = _pick(request, _managed(request))
    day = _day(request.POST.get("day"), timezone.localdate(), "day")
    errors, status, _log = attempt(
        lambda: logs.waste_record(
            actor=request.user,
            canteen=canteen,
            day=_posted_day(request, "date"),
            waste_kg=request.POST.get("waste_kg", ""),
            diners=request.POST.get("diners", ""),
            note=request.POST.get("note", ""),
        )
    )
    if errors:
        return _day_page(request, canteen, day, errors, status)
    messages.success(request, _("浪费量已登记。"))
    return _back_to_day(canteen, day)


# --- menus -----------------------------------------------------------------------------------------------------


@login_required
def menu_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    canteens = _managed(request)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        canteen = _pick(request, canteens)
        week = _posted_day(request, "week_start") or date.min
        errors, status, menu = attempt(lambda: menus.menu_create(actor=request.user, canteen=canteen, week_start=week))
        if not errors:
            return redirect("canteen:menu", pk=menu.pk)
    own = [c for c in canteens if perms.is_operator(request.user, c)]
    return page(
        request,
        "canteen/menus.html",
        {
            "menus": selectors.menus_visible_to(request.user)[:60],
            "own": own,
            "errors": errors,
            "next_monday": week_of(timezone.localdate() + timedelta(days=7))[0],
        },
        status=status,
    )


def _menu_page(request: AuthenticatedHttpRequest, menu: WeeklyMenu, errors=(), status=200) -> HttpResponse:
    dishes = list(menu.dishes.order_by("date", "meal", "category", "id"))
    return page(
        request,
        "canteen/menu.html",
        {
            "menu": menu,
            "dishes": dishes,
            "changes": list(menu.changes.select_related("actor")[:50]),
            "actions": [(a, menus.MENU_MOVES[a].label) for a in menus.menu_actions(menu, request.user)],
            "is_operator": perms.is_operator(request.user, menu.canteen),
            "days": week_of(menu.week_start),
            "meals": [(s.meal, s.get_meal_display()) for s in menu.canteen.services.filter(active=True)],
            "categories": DishCategory.choices,
            "errors": errors,
        },
        status=status,
    )


def _menu(request: AuthenticatedHttpRequest, pk: int) -> WeeklyMenu:
    return get_object_or_404(
        WeeklyMenu.objects.select_related("canteen"), pk=pk, canteen__in=perms.canteens_managed_by(request.user)
    )


@login_required
def menu_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _menu_page(request, _menu(request, pk))


@login_required
@require_POST
def dish_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    menu = _menu(request, pk)
    errors, status, _dish = attempt(
        lambda: menus.dish_add(
            actor=request.user,
            menu=menu,
            date=_posted_day(request, "date"),
            meal=request.POST.get("meal"),
            name=request.POST.get("name", ""),
            category=request.POST.get("category"),
            allergens=request.POST.get("allergens", ""),
            price=request.POST.get("price", ""),
        )
    )
    if errors:
        return _menu_page(request, menu, errors, status)
    messages.success(request, _("菜品已添加。"))
    return redirect("canteen:menu", pk=menu.pk)


@login_required
@require_POST
def dish_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dish = get_object_or_404(
        Dish.objects.select_related("menu__canteen"), pk=pk, menu__canteen__in=perms.canteens_managed_by(request.user)
    )
    menu = dish.menu
    errors, status, _none = attempt(lambda: menus.dish_withdraw(actor=request.user, dish=dish))
    if errors:
        return _menu_page(request, menu, errors, status)
    messages.success(request, _("菜品已撤下。"))
    return redirect("canteen:menu", pk=menu.pk)


@login_required
@require_POST
def menu_step(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    menu = _menu(request, pk)
    if action not in menus.MENU_MOVES:
        raise Http404
    errors, status, menu_after = attempt(
        lambda: menus.menu_step(actor=request.user, menu=menu, action=action, note=request.POST.get("note", ""))
    )
    if errors:
        return _menu_page(request, menu, errors, status)
    messages.success(request, _("菜谱已%(action)s。") % {"action": menus.MENU_MOVES[action].label})
    return redirect("canteen:menu", pk=menu_after.pk)


# --- reports -----------------------------------------------------------------------------------------------------


def _reports_page(request: AuthenticatedHttpRequest, errors=(), status=200) -> HttpResponse:
    canteens = _managed(request)
    canteen = _pick(request, canteens)
    today = timezone.localdate()
    try:
        start, end = reports.parse_period(request.GET, today=today)
    except ValidationError as exc:
        errors, status = [*errors, *refusal_text(exc)[0]], 400
        start, end = today - timedelta(days=27), today
    data = reports.canteen_report(canteen, start, end)
    return page(
        request,
        "canteen/reports.html",
        {
            "canteen": canteen,
            "canteens": canteens,
            "data": data,
            "booked_bars": reports.bars([r["booked"] for r in data["booked_vs_served"]]),
            "served_bars": reports.bars([r["served"] for r in data["booked_vs_served"]]),
            "waste_bars": reports.bars([r["grams_per_diner"] for r in data["waste_trend"]]),
            "flagged": reports.flagged_samples([canteen], start, end),
            "is_bureau": perms.is_canteen_bureau(request.user),
            "log_setting": LogChecklist.objects.filter(canteen=canteen).select_related("contract").first(),
            "log_inspections": LogInspection.objects.filter(canteen=canteen).select_related("inspection")[:12],
            "last_month": (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m"),
            "errors": errors,
            "year": today.year,
            "quarter": (today.month + 2) // 3,
        },
        status=status,
    )


@login_required
def reports_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _reports_page(request)


@login_required
def anti_waste_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    canteen = _pick(request, _managed(request))
    try:
        name, body = reports.anti_waste_xlsx(canteen, request.GET.get("year"), request.GET.get("quarter"))
    except ValidationError as exc:
        return _reports_page(request, refusal_text(exc)[0], 400)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
