"""A property repair carried from filing to rating through the API, as the three users would."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from tickets.models import Event, Notification, ServiceRequest

SH = ZoneInfo("Asia/Shanghai")


def test_repair_from_filing_to_rating(world, api):
    alice, bob, wang, carol = api(world.alice), api(world.bob), api(world.wang), api(world.carol)
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=SH), tick=False):
        preview = alice.post(
            "/api/v1/requests/preview/", {"category": world.leak.pk, "room": world.room.pk}, format="json"
        )
        assert preview.status_code == 200
        assert preview.data["contractor"] == "恒安物业"
        # urgent: response 30 business minutes from 09:00 on a Tuesday
        assert preview.data["response_due"] == "2026-03-10T09:30:00+08:00"

        created = alice.post(
            "/api/v1/requests/",
            {"category": world.leak.pk, "room": world.room.pk, "title": "301 卫生间漏水", "description": "水管滴水"},
            format="json",
        )
        assert created.status_code == 201, created.data
        pk = created.data["id"]
        assert created.data["status"] == "submitted"
        assert created.data["contractor_name"] == "恒安物业"
        assert created.data["building_name"] == "1号楼"
        assert created.data["response_due"] == "2026-03-10T09:30:00+08:00"
        assert Notification.objects.filter(recipient=world.bob, request_id=pk).exists()

    with time_machine.travel(datetime(2026, 3, 10, 9, 10, tzinfo=SH), tick=False):
        assigned = bob.post(f"/api/v1/requests/{pk}/assign/", {"assignee": world.wang.pk}, format="json")
        assert assigned.status_code == 200, assigned.data
        assert assigned.data["assignee_name"] == "王师傅"
        assert wang.post(f"/api/v1/requests/{pk}/accept/", format="json").status_code == 200
        assert wang.post(f"/api/v1/requests/{pk}/start/", format="json").status_code == 200
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SH), tick=False):
        resolved = wang.post(f"/api/v1/requests/{pk}/resolve/", {"note": "更换阀门"}, format="json")
        assert resolved.status_code == 200, resolved.data
        assert resolved.data["status"] == "resolved"
        mine = alice.get("/api/v1/notifications/unread-count/")
        assert mine.data["unread"] >= 1

    with time_machine.travel(datetime(2026, 3, 10, 11, 0, tzinfo=SH), tick=False):
        rated = alice.post(f"/api/v1/requests/{pk}/feedback/", {"rating": 5, "comment": "很快"}, format="json")
        assert rated.status_code == 200, rated.data
        assert rated.data["status"] == "closed"
        assert rated.data["rating"] == 5

    req = ServiceRequest.objects.get(pk=pk)
    assert req.response_minutes == 10  # accepted 10 minutes after filing
    assert req.resolution_minutes == 60
    assert not req.response_breached and not req.resolution_breached
    kinds = list(Event.objects.filter(request=req).values_list("kind", "action"))
    assert kinds == [
        ("created", ""),
        ("assigned", "assign"),
        ("transition", "accept"),
        ("transition", "start"),
        ("transition", "resolve"),
        ("transition", "confirm"),
        ("feedback", ""),
    ]
    # the supervisor sees it too, with the whole timeline
    detail = carol.get(f"/api/v1/requests/{pk}/")
    assert detail.status_code == 200
    assert [e["action"] for e in detail.data["timeline"]][1:4] == ["assign", "accept", "start"]
    assert detail.data["timeline"][1]["on_behalf_of"] == "服务商:恒安物业"


def test_request_without_contract_goes_to_bureau_queue(world, api):
    created = api(world.alice).post(
        "/api/v1/requests/",
        {"category": world.cleaning.pk, "compound": world.compound.pk, "title": "走廊保洁"},
        format="json",
    )
    assert created.status_code == 201
    assert created.data["contractor"] is None
    req = ServiceRequest.objects.get(pk=created.data["id"])
    assert req.events.get().changes["queue"] == "bureau"
    assert Notification.objects.filter(recipient=world.carol, request=req).exists()
    assert api(world.carol).get("/api/v1/requests/", {"open": "true"}).data["count"] == 1


def test_double_submit_with_one_key_creates_one_request(world, api):
    client = api(world.alice)
    body = {"category": world.leak.pk, "room": world.room.pk, "title": "漏水", "idempotency_key": "k-123"}
    first = client.post("/api/v1/requests/", body, format="json")
    second = client.post("/api/v1/requests/", body, format="json")
    assert first.data["id"] == second.data["id"]
    assert ServiceRequest.objects.count() == 1
