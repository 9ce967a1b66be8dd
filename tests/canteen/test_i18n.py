"""The canteen pages in English: no Chinese left but the data people typed (names, dishes, notes)."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from canteen.models import Canteen, Dish, FoodSample, HeadCountNotice, MenuChange
from canteen.services import bookings, headcounts, logs, menus
from tests.canteen.conftest import at, published_menu
from tests.web.test_i18n import data_strings, visible_text

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]+")


def canteen_strings() -> set[str]:
    values = data_strings()
    values.update(Canteen.objects.values_list("name", flat=True))
    values.update(Dish.objects.values_list("name", flat=True))
    values.update(MenuChange.objects.values_list("summary", flat=True))
    values.update(HeadCountNotice.objects.values_list("title", flat=True))
    for row in FoodSample.objects.values_list("dish_name", "keeper"):
        values.update(row)
    return values


@time_machine.travel(at(2026, 5, 6, 13), tick=False)
def test_canteen_pages_have_no_chinese_left_in_english(cw):
    menu = published_menu(cw, date(2026, 5, 4), now=at(2026, 4, 29))
    bookings.booking_set(actor=cw.core.alice, service=cw.lunch, day=date(2026, 5, 7), eating=True, now=at(2026, 5, 1))
    menus.dish_update(
        actor=cw.olga, dish=menu.dishes.filter(date=date(2026, 5, 7)).first(), name="鱼", now=at(2026, 5, 2)
    )
    headcounts.freeze_due_head_counts()
    logs.sample_record(
        actor=cw.kai,
        canteen=cw.canteen,
        dish_name="鱼",
        weight_g="90",
        taken_at=at(2026, 5, 6, 11),
        keeper="周",
    )
    pages = [
        (cw.core.alice, reverse("canteen:book") + "?week=2026-05-04"),
        (cw.core.uma, reverse("canteen:book") + "?week=2026-05-11"),
        (cw.core.alice, reverse("canteen:complaint")),
        (cw.olga, reverse("canteen:day") + "?date=2026-05-06"),
        (cw.olga, reverse("canteen:menus")),
        (cw.olga, reverse("canteen:menu", args=[menu.pk])),
        (cw.cao, reverse("canteen:reports") + "?canteen=south&date_from=2026-05-01&date_to=2026-05-31"),
    ]
    known = canteen_strings() | {"简体中文"}  # the language switcher names itself
    for user, url in pages:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        client.cookies["django_language"] = "en"
        html = client.get(url).content.decode()
        text = visible_text(html)
        for value in sorted(known, key=len, reverse=True):
            text = text.replace(value, "")
        assert not CJK.findall(text), (url, CJK.findall(text)[:10])
