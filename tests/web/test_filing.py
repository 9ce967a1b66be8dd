"""Filing from the form as a requester clicks it (issue #16, item 1): the place picker keeps working when a room is
chosen, a category that needs a room says so in the place step, the floor is kept, photos survive an error, the
SLA preview follows the urgency, and nothing is called missing before the requester has chosen anything."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from tests.factories import FloorFactory
from tickets.models import Attachment, ServiceRequest
from tickets.services.drafts import PhotoDrafts

pytestmark = pytest.mark.django_db


def new_url(**params):
    from urllib.parse import urlencode

    return reverse("request-new") + "?" + urlencode(params)


def place(world, **extra):
    return {
        "category": world.leak.pk,
        "compound": world.compound.pk,
        "building": world.building.pk,
        "floor": world.room.floor_id,
        **extra,
    }


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_place_step_says_nothing_is_missing_before_anything_is_chosen(world, as_user):
    html = as_user(world.alice).get(new_url(category=world.leak.pk, line="property")).content.decode()
    assert 'name="compound"' in html
    assert "该字段是必填项" not in html and 'aria-invalid="true"' not in html


def test_choosing_a_room_in_the_picker_keeps_the_picker(world, as_user):
    """The picker asks the page again on every change (htmx): a chosen room must not jump to step 3."""
    html = as_user(world.alice).get(new_url(**place(world, room=world.room.pk))).content.decode()
    assert 'id="place-picker"' in html and "扫码位置" not in html
    assert re.search(rf'<option value="{world.room.pk}" selected>301</option>', html)
    assert "该字段是必填项" not in html


def test_a_category_that_needs_a_room_says_so_in_the_place_step(world, as_user):
    world.leak.required_fields = ["room"]
    world.leak.save()
    client = as_user(world.alice)
    stopped_at_floor = client.get(new_url(**place(world, step=3)))
    html = stopped_at_floor.content.decode()
    assert 'id="place-picker"' in html and "该类请求需要选择房间" in html
    assert 'name="title"' not in html  # not the description step: nothing typed or photographed is lost
    assert "需要选到房间" in html
    step3 = client.get(new_url(**place(world, room=world.room.pk, step=3))).content.decode()
    assert 'name="title"' in step3
    location = re.search(r'<dd id="preview-place">(.*?)<a', step3, re.S).group(1).split()
    assert location == ["南院", "1号楼", "3F", "301"]
    assert "扫码位置" not in step3  # nothing was scanned


def test_a_floor_without_a_room_is_kept_in_the_location(world, as_user):
    client = as_user(world.alice)
    url = new_url(**place(world, step=3))
    html = client.get(url).content.decode()
    assert re.search(r'<dd id="preview-place">\s*南院 1号楼 3F\s*<a', html)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    response = client.post(
        url, {"title": "走廊灯不亮", "urgency": "normal", "location_detail": "东侧", "idempotency_key": key}
    )
    assert response.status_code == 302
    req = ServiceRequest.objects.get()
    assert (req.building, req.room, req.location_detail) == (world.building, None, "3F 东侧")


def test_a_floor_of_another_building_is_dropped_like_any_stale_child(world, as_user):
    from tests.factories import BuildingFactory

    other = FloorFactory(building=BuildingFactory(compound=world.compound, code="b2", name="2号楼"), level=2)
    html = as_user(world.alice).get(new_url(**place(world, floor=other.pk, step=3))).content.decode()
    assert re.search(r'<dd id="preview-place">\s*南院 1号楼\s*<a', html)


def test_photos_chosen_before_an_error_are_kept_for_the_next_submit(world, as_user, png, media):
    client = as_user(world.alice)
    url = new_url(**place(world, room=world.room.pk, step=3))
    key = "k" * 24
    first = client.post(url, {"title": "", "urgency": "urgent", "idempotency_key": key, "photos": [png("leak.png")]})
    assert first.status_code == 400
    html = first.content.decode()
    assert "该字段是必填项" in html and 'id="kept-photos"' in html and "1张照片" in html
    assert not ServiceRequest.objects.exists()
    second = client.post(url, {"title": "卫生间漏水", "urgency": "urgent", "idempotency_key": key})
    assert second.status_code == 302
    req = ServiceRequest.objects.get()
    assert [a.original_name for a in req.attachments.all()] == ["leak.png"]
    assert PhotoDrafts(world.alice.pk, key).names() == []


def test_kept_photos_count_towards_the_minimum_and_the_maximum(world, as_user, png, media):
    world.leak.min_photos = 1
    world.leak.save()
    client = as_user(world.alice)
    url = new_url(**place(world, room=world.room.pk, step=3))
    key = "m" * 24
    client.post(
        url, {"title": "", "urgency": "urgent", "idempotency_key": key, "photos": [png(f"{i}.png") for i in range(5)]}
    )
    too_many = client.post(
        url, {"title": "漏水", "urgency": "urgent", "idempotency_key": key, "photos": [png("a.png"), png("b.png")]}
    )
    assert too_many.status_code == 400 and "最多上传6张照片" in too_many.content.decode()
    ok = client.post(url, {"title": "漏水", "urgency": "urgent", "idempotency_key": key})
    assert ok.status_code == 302 and Attachment.objects.count() == 5


def test_nobody_claims_another_persons_kept_photos(world, as_user, png, media):
    url = new_url(**place(world, room=world.room.pk, step=3))
    key = "s" * 24
    as_user(world.alice).post(url, {"title": "", "urgency": "urgent", "idempotency_key": key, "photos": [png()]})
    as_user(world.erin).post(url, {"title": "我的", "urgency": "urgent", "idempotency_key": key})
    assert ServiceRequest.objects.get().requester == world.erin and not Attachment.objects.exists()
    assert len(PhotoDrafts(world.alice.pk, key).names()) == 1
    # a key that is not a plain token names no directory at all
    assert PhotoDrafts(world.alice.pk, "../../etc").dir == ""


def test_stale_drafts_are_cleared_by_the_nightly_job(world, png, media):
    drafts = PhotoDrafts(world.alice.pk, "t" * 24)
    drafts.keep([png()])
    assert PhotoDrafts.clear_stale(now=timezone.now()) == 0
    assert PhotoDrafts.clear_stale(now=timezone.now() + timedelta(days=2)) == 1
    assert drafts.names() == [] and default_storage.exists("filing-drafts")


def test_the_preview_follows_the_urgency(world, as_user):
    """Each urgency radio asks the page again with its value and swaps only #preview (htmx)."""
    client = as_user(world.alice)
    url = new_url(**place(world, room=world.room.pk, step=3))
    html = client.get(url).content.decode()
    radio = re.search(r'<input type="radio" name="urgency" value="critical"[^>]*>', html).group(0)
    assert 'hx-select="#preview"' in radio and 'hx-target="#preview"' in radio and 'hx-trigger="change"' in radio
    due = lambda page: re.search(r'id="preview-due"><strong>([^<]+)<', page).group(1)  # noqa: E731
    default = due(html)
    critical = client.get(url + "&urgency=critical").content.decode()
    assert due(critical) != default
    assert 'id="preview"' in critical
