"""The canteen pages: a week booked in two taps, refusals shown with their reason, and who may open what."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from canteen.models import FoodSample, HeadCount, MealBooking, WasteLog
from canteen.services import headcounts, logs
from tests.canteen.conftest import at, published_menu

pytestmark = pytest.mark.django_db
WEEK = date(2026, 5, 4)


def client_for(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


@time_machine.travel(at(2026, 4, 30, 9), tick=False)
def test_book_a_week_then_cancel_one_then_refused_after_cutoff(cw):
    alice = client_for(cw.core.alice)
    page = alice.get(reverse("canteen:book"), {"week": "2026-05-04"})
    assert page.status_code == 200 and "全周报午餐" in page.content.decode()
    done = alice.post(reverse("canteen:book-week"), {"meal": "lunch", "week": "2026-05-04", "eating": "1"}, follow=True)
    assert "已报4天午餐" in done.content.decode()
    assert MealBooking.objects.filter(diner=cw.core.alice, eating=True).count() == 4
    alice.post(reverse("canteen:book-meal"), {"meal": "lunch", "date": "2026-05-07", "eating": "0"})
    assert not MealBooking.objects.get(date=date(2026, 5, 7)).eating
    with time_machine.travel(at(2026, 5, 8, 10, 5), tick=False):
        alice = client_for(cw.core.alice)  # a new day, a new session
        refused = alice.post(reverse("canteen:book-meal"), {"meal": "lunch", "date": "2026-05-08", "eating": "0"})
    assert refused.status_code == 400
    assert "截止" in refused.content.decode()
    assert MealBooking.objects.get(date=date(2026, 5, 8)).eating


@time_machine.travel(at(2026, 4, 30, 9), tick=False)
def test_holiday_booking_refused_on_the_page(cw):
    refused = client_for(cw.core.alice).post(
        reverse("canteen:book-meal"), {"meal": "lunch", "date": "2026-05-04", "eating": "1"}
    )
    assert refused.status_code == 400 and "不供应" in refused.content.decode()
    assert not MealBooking.objects.exists()


def test_menu_changes_shown_to_those_who_booked(cw):
    from canteen.services import bookings, menus

    menu = published_menu(cw, WEEK, now=at(2026, 4, 29, 9))
    bookings.booking_set(actor=cw.core.alice, service=cw.lunch, day=date(2026, 5, 6), eating=True, now=at(2026, 4, 30))
    dish = menu.dishes.get(date=date(2026, 5, 6), name="红烧肉")
    menus.dish_update(actor=cw.olga, dish=dish, name="糖醋里脊", now=at(2026, 4, 30, 10))
    with time_machine.travel(at(2026, 4, 30, 11), tick=False):
        page = client_for(cw.core.alice).get(reverse("canteen:book"), {"week": "2026-05-04"}).content.decode()
    assert "您已报的餐次菜谱有变更" in page and "红烧肉 改为 糖醋里脊" in page


def test_operator_day_view_and_logs(cw):
    olga = client_for(cw.olga)
    with time_machine.travel(at(2026, 5, 6, 12, 0), tick=False):
        headcounts.freeze_due_head_counts()
        page = olga.get(reverse("canteen:day"), {"date": "2026-05-06"})
        assert page.status_code == 200 and "已锁定" in page.content.decode()
        bad = olga.post(
            reverse("canteen:sample-add"),
            {"dish_name": "红烧肉", "weight_g": "-3", "taken_at": "2026-05-06T11:40", "keeper": "周"},
        )
        assert bad.status_code == 400 and "大于0" in bad.content.decode()
        future = olga.post(
            reverse("canteen:sample-add"),
            {"dish_name": "红烧肉", "weight_g": "150", "taken_at": "2026-05-06T13:00", "keeper": "周"},
        )
        assert future.status_code == 400 and "不能晚于当前时间" in future.content.decode()
        assert not FoodSample.objects.exists()
        ok = olga.post(
            reverse("canteen:sample-add"),
            {"dish_name": "红烧肉", "weight_g": "100", "taken_at": "2026-05-06T11:40", "keeper": "周"},
        )
        assert ok.status_code == 302
        olga.post(reverse("canteen:waste-add"), {"date": "2026-05-06", "waste_kg": "8.5", "diners": "200"})
        assert WasteLog.objects.get().diners == 200
        count = HeadCount.objects.get(service=cw.lunch)
        assert olga.post(reverse("canteen:served", args=[count.pk]), {"served": "3"}).status_code == 302
        xu = client_for(cw.xu).post(reverse("canteen:served", args=[count.pk]), {"served": "9"})
        assert xu.status_code == 404
    sample = FoodSample.objects.get()
    assert sample.underweight
    cao = client_for(cw.cao)
    report = cao.get(
        reverse("canteen:reports"), {"canteen": "south", "date_from": "2026-05-01", "date_to": "2026-05-31"}
    )
    assert report.status_code == 200 and "下达整改" in report.content.decode()
    done = cao.post(reverse("canteen:sample-rectify", args=[sample.pk]))
    assert done.status_code == 302
    xlsx = cao.get(reverse("canteen:anti-waste-xlsx"), {"canteen": "south", "year": "2026", "quarter": "2"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert cao.get(reverse("canteen:anti-waste-xlsx"), {"year": "x", "quarter": "9"}).status_code == 400


def test_menu_pages_edit_and_publish_rules(cw):
    olga, cao = client_for(cw.olga), client_for(cw.cao)
    created = olga.post(reverse("canteen:menus"), {"canteen": "south", "week_start": "2026-05-11"})
    assert created.status_code == 302
    menu_url = created["Location"]
    pk = int(menu_url.rstrip("/").rsplit("/", 1)[1])
    dish = {"date": "2026-05-11", "meal": "lunch", "name": "宫保鸡丁", "category": "meat"}
    assert cao.post(reverse("canteen:dish-add", args=[pk]), dish).status_code == 403
    assert olga.post(reverse("canteen:dish-add", args=[pk]), dish).status_code == 302
    refused = olga.post(reverse("canteen:menu-step", args=[pk, "publish"]))
    assert refused.status_code == 409 and "尚未经机关事务局审核" in refused.content.decode()
    assert olga.post(reverse("canteen:menu-step", args=[pk, "submit"])).status_code == 302
    assert cao.post(reverse("canteen:menu-step", args=[pk, "approve"])).status_code == 302
    assert olga.post(reverse("canteen:menu-step", args=[pk, "publish"])).status_code == 302
    assert client_for(cw.xu).get(menu_url).status_code == 404


ANY = ("anonymous", "alice", "erin", "uma", "olga", "kai", "xu", "bob", "cao", "carol")


def _people(cw):
    core = cw.core
    return {
        "anonymous": None,
        "alice": core.alice,
        "erin": core.erin,
        "uma": core.uma,
        "olga": cw.olga,
        "kai": cw.kai,
        "xu": cw.xu,
        "bob": core.bob,
        "cao": cw.cao,
        "carol": core.carol,
    }


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("canteen:book", {"alice", "uma"}),
        ("canteen:complaint", {"alice", "uma"}),
        ("canteen:day", {"olga", "kai", "cao"}),
        ("canteen:menus", {"olga", "kai", "cao", "xu"}),  # Xu sees only his own canteen's menus
        ("canteen:reports", {"olga", "kai", "cao"}),
        ("canteen:anti-waste-xlsx", {"olga", "kai", "cao"}),
    ],
)
def test_who_may_open_each_page(cw, name, allowed):
    people = _people(cw)
    for who in ANY:
        answer = client_for(people[who]).get(reverse(name), {"canteen": "south", "year": "2026", "quarter": "2"})
        if who == "anonymous":
            assert answer.status_code == 302 and "/login" in answer["Location"], (name, who)
        elif who in allowed:
            assert answer.status_code == 200, (name, who, answer.status_code)
        else:
            assert answer.status_code in (403, 404), (name, who, answer.status_code)


def test_other_contractor_and_other_unit_cannot_act(cw):
    menu = published_menu(cw, WEEK, now=at(2026, 4, 29, 9))
    sample = logs.sample_record(
        actor=cw.kai,
        canteen=cw.canteen,
        dish_name="x",
        weight_g="90",
        taken_at=at(2026, 5, 6, 11),
        keeper="k",
        now=at(2026, 5, 6, 12),
    )
    xu, erin, olga = client_for(cw.xu), client_for(cw.core.erin), client_for(cw.olga)
    assert xu.post(reverse("canteen:sample-add"), {"canteen": "south"}).status_code == 404
    assert xu.post(reverse("canteen:sample-dispose", args=[sample.pk])).status_code == 404
    assert xu.post(reverse("canteen:sample-rectify", args=[sample.pk])).status_code == 404
    assert olga.post(reverse("canteen:sample-rectify", args=[sample.pk])).status_code == 403
    assert xu.post(reverse("canteen:dish-add", args=[menu.pk]), {}).status_code == 404
    assert xu.post(reverse("canteen:menu-step", args=[menu.pk, "submit"])).status_code == 404
    south = {"canteen": "south", "meal": "lunch", "date": "2026-05-06"}
    assert erin.post(reverse("canteen:book-meal"), south).status_code == 404
    # Erin dines at the north canteen: a south dish is not on her canteen's menu (400), and nothing is written.
    assert erin.post(reverse("canteen:rate"), {"dish": menu.dishes.first().pk, "stars": "5"}).status_code == 400
    assert client_for(cw.olga).post(reverse("canteen:book-meal"), south).status_code == 403
    assert client_for().post(reverse("canteen:book-week"), {}).status_code == 302
    assert not MealBooking.objects.exists()
