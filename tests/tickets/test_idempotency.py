"""Idempotency keys belong to their filer; the system's keys (with ":") are a namespace users cannot write."""

from __future__ import annotations

from tickets.models import ServiceRequest
from tickets.services.requests import request_create


def file(client, world, key):
    body = {"category": world.leak.pk, "room": world.room.pk, "title": "漏水", "idempotency_key": key}
    return client.post("/api/v1/requests/", body, format="json")


def test_two_filers_with_the_same_key_each_file_their_own(world, api):
    mine = file(api(world.alice), world, "same-key")
    theirs = file(api(world.erin), world, "same-key")
    assert mine.status_code == theirs.status_code == 201
    assert mine.data["id"] != theirs.data["id"]
    # and each one's double submit still finds their own
    again = file(api(world.erin), world, "same-key")
    assert again.data["id"] == theirs.data["id"]
    assert ServiceRequest.objects.count() == 2


def test_a_user_cannot_take_a_system_key(world, api):
    """A failed inspection's rectification key is predictable; a requester filing with it first would make the
    inspection fail with 409 (or tell whether it failed an item)."""
    response = file(api(world.alice), world, "inspection:1:1")
    assert response.status_code == 400
    assert "idempotency_key" in response.json()
    assert not ServiceRequest.objects.exists()
    rectification = request_create(
        actor=world.carol, category=world.leak, room=world.room, title="整改", idempotency_key="inspection:1:1"
    )
    assert rectification.filed_by == world.carol


def test_a_system_key_is_the_systems_whoever_files_it_again(world):
    first = request_create(actor=world.carol, category=world.leak, room=world.room, title="整改", idempotency_key="x:1")
    again = request_create(actor=world.dave, category=world.leak, room=world.room, title="整改", idempotency_key="x:1")
    assert again.pk == first.pk
    # a user key of the same text is another namespace
    own = request_create(actor=world.alice, category=world.leak, room=world.room, title="漏水", idempotency_key="x-1")
    assert own.pk != first.pk


def test_the_filing_page_refuses_a_system_key(world, client):
    from django.urls import reverse

    client.force_login(world.alice)
    url = reverse("request-new") + f"?category={world.leak.pk}&room={world.room.pk}"
    response = client.post(url, {"title": "漏水", "urgency": "normal", "idempotency_key": "inspection:1:1"})
    assert response.status_code in (200, 400)  # the form again, nothing filed
    assert not ServiceRequest.objects.exists()


def test_a_trip_cannot_take_a_system_key(world, api):
    from fleet.demo import build_fleet_reference

    ref = build_fleet_reference(compounds=[world.compound])
    body = {
        "category": ref.trip_category.pk,
        "compound": world.compound.pk,
        "purpose": "开会",
        "passenger_count": 1,
        "origin": "南院",
        "destination": "市政府",
        "slot_start": "2030-03-10T14:00:00+08:00",
        "slot_end": "2030-03-10T17:00:00+08:00",
        "idempotency_key": "inspection:1:1",
    }
    response = api(world.alice).post("/api/v1/fleet/trips/", body, format="json")
    assert response.status_code == 400
    assert "idempotency_key" in response.json()
