"""菜谱公示: Olga drafts, Cao approves, the menu is published; changes after publication are logged."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from canteen.models import Dish, Meal, MenuChange, MenuStatus, WeeklyMenu
from canteen.services import menus
from tests.canteen.conftest import at, published_menu
from tickets.exceptions import ActionForbidden, TransitionNotAllowed

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 5, 11)
NOW = at(2026, 5, 6, 9)


def _draft(cw):
    menu = menus.menu_create(actor=cw.olga, canteen=cw.canteen, week_start=MONDAY, now=NOW)
    menus.dish_add(actor=cw.olga, menu=menu, date=MONDAY, meal=Meal.LUNCH, name="宫保鸡丁", category="meat", now=NOW)
    return menu


def test_draft_approve_publish(cw):
    menu = _draft(cw)
    assert menus.menu_actions(menu, cw.olga) == ["submit"]
    assert menus.menu_actions(menu, cw.cao) == []
    menu = menus.menu_step(actor=cw.olga, menu=menu, action="submit", now=NOW)
    assert menus.menu_actions(menu, cw.cao) == ["approve", "return"]
    menu = menus.menu_step(actor=cw.cao, menu=menu, action="approve", now=NOW)
    assert menu.approved_by == cw.cao
    menu = menus.menu_step(actor=cw.olga, menu=menu, action="publish", now=NOW)
    assert menu.status == MenuStatus.PUBLISHED and menu.published_at == NOW


def test_publishing_an_unapproved_menu_refused(cw):
    menu = _draft(cw)
    with pytest.raises(TransitionNotAllowed) as exc:
        menus.menu_step(actor=cw.olga, menu=menu, action="publish", now=NOW)
    assert "审核" in exc.value.message
    menus.menu_step(actor=cw.olga, menu=menu, action="submit", now=NOW)
    with pytest.raises(TransitionNotAllowed):
        menus.menu_step(actor=cw.cao, menu=menu, action="publish", now=NOW)
    menu.refresh_from_db()
    assert menu.status == MenuStatus.SUBMITTED and menu.published_at is None


def test_menu_edit_by_non_operator_refused_and_nothing_written(cw):
    menu = _draft(cw)
    for someone in (cw.cao, cw.xu, cw.core.alice, cw.core.bob):
        with pytest.raises(ActionForbidden) as exc:
            menus.dish_add(actor=someone, menu=menu, date=MONDAY, meal=Meal.LUNCH, name="x", category="meat", now=NOW)
        assert "运营方" in exc.value.message
    dish = menu.dishes.get()
    with pytest.raises(ActionForbidden):
        menus.dish_update(actor=cw.cao, dish=dish, name="改名", now=NOW)
    with pytest.raises(ActionForbidden):
        menus.dish_withdraw(actor=cw.xu, dish=dish, now=NOW)
    assert list(Dish.objects.values_list("name", flat=True)) == ["宫保鸡丁"]
    with pytest.raises(ActionForbidden):
        menus.menu_create(actor=cw.cao, canteen=cw.canteen, week_start=date(2026, 5, 18), now=NOW)
    with pytest.raises(ActionForbidden):
        menus.menu_step(actor=cw.cao, menu=menu, action="submit", now=NOW)
    with pytest.raises(ActionForbidden):
        menus.menu_step(actor=cw.olga, menu=menu, action="approve", now=NOW)


def test_bad_dish_input(cw):
    menu = menus.menu_create(actor=cw.olga, canteen=cw.canteen, week_start=MONDAY, now=NOW)
    with pytest.raises(ValidationError) as exc:
        menus.dish_add(
            actor=cw.olga, menu=menu, date=date(2026, 5, 25), meal="supper", name="", category="x", price="-1", now=NOW
        )
    assert set(exc.value.message_dict) == {"date", "meal", "name", "category", "price"}
    with pytest.raises(ValidationError):
        menus.menu_create(actor=cw.olga, canteen=cw.canteen, week_start=date(2026, 5, 12), now=NOW)
    with pytest.raises(ValidationError):
        menus.menu_create(actor=cw.olga, canteen=cw.canteen, week_start=MONDAY, now=NOW)
    assert not Dish.objects.exists() and WeeklyMenu.objects.count() == 1


def test_edit_of_an_approved_menu_sends_it_back_to_draft(cw):
    menu = _draft(cw)
    menus.menu_step(actor=cw.olga, menu=menu, action="submit", now=NOW)
    menus.menu_step(actor=cw.cao, menu=menu, action="approve", now=NOW)
    menus.dish_add(
        actor=cw.olga, menu=menu, date=MONDAY, meal=Meal.LUNCH, name="番茄炒蛋", category="vegetable", now=NOW
    )
    menu.refresh_from_db()
    assert menu.status == MenuStatus.DRAFT and menu.approved_by is None
    assert not MenuChange.objects.exists()


def test_changes_after_publication_are_logged(cw):
    menu = published_menu(cw, MONDAY, now=NOW)
    dish = menu.dishes.filter(name="红烧肉").first()
    menus.dish_update(actor=cw.kai, dish=dish, name="糖醋排骨", now=at(2026, 5, 8, 9))
    menus.dish_withdraw(actor=cw.olga, dish=menu.dishes.filter(name="清炒时蔬").first(), now=at(2026, 5, 8, 9))
    menu.refresh_from_db()
    assert menu.status == MenuStatus.PUBLISHED
    summaries = list(MenuChange.objects.order_by("id").values_list("summary", flat=True))
    assert summaries == ["调整：红烧肉 改为 糖醋排骨", "撤下：清炒时蔬"]
    assert Dish.objects.filter(withdrawn=True).count() == 1
