"""The request list: the rows the API builds from columns say exactly what the serializer says, a page costs the
same queries at any length, and the open/breached filters follow the request's state."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import BuildingFactory, RoomFactory
from tests.tickets.helpers import at, file_leak
from tickets.api.serializers import RequestListSerializer
from tickets.models import ServiceRequest, Status
from tickets.services.maintenance import database_analyze
from tickets.services.requests import request_create
from tickets.services.sweeper import sla_sweep
from tickets.services.transitions import transition

pytestmark = pytest.mark.django_db


def varied_requests(world) -> list[ServiceRequest]:
    """Requests in the shapes a list shows: unassigned, assigned, in progress, resolved, closed, cancelled,
    breached, without a building or room, in another compound with no contract."""
    plain = file_leak(world, title="卫生间漏水")
    assigned = file_leak(world, title="走廊漏水", urgency="critical")
    transition(service_request=assigned, action="accept", actor=world.bob, now=at(2026, 3, 10, 9, 5))
    transition(
        service_request=assigned, action="assign", actor=world.bob, assignee=world.wang, now=at(2026, 3, 10, 9, 6)
    )
    transition(service_request=assigned, action="start", actor=world.wang, now=at(2026, 3, 10, 9, 20))
    done = file_leak(world, title="已修好", by=world.erin)
    transition(service_request=done, action="accept", actor=world.bob, now=at(2026, 3, 10, 9, 5))
    transition(service_request=done, action="resolve", actor=world.bob, note="换了阀门", now=at(2026, 3, 10, 10, 0))
    closed = file_leak(world, title="已确认")
    transition(service_request=closed, action="accept", actor=world.bob, now=at(2026, 3, 10, 9, 5))
    transition(service_request=closed, action="resolve", actor=world.bob, note="换了阀门", now=at(2026, 3, 10, 10, 0))
    transition(service_request=closed, action="confirm", actor=world.alice, now=at(2026, 3, 10, 11, 0))
    cancelled = file_leak(world, title="不用修了")
    transition(service_request=cancelled, action="cancel", actor=world.alice, now=at(2026, 3, 10, 9, 30))
    elsewhere = BuildingFactory(compound=world.other_compound, code="n1", name="北1号楼")
    north = request_create(
        actor=world.alice,
        category=world.leak,
        room=RoomFactory(floor__building=elsewhere, number="101"),
        title="北院漏水",
        now=at(2026, 3, 10, 9, 0),
    )
    no_room = request_create(
        actor=world.alice, category=world.cleaning, compound=world.compound, title="大厅保洁", now=at(2026, 3, 10, 9)
    )
    sla_sweep(now=at(2026, 3, 11, 9, 0))  # the unaccepted ones breach their response deadline
    return [plain, assigned, done, closed, cancelled, north, no_room]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rows_say_what_the_serializer_says(world, api, language):
    varied_requests(world)
    with time_machine.travel(at(2026, 3, 10, 9, 25), tick=False):
        response = api(world.carol).get("/api/v1/requests/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        from django.utils import translation

        with translation.override(language):
            instances = ServiceRequest.objects.with_list_relations().order_by("-created_at", "-id")
            expected = json.loads(json.dumps(RequestListSerializer(instances, many=True).data, default=str))
    rows = response.json()["results"]
    assert len(rows) == 7
    assert rows == expected
    shown = {r["title"]: r for r in rows}
    assert shown["走廊漏水"]["assignee_name"] == "王师傅"
    assert shown["大厅保洁"]["room_number"] is None and shown["大厅保洁"]["building_name"] is None
    assert shown["卫生间漏水"]["status_display"] == ("已提交" if language == "zh-hans" else "Submitted")
    assert shown["卫生间漏水"]["response_breached"] is True and shown["卫生间漏水"]["sla_state"] == "red"
    assert shown["走廊漏水"]["created_at"].endswith("+08:00")


def test_a_page_costs_the_same_queries_at_any_length(world, api):
    client = api(world.carol)
    file_leak(world)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/requests/").json()["count"] == 1
    for i in range(60):
        file_leak(world, title=f"漏水 {i}", by=world.erin if i % 2 else world.alice)
    with CaptureQueriesContext(connection) as full:
        body = client.get("/api/v1/requests/?status=submitted&ordering=-created_at").json()
    assert body["count"] == 61 and len(body["results"]) == 50
    assert len(full) == len(one) == 2  # the count and the page


def test_open_follows_the_status(world, api):
    kept = file_leak(world, title="还开着")
    finished = file_leak(world, title="已取消")
    transition(service_request=finished, action="cancel", actor=world.alice, now=at(2026, 3, 10, 9, 30))
    client = api(world.alice)
    assert [r["title"] for r in client.get("/api/v1/requests/?open=true").json()["results"]] == ["还开着"]
    assert [r["title"] for r in client.get("/api/v1/requests/?open=false").json()["results"]] == ["已取消"]
    kept.refresh_from_db()
    assert kept.is_open and ServiceRequest.objects.get(pk=finished.pk).status == Status.CANCELLED
    assert list(ServiceRequest.objects.open().values_list("pk", flat=True)) == [kept.pk]


def test_breached_filter(world, api):
    late = file_leak(world, title="超时未受理")
    on_time = file_leak(world, title="及时受理")
    transition(service_request=on_time, action="accept", actor=world.bob, now=at(2026, 3, 10, 9, 5))
    transition(service_request=on_time, action="start", actor=world.bob, now=at(2026, 3, 10, 9, 10))
    sla_sweep(now=at(2026, 3, 10, 9, 45))
    client = api(world.carol)
    assert [r["id"] for r in client.get("/api/v1/requests/?breached=true").json()["results"]] == [late.pk]
    assert [r["id"] for r in client.get("/api/v1/requests/?breached=false").json()["results"]] == [on_time.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_open_queue_and_breached_list_read_their_indexes(world):
    """The list's slow shapes at 100k rows were the open queue by deadline and the breached list; each has an index
    that serves only if the query keeps the exact shape, and SQLite picks it only with the statistics that the
    nightly job refreshes (bench/core_bench.py has the figures)."""
    for i in range(30):
        file_leak(world, title=f"漏水 {i}", now=at(2026, 3, 9, 9, i))
    sla_sweep(now=at(2026, 3, 9, 9, 45))  # the first few breach their response deadline
    for i in range(30):
        file_leak(world, title=f"新 {i}", now=at(2026, 3, 10, 9, i))
    assert database_analyze() == "sqlite"
    open_queue = ServiceRequest.objects.filter(contractor=world.contractor).open().order_by("resolution_due")
    assert "request_contractor_open_due" in open_queue.explain()
    breached = ServiceRequest.objects.visible_to(world.carol).breached()
    assert "COVERING INDEX request_breached_created" in breached.order_by().values("pk").explain()  # as counted
    assert "request_breached_created" in breached.explain()  # the page, newest first
