"""Pages and API of office space: what each party sees and may do, and that denials leak nothing.

Personas: Fang (bureau, office space), Uma (approver of 发改委, which holds 301 and 302), Alice (requester of
发改委), Olga (approver of 财政局, which holds 303), Erin (requester of 财政局), Bob (a contractor's dispatcher),
Carol (bureau, property: not office space), and the anonymous visitor."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from offices import services, steps
from offices.models import Allocation, AreaNormVersion, Purpose, SpaceRequest
from tests.offices.conftest import at
from tickets.models import Status


@pytest.fixture
def setup(space, allocate, seat):
    a301 = allocate("301")
    allocate("302")
    allocate("303", unit=space.w.other_unit)
    s = seat("301", "municipal", "staff", name="李爱丽", user=space.w.alice)
    sr = steps.space_request_file(
        actor=space.w.alice,
        purpose=Purpose.NEW,
        compound=space.w.compound,
        area_requested=Decimal("18"),
        headcount=1,
        reason="新增1人",
    )
    check = services.norm_scan(actor=space.fang)
    return {"a301": a301, "seat": s, "sr": sr, "check": check}


def client_for(user):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def page_urls(space, setup):
    w = space.w
    return {
        "home": reverse("offices:home"),
        "floor": reverse("offices:floor", args=[space.floor.pk]),
        "room301": reverse("offices:room", args=[space.rooms["301"].pk]),
        "room303": reverse("offices:room", args=[space.rooms["303"].pk]),
        "certificate": reverse("offices:certificate", args=[setup["a301"].pk]),
        "requests": reverse("offices:requests"),
        "request_new": reverse("offices:request-new"),
        "request": reverse("offices:request-detail", args=[setup["sr"].pk]),
        "by_core": reverse("offices:request-detail-by-core", args=[setup["sr"].service_request_id]),
        "ledger": reverse("offices:ledger"),
        "ledger_xlsx": reverse("offices:ledger") + "?format=xlsx",
        "check": reverse("offices:check", args=[setup["check"].pk]),
        "notice": reverse("offices:notice", args=[w.unit.pk]),
        "leaders": reverse("offices:leaders"),
        "norms": reverse("offices:norms"),
    }


# Expected status per persona, in the order of PAGES; the anonymous visitor is sent to the login page (302).
PAGES = [
    "home",
    "floor",
    "room301",
    "room303",
    "certificate",
    "requests",
    "request_new",
    "request",
    "by_core",
    "ledger",
    "ledger_xlsx",
    "check",
    "notice",
    "leaders",
    "norms",
]
EXPECTED = {
    "fang": "200 200 200 200 200 200 403 200 302 200 200 200 200 200 200",
    "uma": "200 200 200 404 200 200 200 200 302 403 403 403 200 403 403",
    "alice": "403 403 403 403 403 200 200 200 302 403 403 403 403 403 403",
    "olga": "200 200 404 200 403 200 200 404 404 403 403 403 403 403 403",
    "erin": "403 403 403 403 403 200 200 404 404 403 403 403 403 403 403",
    "bob": "403 403 403 403 403 403 403 404 404 403 403 403 403 403 403",
    "carol": "403 403 403 403 403 200 403 404 404 403 403 403 403 403 403",
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", [*EXPECTED, "anonymous"])
def test_page_permission_matrix(space, setup, who):
    users = {"fang": space.fang, "olga": space.olga, "anonymous": None}
    user = users.get(who, getattr(space.w, who, None))
    c = client_for(user)
    got = {name: c.get(url).status_code for name, url in page_urls(space, setup).items()}
    if who == "anonymous":
        assert set(got.values()) == {302}
    else:
        assert got == dict(zip(PAGES, map(int, EXPECTED[who].split()), strict=True))


@pytest.mark.django_db
def test_floor_view_colours_and_private_rows(space, setup):
    html = client_for(space.fang).get(reverse("offices:floor", args=[space.floor.pk])).content.decode()
    assert 'data-room="301" data-state="over"' in html  # 18 ㎡ for one municipal staff member (9)
    assert 'data-room="302" data-state="occupied"' in html and 'data-room="304" data-state="vacant"' in html
    uma = client_for(space.w.uma).get(reverse("offices:floor", args=[space.floor.pk])).content.decode()
    assert 'data-room="301"' in uma and 'data-room="303"' not in uma and "财政局" not in uma


@pytest.mark.django_db
def test_floor_view_answers_in_a_fixed_number_of_queries(space, setup, allocate, seat, django_assert_max_num_queries):
    c = client_for(space.fang)
    url = reverse("offices:floor", args=[space.floor.pk])
    c.get(url)
    with django_assert_max_num_queries(14) as small:
        c.get(url)
    allocate("304")
    allocate("305")
    for i in range(6):
        seat("305", "municipal", "staff", name=f"人{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get(url)


@pytest.mark.django_db
def test_page_flow_approve_allocate_and_refusals(space, setup):
    sr = setup["sr"]

    def step(who, name, data=None):
        return client_for(who).post(reverse("offices:request-step", args=[sr.pk, name]), data or {})

    assert step(space.fang, "approve").status_code == 403  # the unit approves first
    assert step(space.olga, "approve").status_code == 404
    assert step(space.w.uma, "approve").status_code == 302
    assert step(space.fang, "approve").status_code == 302
    taken = step(space.fang, "fulfil", {"rooms": [space.rooms["303"].pk], "starts_on": "2026-03-05", "use": "office"})
    assert taken.status_code == 400  # 303 is held by another unit: not offered
    ok = step(space.fang, "fulfil", {"rooms": [space.rooms["304"].pk], "starts_on": "2026-03-05", "use": "office"})
    assert ok.status_code == 302
    sr.refresh_from_db()
    assert sr.service_request.status == Status.RESOLVED and sr.allocations.get().room.number == "304"
    done = {"rooms": [space.rooms["305"].pk], "starts_on": "2026-03-05", "use": "office"}
    assert step(space.fang, "fulfil", done).status_code == 409


@pytest.mark.django_db
def test_room_page_overlap_is_409_and_bad_area_form_400(space, setup):
    c = client_for(space.fang)
    url = reverse("offices:room-action", args=[space.rooms["301"].pk, "allocate"])
    r = c.post(url, {"unit": space.w.other_unit.pk, "starts_on": "2026-05-01", "use": "office"})
    assert r.status_code == 409 and "已配置给发改委" in r.content.decode()
    assert c.post(url, {"unit": space.w.other_unit.pk, "starts_on": "not a date"}).status_code == 400
    assert Allocation.objects.count() == 3
    bad_norm = c.post(
        reverse("offices:norms"),
        {"version_code": "n2", "name": "x", "effective_from": "2026-01-01", "area_municipal_staff": "0"},
    )
    assert bad_norm.status_code == 400 and AreaNormVersion.objects.count() == 2
    uma = client_for(space.w.uma).post(url, {"unit": space.w.unit.pk, "starts_on": "2026-05-01"})
    assert uma.status_code == 403


@pytest.mark.django_db
def test_seat_on_a_room_of_another_unit_is_refused(space, setup):
    c = client_for(space.w.uma)
    r = c.post(
        reverse("offices:room-action", args=[space.rooms["303"].pk, "seat"]),
        {"name": "某", "level": "municipal", "rank": "staff", "post": "main", "since": "2026-02-01"},
    )
    assert r.status_code == 404
    r = c.post(
        reverse("offices:room-action", args=[space.rooms["302"].pk, "seat"]),
        {"name": "某", "level": "municipal", "rank": "division_chief", "post": "main", "since": "2026-02-01"},
    )
    assert r.status_code == 400 and "没有市级" in r.content.decode()


# --- API ---------------------------------------------------------------------------------------------------


def api_urls(space, setup):
    return {
        "floors": "/api/v1/offices/floors/",
        "floor": f"/api/v1/offices/floors/{space.floor.pk}/",
        "allocations": "/api/v1/offices/allocations/",
        "requests": "/api/v1/offices/space-requests/",
        "request": f"/api/v1/offices/space-requests/{setup['sr'].pk}/",
        "norms": "/api/v1/offices/norms/",
        "check": f"/api/v1/offices/checks/{setup['check'].pk}/",
        "over": "/api/v1/offices/over-standard/",
        "vacating": "/api/v1/offices/vacating/",
        "usage": "/api/v1/offices/usage/",
    }


APIS = ["floors", "floor", "allocations", "requests", "request", "norms", "check", "over", "vacating", "usage"]
API_EXPECTED = {
    "fang": "200 200 200 200 200 200 200 200 200 200",
    "uma": "200 200 200 200 200 403 403 403 200 200",
    "olga": "200 200 200 200 404 403 403 403 200 200",
    "erin": "403 403 403 200 404 403 403 403 403 403",
    "bob": "403 403 403 200 404 403 403 403 403 403",
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", [*API_EXPECTED, "anonymous"])
def test_api_permission_matrix(space, setup, api, who):
    user = {"fang": space.fang, "olga": space.olga, "anonymous": None}.get(who, getattr(space.w, who, None))
    client = api(user)
    got = {name: client.get(url).status_code for name, url in api_urls(space, setup).items()}
    if who == "anonymous":
        assert set(got.values()) <= {401, 403}
    else:
        assert got == dict(zip(APIS, map(int, API_EXPECTED[who].split()), strict=True))
    if who in ("olga", "erin", "bob"):
        body = client.get("/api/v1/offices/space-requests/").json()
        assert body == []
        allocations = client.get("/api/v1/offices/allocations/")
        if allocations.status_code == 200:
            assert {a["unit_name"] for a in allocations.json()} <= {"财政局"}


@pytest.mark.django_db
def test_api_flow_and_errors(space, setup, api):
    sr = setup["sr"]
    base = f"/api/v1/offices/space-requests/{sr.pk}"
    assert api(space.fang).post(f"{base}/approve/", {}).status_code == 403
    r = api(space.w.uma).post(f"{base}/approve/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "pending_approval"
    assert api(space.fang).post(f"{base}/approve/", {}).json()["status"] == "submitted"
    r = api(space.fang).post(
        f"{base}/fulfil/", {"rooms": [space.rooms["303"].pk], "starts_on": "2026-03-05"}, format="json"
    )
    assert r.status_code == 409 and "已配置给财政局" in r.json()["detail"]
    r = api(space.fang).post(
        f"{base}/fulfil/", {"rooms": [space.rooms["306"].pk], "starts_on": "2026-03-05"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    # filing: bad input answers 400 with field messages
    r = api(space.w.alice).post(
        "/api/v1/offices/space-requests/",
        {"purpose": "new", "compound": space.w.compound.pk, "area_requested": "-1", "headcount": 1, "reason": "x"},
        format="json",
    )
    assert r.status_code == 400 and "area_requested" in r.json()
    r = api(space.w.alice).post("/api/v1/offices/space-requests/", {"purpose": "lend", "reason": "x"}, format="json")
    assert r.status_code == 400 and "purpose" in r.json()
    assert SpaceRequest.objects.count() == 1
    # allocation API
    r = api(space.fang).post(
        "/api/v1/offices/allocations/",
        {"room": space.rooms["301"].pk, "unit": space.w.other_unit.pk, "starts_on": "2026-06-01"},
        format="json",
    )
    assert r.status_code == 409
    r = api(space.w.uma).post(
        "/api/v1/offices/allocations/",
        {"room": space.rooms["305"].pk, "unit": space.w.unit.pk, "starts_on": "2026-06-01"},
        format="json",
    )
    assert r.status_code == 403
    r = api(space.fang).post(
        "/api/v1/offices/allocations/",
        {"room": space.rooms["305"].pk, "unit": space.w.unit.pk, "starts_on": "2026-06-01"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["agreement_no"].startswith("SY2026-")
    # norms: a new version via the API, a bad row refused
    rows = [{"level": "municipal", "rank": "staff", "area": "12"}]
    r = api(space.fang).post(
        "/api/v1/offices/norms/",
        {
            "version_code": "local",
            "name": "本地",
            "effective_from": "2026-01-01",
            "based_on": AreaNormVersion.objects.get(code="2014").pk,
            "rows": rows,
        },
        format="json",
    )
    assert r.status_code == 201 and r.json()["current"]
    r = api(space.fang).post(
        "/api/v1/offices/norms/",
        {
            "version_code": "bad",
            "name": "x",
            "effective_from": "2026-01-01",
            "rows": [{"level": "x", "rank": "y", "area": "1"}],
        },
        format="json",
    )
    assert r.status_code == 400
    assert services.current_version().code == "local" and date.today()
    assert at(1, 1)


@pytest.mark.django_db
def test_pages_in_english(space, setup):
    c = client_for(space.fang)
    c.cookies["django_language"] = "en"
    html = c.get(reverse("offices:ledger"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Over-standard rooms" in html and "超标房间" not in html
    html = c.get(reverse("offices:certificate", args=[setup["a301"].pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Office space allocation certificate" in html
    r = client_for(space.fang).post(
        reverse("offices:room-action", args=[space.rooms["301"].pk, "allocate"]),
        {"unit": space.w.other_unit.pk, "starts_on": "2026-05-01", "use": "office"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 409 and "cannot be allocated twice" in r.content.decode()


@pytest.mark.django_db
def test_ledger_lists_the_last_stored_check_and_its_xlsx(space, setup, api):
    html = client_for(space.fang).get(reverse("offices:ledger")).content.decode()
    assert "9.00㎡" in html and "李爱丽" in html
    findings = api(space.fang).get("/api/v1/offices/over-standard/").json()
    assert findings["count"] == 1
    assert [(f["room_number"], f["excess"]) for f in findings["results"]] == [("301", "9.00")]
    xlsx = client_for(space.fang).get(reverse("offices:ledger") + "?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats") and xlsx.content[:2] == b"PK"


@pytest.mark.django_db
def test_over_standard_api_pages_in_a_fixed_number_of_queries(space, setup, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from offices.models import NormCheck, NormFinding

    def stored_check(n: int) -> None:
        later = NormCheck.objects.order_by("-checked_at").first().checked_at + timedelta(hours=1)
        check = NormCheck.objects.create(version=services.current_version(), checked_at=later, rooms_checked=n)
        rooms = list(space.rooms.values())
        NormFinding.objects.bulk_create(
            NormFinding(
                check_run=check,
                room=rooms[i % len(rooms)],
                area=Decimal(100),
                allowance=Decimal(18),
                excess=Decimal(82) - Decimal(i) / 100,
            )
            for i in range(n)
        )

    client = api(space.fang)

    def page(number: int) -> tuple[dict, int]:
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"/api/v1/offices/over-standard/?page={number}").json()
        return body, len(ctx.captured_queries)

    stored_check(3)
    small, small_queries = page(1)
    assert small["count"] == 3 and small["next"] is None
    stored_check(120)  # the latest check is the one the API reads
    first, first_queries = page(1)
    last, last_queries = page(3)
    assert first["count"] == 120 and len(first["results"]) == 50 and len(last["results"]) == 20
    assert first["results"][0]["excess"] == "82.00" and last["results"][-1]["excess"] == "80.81"
    assert first_queries == last_queries == small_queries <= 4  # the check, the count, the page with its rooms
    assert client.get("/api/v1/offices/over-standard/?page=9").status_code == 404
