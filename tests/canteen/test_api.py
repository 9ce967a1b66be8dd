"""/api/v1/canteen/: the journey through the API, bad input refused with field messages and nothing written,
and every route tried by each persona (another unit's person, another contractor, anonymous): no leak, no 5xx."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from canteen.models import Dish, DishRating, FoodSample, HeadCount, MealBooking, WasteLog, WeeklyMenu
from canteen.services import bookings, headcounts, logs
from tests.canteen.conftest import at, published_menu
from tickets.models import ServiceRequest

pytestmark = pytest.mark.django_db
API = "/api/v1/canteen"


@time_machine.travel(at(2026, 4, 30, 9), tick=False)
def test_booking_journey_and_refusals(cw, api):
    alice = api(cw.core.alice)
    week = alice.post(f"{API}/bookings/week/", {"meal": "lunch", "week_start": "2026-05-04"}, format="json")
    assert week.status_code == 200 and week.json()["changed"] == [
        "2026-05-06",
        "2026-05-07",
        "2026-05-08",
        "2026-05-09",
    ]
    cancel = alice.post(f"{API}/bookings/", {"meal": "lunch", "date": "2026-05-07", "eating": False}, format="json")
    assert cancel.status_code == 200 and cancel.json()["eating"] is False
    holiday = alice.post(f"{API}/bookings/", {"meal": "lunch", "date": "2026-05-04", "eating": True}, format="json")
    assert holiday.status_code == 400 and "不供应" in holiday.json()["date"][0]
    cells = alice.get(f"{API}/week/", {"week": "2026-05-04"}).json()["cells"]
    assert sum(c["eating"] for c in cells if c["meal"] == "lunch") == 3
    with time_machine.travel(at(2026, 5, 8, 10, 1), tick=False):
        late = alice.post(f"{API}/bookings/", {"meal": "lunch", "date": "2026-05-08", "eating": False}, format="json")
    assert late.status_code == 400 and "截止" in late.json()["date"][0]
    assert MealBooking.objects.get(date=date(2026, 5, 8)).eating


def test_bad_input_refused_and_nothing_written(cw, api):
    menu = published_menu(cw, date(2026, 5, 4), now=at(2026, 4, 29, 9))
    dish = menu.dishes.get(date=date(2026, 5, 6), name="红烧肉")
    alice, kai, olga = api(cw.core.alice), api(cw.kai), api(cw.olga)
    with time_machine.travel(at(2026, 5, 6, 13), tick=False):
        rating = alice.post(f"{API}/ratings/", {"dish": dish.pk, "stars": 5}, format="json")
        assert rating.status_code == 403 and "没有报这一餐" in rating.json()["detail"]
        sample = {"dish_name": "红烧肉", "weight_g": "-1", "taken_at": "2026-05-06T11:40:00+08:00", "keeper": "周"}
        assert kai.post(f"{API}/samples/", sample, format="json").status_code == 400
        sample.update(weight_g="150", taken_at="2026-05-06T14:00:00+08:00")
        future = kai.post(f"{API}/samples/", sample, format="json")
        assert future.status_code == 400 and "不能晚于当前时间" in future.json()["taken_at"][0]
    edit = api(cw.cao).post(
        f"{API}/menus/{menu.pk}/dishes/", {"date": "2026-05-06", "meal": "lunch", "name": "x", "category": "meat"}
    )
    assert edit.status_code == 403 and "运营方" in edit.json()["detail"]
    created = olga.post(f"{API}/menus/", {"week_start": "2026-05-11"}, format="json")
    assert created.status_code == 201
    new = created.json()["id"]
    olga.post(f"{API}/menus/{new}/dishes/", {"date": "2026-05-11", "meal": "lunch", "name": "鱼", "category": "meat"})
    publish = olga.post(f"{API}/menus/{new}/publish/", {}, format="json")
    assert publish.status_code == 409 and "审核" in publish.json()["detail"]
    assert WeeklyMenu.objects.get(pk=new).published_at is None
    assert not DishRating.objects.exists() and not FoodSample.objects.exists()
    assert Dish.objects.filter(name="x").count() == 0


def test_menu_workflow_and_logs_through_the_api(cw, api):
    olga, cao, kai = api(cw.olga), api(cw.cao), api(cw.kai)
    menu = olga.post(f"{API}/menus/", {"week_start": "2026-05-11"}, format="json").json()
    dish = olga.post(
        f"{API}/menus/{menu['id']}/dishes/",
        {"date": "2026-05-12", "meal": "lunch", "name": "宫保鸡丁", "category": "meat", "price": "12.00"},
        format="json",
    )
    assert dish.status_code == 201
    assert olga.post(f"{API}/menus/{menu['id']}/submit/", {}, format="json").json()["actions"] == []
    assert cao.post(f"{API}/menus/{menu['id']}/approve/", {}, format="json").status_code == 200
    assert kai.post(f"{API}/menus/{menu['id']}/publish/", {}, format="json").json()["status"] == "published"
    patched = kai.patch(f"{API}/dishes/{dish.json()['id']}/", {"name": "辣子鸡"}, format="json")
    assert patched.status_code == 200
    assert olga.get(f"{API}/menus/{menu['id']}/").json()["changes"][0]["summary"] == "调整：宫保鸡丁 改为 辣子鸡"
    with time_machine.travel(at(2026, 5, 12, 13), tick=False):
        sample = kai.post(
            f"{API}/samples/",
            {"dish": dish.json()["id"], "weight_g": "110", "taken_at": "2026-05-12T11:40:00+08:00", "keeper": "周"},
            format="json",
        )
        assert sample.status_code == 201 and sample.json()["flagged"] is True
        waste = kai.post(f"{API}/waste/", {"date": "2026-05-12", "waste_kg": "9.5", "diners": 180}, format="json")
        assert waste.status_code == 201
    rectify = cao.post(f"{API}/samples/{sample.json()['id']}/rectify/")
    assert rectify.status_code == 201 and rectify.json()["contractor"] == cw.canteen.contractor_id
    report = cao.get(f"{API}/reports/", {"canteen": "south", "date_from": "2026-05-01", "date_to": "2026-05-31"})
    assert report.status_code == 200 and report.json()["samples"] == {"total": 1, "flagged": 1}
    assert report.json()["waste_trend"][0]["grams_per_diner"] == 52.8
    assert cao.get(f"{API}/reports/", {"canteen": "south", "date_from": "bad"}).status_code == 400


def test_complaint_through_the_api(cw, api):
    answer = api(cw.core.alice).post(
        f"{API}/complaints/",
        {"category": cw.complaint_category.pk, "title": "汤太咸", "meal": "lunch", "date": "2026-05-06"},
        format="json",
    )
    assert answer.status_code == 201 and answer.json()["contractor"] == cw.canteen.contractor_id
    wrong = api(cw.core.alice).post(f"{API}/complaints/", {"category": cw.core.leak.pk, "title": "x"}, format="json")
    assert wrong.status_code == 400 and "category" in wrong.json()
    assert ServiceRequest.objects.count() == 1


# --- the permission matrix ----------------------------------------------------------------------------------------


@pytest.fixture
def things(cw):
    menu = published_menu(cw, date(2026, 5, 4), now=at(2026, 4, 29, 9))
    bookings.booking_set(actor=cw.core.alice, service=cw.lunch, day=date(2026, 5, 6), eating=True, now=at(2026, 5, 5))
    headcounts.head_count_freeze(service=cw.lunch, day=date(2026, 5, 6), now=at(2026, 5, 6, 10))
    sample = logs.sample_record(
        actor=cw.kai,
        canteen=cw.canteen,
        dish_name="x",
        weight_g="90",
        taken_at=at(2026, 5, 6, 11),
        keeper="k",
        now=at(2026, 5, 6, 12),
    )
    return {
        "menu": menu.pk,
        "dish": menu.dishes.first().pk,
        "count": HeadCount.objects.get().pk,
        "sample": sample.pk,
    }


def routes(t):
    s = "?canteen=south"
    return [
        ("get", f"{API}/week/{s}", None, {"alice", "uma"}),
        (
            "post",
            f"{API}/bookings/",
            {"canteen": "south", "meal": "lunch", "date": "2026-05-06", "eating": True},
            {"alice", "uma"},
        ),
        (
            "post",
            f"{API}/bookings/week/",
            {"canteen": "south", "meal": "lunch", "week_start": "2026-05-04"},
            {"alice", "uma"},
        ),
        (
            "post",
            f"{API}/bookings/guests/",
            {"canteen": "south", "meal": "lunch", "date": "2026-05-06", "guests": 2},
            {"uma"},
        ),
        ("get", f"{API}/menus/{t['menu']}/", None, {"olga", "kai", "cao"}),
        (
            "post",
            f"{API}/menus/{t['menu']}/dishes/",
            {"date": "2026-05-06", "meal": "lunch", "name": "鱼", "category": "meat"},
            {"olga", "kai"},
        ),
        ("patch", f"{API}/dishes/{t['dish']}/", {"name": "鱼"}, {"olga", "kai"}),
        ("post", f"{API}/dishes/{t['dish']}/withdraw/", None, {"olga", "kai"}),
        ("post", f"{API}/menus/{t['menu']}/return/", {"note": "x"}, {"cao"}),
        ("get", f"{API}/head-counts/{s}", None, {"olga", "kai", "cao"}),
        ("post", f"{API}/head-counts/{t['count']}/served/", {"served": 1}, {"olga", "kai"}),
        ("post", f"{API}/ratings/", {"dish": t["dish"], "stars": 4}, {"alice"}),
        ("get", f"{API}/samples/{s}", None, {"olga", "kai", "cao"}),
        (
            "post",
            f"{API}/samples/",
            {
                "canteen": "south",
                "dish_name": "x",
                "weight_g": "150",
                "taken_at": "2026-05-06T11:00:00+08:00",
                "keeper": "k",
            },
            {"olga", "kai"},
        ),
        (
            "post",
            f"{API}/samples/{t['sample']}/dispose/",
            {"disposed_at": "2026-05-08T12:00:00+08:00"},
            {"olga", "kai"},
        ),
        ("post", f"{API}/samples/{t['sample']}/rectify/", None, {"cao"}),
        ("get", f"{API}/waste/{s}", None, {"olga", "kai", "cao"}),
        (
            "post",
            f"{API}/waste/",
            {"canteen": "south", "date": "2026-05-06", "waste_kg": "1", "diners": 10},
            {"olga", "kai"},
        ),
        ("post", f"{API}/complaints/", {"canteen": "south", "category": 0, "title": "x"}, {"alice", "uma"}),
        ("get", f"{API}/reports/{s}", None, {"olga", "kai", "cao"}),
        ("get", f"{API}/reports/anti-waste.xlsx{s}&year=2026&quarter=2", None, {"olga", "kai", "cao"}),
    ]


PEOPLE = ("alice", "erin", "uma", "olga", "kai", "xu", "bob", "cao", "carol")


@time_machine.travel(at(2026, 5, 6, 13), tick=False)
def test_every_route_for_every_persona(cw, api, things):
    people = {
        "alice": cw.core.alice,
        "erin": cw.core.erin,
        "uma": cw.core.uma,
        "olga": cw.olga,
        "kai": cw.kai,
        "xu": cw.xu,
        "bob": cw.core.bob,
        "cao": cw.cao,
        "carol": cw.core.carol,
    }
    before = (MealBooking.objects.count(), FoodSample.objects.count(), WasteLog.objects.count())
    for method, url, body, allowed in routes(things):
        anonymous = getattr(api(), method)(url, body, format="json")
        assert anonymous.status_code in (401, 403), (url, anonymous.status_code)
        for who in PEOPLE:
            if who in allowed:
                continue
            answer = getattr(api(people[who]), method)(url, body, format="json")
            assert answer.status_code in (403, 404), (method, url, who, answer.status_code)
    assert (MealBooking.objects.count(), FoodSample.objects.count(), WasteLog.objects.count()) == before
    for method, url, body, allowed in routes(things):
        for who in sorted(allowed):
            answer = getattr(api(people[who]), method)(url, body, format="json")
            assert answer.status_code < 500, (method, url, who, answer.status_code)
            assert answer.status_code not in (401, 404), (method, url, who, answer.status_code)


def test_lists_show_only_what_the_caller_may_see(cw, api, things):
    assert [m["canteen"] for m in api(cw.xu).get(f"{API}/menus/").json()] == []  # Xu's canteen has no menu yet
    assert [c["code"] for c in api(cw.core.erin).get(f"{API}/canteens/").json()] == ["north"]
    assert [c["code"] for c in api(cw.olga).get(f"{API}/canteens/").json()] == ["south"]
    assert api(cw.core.alice).get(f"{API}/menus/").status_code == 403
    assert api(cw.xu).get(f"{API}/head-counts/", {"canteen": "south"}).status_code == 404
