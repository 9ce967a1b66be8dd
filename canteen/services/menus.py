"""Weekly menus (菜谱公示): the operator drafts, the bureau approves, then the menu is published to staff.

``MENU_MOVES`` is the menu's table of steps and ``menu_step()`` its one gate. An edit to a submitted or approved
menu sends it back to draft (it must be approved again); an edit to a published menu stays published and is
logged as a ``MenuChange``, which the booking page shows to those who booked that meal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canteen import permissions
from canteen.models import Canteen, Dish, DishCategory, Meal, MenuChange, MenuStatus, WeeklyMenu
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import User
from tickets.services.common import now_or

M = MenuStatus
NOT_THE_OPERATOR = gettext_lazy("只有食堂运营方可以修改菜谱。")


@dataclass(frozen=True)
class MenuMove:
    sources: tuple[MenuStatus, ...]
    target: MenuStatus
    by: str  # "operator", "bureau" or "either"
    label: Any


MENU_MOVES: dict[str, MenuMove] = {
    "submit": MenuMove((M.DRAFT,), M.SUBMITTED, "operator", gettext_lazy("提交审核")),
    "approve": MenuMove((M.SUBMITTED,), M.APPROVED, "bureau", gettext_lazy("审核通过")),
    "return": MenuMove((M.SUBMITTED, M.APPROVED), M.DRAFT, "bureau", gettext_lazy("退回修改")),
    "publish": MenuMove((M.APPROVED,), M.PUBLISHED, "either", gettext_lazy("公示")),
}


def _require_operator(actor: User, canteen: Canteen) -> None:
    if not permissions.is_operator(actor, canteen):
        raise ActionForbidden(str(NOT_THE_OPERATOR))


def menu_actions(menu: WeeklyMenu, user: User) -> list[str]:
    """The steps this user may take on the menu now (the pages' buttons and the API's ``actions``)."""
    return [name for name, move in MENU_MOVES.items() if menu.status in move.sources and _may(move, menu, user)]


def _may(move: MenuMove, menu: WeeklyMenu, user: User) -> bool:
    operator = permissions.is_operator(user, menu.canteen)
    bureau = permissions.is_canteen_bureau(user)
    return {"operator": operator, "bureau": bureau, "either": operator or bureau}[move.by]


def menu_create(*, actor: User, canteen: Canteen, week_start: date, now: datetime | None = None) -> WeeklyMenu:
    now = now_or(now)
    _require_operator(actor, canteen)
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": [_("菜谱按周编制，请选择周一的日期。")]})
    try:
        with transaction.atomic():
            return WeeklyMenu.objects.create(canteen=canteen, week_start=week_start, created_at=now, updated_at=now)
    except IntegrityError:
        raise ValidationError({"week_start": [_("这一周的菜谱已经存在。")]}) from None


def menu_step(
    *, actor: User, menu: WeeklyMenu | int, action: str, note: str = "", now: datetime | None = None
) -> WeeklyMenu:
    """The one gate of a menu's status: locks the row, checks the table and the party, writes the step."""
    now = now_or(now)
    move = MENU_MOVES.get(action)
    if move is None:
        raise ValidationError({"action": [_("未知的操作：%(action)s") % {"action": action}]})
    pk = menu.pk if isinstance(menu, WeeklyMenu) else menu
    with transaction.atomic():
        locked = WeeklyMenu.objects.select_for_update().select_related("canteen").get(pk=pk)
        if not _may(move, locked, actor):
            raise ActionForbidden(_("您无权对该菜谱执行“%(action)s”。") % {"action": move.label})
        if locked.status not in move.sources:
            if action == "publish":
                raise TransitionNotAllowed(
                    _("菜谱尚未经机关事务局审核通过，不能公示。"), action=action, status=locked.status
                )
            raise TransitionNotAllowed(
                _("菜谱当前状态为“%(status)s”，不能%(action)s。")
                % {"status": locked.get_status_display(), "action": move.label},
                action=action,
                status=locked.status,
            )
        fields = ["status", "updated_at"]
        if action == "submit":
            if not locked.dishes.filter(withdrawn=False).exists():
                raise ValidationError({"dishes": [_("菜谱还没有菜品，不能提交审核。")]})
            locked.submitted_at = now
            fields.append("submitted_at")
        elif action == "approve":
            locked.approved_at, locked.approved_by = now, actor
            fields += ["approved_at", "approved_by"]
        elif action == "return":
            if not note.strip():
                raise ValidationError({"note": [_("请填写退回意见。")]})
            locked.approved_at, locked.approved_by = None, None
            fields += ["approved_at", "approved_by"]
        elif action == "publish":
            locked.published_at = now
            fields.append("published_at")
        if note.strip():
            locked.review_note = note.strip()[:200]
            fields.append("review_note")
        locked.status = move.target
        locked.updated_at = now
        locked.save(update_fields=fields)
    return locked


def _clean_dish(menu: WeeklyMenu, data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if "date" in data or not partial:
        day = data.get("date")
        if not isinstance(day, date) or not menu.week_start <= day < menu.week_start + timedelta(days=7):
            errors["date"] = [_("日期须在菜谱所在的这一周内。")]
        else:
            out["date"] = day
    if "meal" in data or not partial:
        meal = data.get("meal")
        if meal not in Meal.values or not menu.canteen.services.filter(meal=meal, active=True).exists():
            errors["meal"] = [_("该食堂不供应这一餐次。")]
        else:
            out["meal"] = meal
    if "name" in data or not partial:
        name = str(data.get("name") or "").strip()
        if not name or len(name) > 60:
            errors["name"] = [_("请填写菜名（不超过60字）。")]
        else:
            out["name"] = name
    if "category" in data or not partial:
        if data.get("category") not in DishCategory.values:
            errors["category"] = [_("请选择菜品类别。")]
        else:
            out["category"] = data["category"]
    if "allergens" in data:
        out["allergens"] = str(data.get("allergens") or "").strip()[:100]
    if "price" in data:
        raw = data.get("price")
        try:
            price = None if raw in (None, "") else Decimal(str(raw))
        except InvalidOperation:
            price = Decimal(-1)
        if price is not None and (not price.is_finite() or price < 0 or price >= Decimal("1000000")):
            errors["price"] = [_("价格须为不小于0的金额。")]
        else:
            out["price"] = price
    if errors:
        raise ValidationError(errors)
    return out


def _after_edit(menu: WeeklyMenu, dish: Dish, summary: str, *, actor: User, now: datetime) -> None:
    """A published menu stays published and logs the change; a submitted or approved one goes back to draft."""
    if menu.status == M.PUBLISHED:
        MenuChange.objects.create(
            menu=menu, dish=dish, date=dish.date, meal=dish.meal, summary=summary[:200], actor=actor, created_at=now
        )
        WeeklyMenu.objects.filter(pk=menu.pk).update(updated_at=now)
    elif menu.status in (M.SUBMITTED, M.APPROVED):
        menu.status, menu.approved_at, menu.approved_by, menu.updated_at = M.DRAFT, None, None, now
        menu.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    else:
        WeeklyMenu.objects.filter(pk=menu.pk).update(updated_at=now)


def _locked_menu(menu: WeeklyMenu, actor: User) -> WeeklyMenu:
    locked = WeeklyMenu.objects.select_for_update().select_related("canteen").get(pk=menu.pk)
    _require_operator(actor, locked.canteen)
    return locked


def dish_add(*, actor: User, menu: WeeklyMenu, now: datetime | None = None, **data: Any) -> Dish:
    now = now_or(now)
    _require_operator(actor, menu.canteen)
    with transaction.atomic():
        locked = _locked_menu(menu, actor)
        values = _clean_dish(locked, data, partial=False)
        dish = Dish.objects.create(menu=locked, **values)
        _after_edit(locked, dish, _("新增：%(name)s") % {"name": dish.name}, actor=actor, now=now)
    return dish


def dish_update(*, actor: User, dish: Dish, now: datetime | None = None, **data: Any) -> Dish:
    now = now_or(now)
    _require_operator(actor, dish.menu.canteen)
    with transaction.atomic():
        locked = _locked_menu(dish.menu, actor)
        values = _clean_dish(locked, data, partial=True)
        current = Dish.objects.select_for_update().get(pk=dish.pk)
        if current.withdrawn:
            raise TransitionNotAllowed(_("该菜品已撤下，不能修改。"), action="update", status="withdrawn")
        before = current.name
        changed = [k for k, v in values.items() if getattr(current, k) != v]
        if not changed:
            return current
        for key in changed:
            setattr(current, key, values[key])
        current.save(update_fields=changed)
        if before != current.name:
            summary = _("调整：%(old)s 改为 %(new)s") % {"old": before, "new": current.name}
        else:
            summary = _("调整：%(name)s") % {"name": current.name}
        _after_edit(locked, current, summary, actor=actor, now=now)
    return current


def dish_withdraw(*, actor: User, dish: Dish, now: datetime | None = None) -> None:
    """Take a dish off the menu. A dish of a published menu is kept (ratings and samples point at it)."""
    now = now_or(now)
    _require_operator(actor, dish.menu.canteen)
    with transaction.atomic():
        locked = _locked_menu(dish.menu, actor)
        current = Dish.objects.select_for_update().get(pk=dish.pk)
        if current.withdrawn:
            return
        if locked.status == M.PUBLISHED or locked.published_at is not None:
            current.withdrawn = True
            current.save(update_fields=["withdrawn"])
        _after_edit(locked, current, _("撤下：%(name)s") % {"name": current.name}, actor=actor, now=now)
        if not current.withdrawn:
            current.delete()
