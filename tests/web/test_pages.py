"""The web pages through the Django test client: who may see what, forms that keep what was typed, one request
per submit, and lists whose query count does not grow with their length."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets.models import Attachment, Complaint, Notification, ServiceRequest, Status
from tickets.services.transitions import transition

pytestmark = pytest.mark.django_db


def new_url(**params):
    from urllib.parse import urlencode

    return reverse("request-new") + ("?" + urlencode(params) if params else "")


# --- log-in, log-out, anonymous access -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [
        ("home", []),
        ("request-new", []),
        ("request-list", []),
        ("request-detail", [1]),
        ("workbench", []),
        ("my-tasks", []),
        ("console", []),
        ("complaints", []),
        ("notifications", []),
        ("qr-index", []),
        ("qr-sheet", [1]),
        ("qr-entry", ["abc"]),
    ],
)
def test_anonymous_is_sent_to_log_in(as_user, name, args):
    url = reverse(name, args=args)
    response = as_user().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_log_in_keeps_username_and_says_what_is_wrong(world, as_user):
    client = as_user()
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "用户名或密码不正确" in html
    assert 'value="alice"' in html
    response = client.post(reverse("login"), {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_home_has_one_entry_per_service_line(world, as_user):
    """The tiles come from the registry: the core's own (repair, cleaning, complaints) and each module's."""
    html = as_user(world.alice).get(reverse("home")).content.decode()
    for label in ("报修", "保洁", "用车", "报餐", "投诉建议"):
        assert f'<span class="tile-label">{label}</span>' in html
    assert 'href="/fleet/apply/"' in html


def test_contractor_staff_land_on_their_queue(world, as_user):
    assert as_user(world.bob).get(reverse("home"))["Location"] == reverse("workbench")
    assert as_user(world.wang).get(reverse("home"))["Location"] == reverse("my-tasks")


# --- filing -----------------------------------------------------------------------------------------------------


def test_filing_in_three_steps_shows_contractor_and_due_time(world, as_user):
    client = as_user(world.alice)
    step1 = client.get(new_url(line="property", root="repair")).content.decode()
    assert "漏水" in step1 and "保洁" not in step1.split("</h1>", 1)[1].split("<footer")[0]
    assert f"?category={world.repair.pk}&" not in step1  # a parent category cannot be filed
    step2 = client.get(new_url(category=world.leak.pk)).content.decode()
    assert 'name="compound"' in step2 and "<label" in step2
    # choosing the compound narrows the buildings (the htmx refresh asks the same URL)
    step2b = client.get(new_url(category=world.leak.pk, compound=world.compound.pk)).content.decode()
    assert "1号楼" in step2b
    step3 = client.get(new_url(category=world.leak.pk, compound=world.compound.pk, building=world.building.pk, step=3))
    html = step3.content.decode()
    assert step3.status_code == 200
    assert "恒安物业" in html and 'id="preview-due"' in html
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    response = client.post(
        step3.request["PATH_INFO"] + "?" + step3.request["QUERY_STRING"],
        {"title": "走廊灯不亮", "description": "三楼东侧", "urgency": "normal", "idempotency_key": key},
    )
    req = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("request-detail", args=[req.pk])
    assert (req.building, req.room, req.status, req.contractor) == (world.building, None, "submitted", world.contractor)


def test_field_errors_are_shown_in_place_and_keep_the_typed_text(world, as_user):
    client = as_user(world.alice)
    url = new_url(category=world.leak.pk, scan=world.room.pk)
    response = client.post(
        url, {"title": "", "description": "水一直在滴，很急", "urgency": "urgent", "idempotency_key": "k1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "该字段是必填项" in html
    assert "水一直在滴，很急" in html
    assert re.search(r'value="urgent"[^>]*checked', html)
    assert 'aria-invalid="true"' in html
    assert not ServiceRequest.objects.exists()


def test_a_bad_photo_is_refused_next_to_the_photo_field(world, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user(world.alice)
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post(
        new_url(category=world.leak.pk, scan=world.room.pk),
        {"title": "漏水", "urgency": "urgent", "idempotency_key": "k2", "photos": [bad]},
    )
    assert response.status_code == 400
    assert "只能上传" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_double_submit_files_one_request(world, as_user, png):
    client = as_user(world.alice)
    url = new_url(category=world.leak.pk, scan=world.room.pk)
    data = {"title": "漏水", "urgency": "urgent", "idempotency_key": "same-key-123"}
    first = client.post(url, {**data, "photos": [png()]})
    second = client.post(url, {**data, "photos": [png()]})
    assert ServiceRequest.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert Attachment.objects.count() == 1


def test_qr_link_fills_in_the_room_after_log_in(world, as_user):
    url = reverse("qr-entry", args=[world.room.qr_token])
    anonymous = as_user().get(url)
    assert anonymous["Location"] == f"{reverse('login')}?next={url}"
    client = as_user(world.alice)
    response = client.get(url)
    assert response.status_code == 302
    step1 = client.get(response["Location"]).content.decode()
    assert "扫码位置" in step1 and "301" in step1
    link = re.search(rf'href="(\?category={world.leak.pk}[^"]*)"', step1).group(1).replace("&amp;", "&")
    assert f"scan={world.room.pk}" in link
    step3 = client.get(reverse("request-new") + link)
    assert 'name="title"' in step3.content.decode()  # the place step is skipped
    assert as_user(world.alice).get(reverse("qr-entry", args=["no-such-token"])).status_code == 404


def test_qr_sheet_has_one_inline_svg_per_room(world, as_user):
    from tests.factories import RoomFactory

    RoomFactory(floor=world.room.floor, number="302")
    response = as_user(world.carol).get(reverse("qr-sheet", args=[world.building.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 2
    assert world.room.qr_token in html
    assert as_user(world.alice).get(reverse("qr-sheet", args=[world.building.pk])).status_code == 403


# --- the request page and its actions ---------------------------------------------------------------------------


def test_only_those_who_may_see_a_request_can_open_it(world, as_user, file_request):
    req = file_request()
    url = reverse("request-detail", args=[req.pk])
    for user in (world.alice, world.bob, world.wang, world.carol, world.uma):
        assert as_user(user).get(url).status_code == 200, user
    for user in (world.erin, world.zed, world.vic):
        response = as_user(user).get(url)
        assert response.status_code == 404, user
        assert "页面不存在" in response.content.decode()
    assert as_user(world.erin).post(reverse("request-action", args=[req.pk, "cancel"])).status_code == 404


def test_the_whole_repair_through_the_pages(world, as_user, file_request, png):
    req = file_request()
    act = lambda user, action, data=None: as_user(user).post(  # noqa: E731
        reverse("request-action", args=[req.pk, action]), data or {}
    )
    assert act(world.bob, "assign", {"assign-assignee": world.wang.pk}).status_code == 302
    assert act(world.wang, "accept").status_code == 302
    assert act(world.wang, "start").status_code == 302
    response = act(world.wang, "resolve", {"resolve-note": "更换阀门", "resolve-photos": [png("done.png")]})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.RESOLVED and req.attachments.get().original_name == "done.png"
    page = as_user(world.alice).get(reverse("request-detail", args=[req.pk])).content.decode()
    assert (
        "确认并评价" in page and "更换阀门" in page and reverse("attachment", args=[req.attachments.get().pk]) in page
    )
    assert as_user(world.alice).get(reverse("attachment", args=[req.attachments.get().pk])).status_code == 200
    assert as_user(world.erin).get(reverse("attachment", args=[req.attachments.get().pk])).status_code == 404
    assert act(world.alice, "rate", {"rate-rating": "5", "rate-comment": "很快"}).status_code == 302
    req.refresh_from_db()
    assert (req.status, req.rating) == (Status.CLOSED, 5)


def test_action_errors_stay_next_to_their_fields(world, as_user, file_request):
    req = file_request()
    transition(service_request=req, action="accept", actor=world.wang)
    response = as_user(world.wang).post(
        reverse("request-action", args=[req.pk, "hold"]), {"hold-hold_reason": "", "hold-note": "等配件到货"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "等配件到货" in html and "该字段是必填项" in html
    response = as_user(world.wang).post(reverse("request-action", args=[req.pk, "resolve"]), {"resolve-note": " "})
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()


def test_a_move_the_state_does_not_allow_is_a_message_or_409(world, as_user, file_request):
    req = file_request()
    transition(service_request=req, action="cancel", actor=world.alice)
    client = as_user(world.wang)
    response = client.post(reverse("request-action", args=[req.pk, "accept"]), follow=True)
    assert "不能受理" in response.content.decode()
    htmx = client.post(reverse("request-action", args=[req.pk, "accept"]), HTTP_HX_REQUEST="true")
    assert htmx.status_code == 409


def test_a_role_that_may_not_act_gets_403(world, as_user, file_request):
    req = file_request()
    response = as_user(world.alice).post(reverse("request-action", args=[req.pk, "accept"]))
    assert response.status_code == 403
    assert "无权" in response.content.decode()


def test_requester_cancels_and_comments(world, as_user, file_request):
    req = file_request()
    client = as_user(world.alice)
    assert client.post(reverse("request-comment", args=[req.pk]), {"comment-body": ""}).status_code == 400
    assert client.post(reverse("request-comment", args=[req.pk]), {"comment-body": "请上午来"}).status_code == 302
    # cancelling is a form with a reason, not one tap
    no_reason = client.post(reverse("request-action", args=[req.pk, "cancel"]))
    assert no_reason.status_code == 400 and "取消原因" in no_reason.content.decode()
    req.refresh_from_db()
    assert req.status == Status.SUBMITTED
    response = client.post(reverse("request-action", args=[req.pk, "cancel"]), {"cancel-note": "已自行修好"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.CANCELLED
    assert req.events.get(action="cancel").note == "已自行修好"
    # a finished request takes no more comments (409 semantics: a message, nothing written)
    closed = client.post(reverse("request-comment", args=[req.pk]), {"comment-body": "还有一个问题"}, follow=True)
    assert "不能再留言" in closed.content.decode()
    assert req.comments.count() == 1
    assert "请上午来" in client.get(reverse("request-detail", args=[req.pk])).content.decode()


# --- workbench and console ----------------------------------------------------------------------------------------


def test_workbench_shows_only_the_contractors_own_queue(world, as_user, file_request):
    req = file_request()
    assert req.number in as_user(world.bob).get(reverse("workbench")).content.decode()
    assert req.number in as_user(world.wang).get(reverse("workbench")).content.decode()
    assert req.number not in as_user(world.zed).get(reverse("workbench")).content.decode()
    assert as_user(world.alice).get(reverse("workbench")).status_code == 403
    assert req.number not in as_user(world.wang).get(reverse("my-tasks")).content.decode()
    transition(service_request=req, action="assign", actor=world.bob, assignee=world.wang)
    assert req.number in as_user(world.wang).get(reverse("my-tasks")).content.decode()


def test_workbench_sorts_by_due_and_filters(world, as_user, file_request):
    slow = file_request(title="慢的", urgency="scheduled")
    fast = file_request(title="急的", urgency="critical")
    html = as_user(world.bob).get(reverse("workbench")).content.decode()
    assert html.index(fast.number) < html.index(slow.number)
    assert "sla-green" in html
    filtered = as_user(world.bob).get(reverse("workbench") + "?urgency=critical").content.decode()
    assert fast.number in filtered and slow.number not in filtered


def test_quick_action_on_a_queue_row_swaps_the_row(world, as_user, file_request):
    req = file_request()
    response = as_user(world.wang).post(
        reverse("request-action", args=[req.pk, "accept"]), {"row": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'id="row-{req.pk}"' in response.content.decode()
    req.refresh_from_db()
    assert req.status == Status.ACCEPTED


def test_console_is_for_the_bureau_only(world, as_user, file_request):
    req = file_request()
    html = as_user(world.carol).get(reverse("console")).content.decode()
    assert "恒安物业" in html and "本月满意度" in html
    assert as_user(world.dave).get(reverse("console")).status_code == 200
    for user in (world.wang, world.bob, world.alice):
        assert as_user(user).get(reverse("console")).status_code == 403
        assert as_user(user).get(reverse("complaints")).status_code == 403
    assert "恒安物业" not in as_user(world.vic).get(reverse("console")).content.decode()
    assert req.pk


def test_bureau_reassigns_and_rejects(world, as_user, file_request):
    from datetime import date
    from decimal import Decimal

    from tickets.models import Contract

    other = Contract.objects.create(
        code="WY2",
        name="顺达合同",
        contractor=world.other_contractor,
        service_line="property",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        sla_policy=world.policy,
        calendar=world.calendar,
        monthly_fee=Decimal("1"),
    )
    other.compounds.add(world.compound)
    req = file_request()
    client = as_user(world.carol)
    bad = client.post(reverse("request-action", args=[req.pk, "reassign"]), {"reassign-contract": other.pk})
    assert bad.status_code == 400 and "该字段是必填项" in bad.content.decode()
    ok = client.post(
        reverse("request-action", args=[req.pk, "reassign"]),
        {"reassign-contract": other.pk, "reassign-note": "原服务商人手不足"},
    )
    assert ok.status_code == 302
    req.refresh_from_db()
    assert req.contractor == world.other_contractor
    assert (
        client.post(reverse("request-action", args=[req.pk, "reject"]), {"reject-note": "重复提交"}).status_code == 302
    )
    req.refresh_from_db()
    assert req.status == Status.REJECTED


def test_low_rating_lands_in_the_complaint_queue_and_is_called_back(world, as_user, file_request):
    req = file_request()
    for action in ("accept", "start"):
        transition(service_request=req, action=action, actor=world.wang)
    transition(service_request=req, action="resolve", actor=world.wang, note="已修")
    as_user(world.alice).post(
        reverse("request-action", args=[req.pk, "rate"]), {"rate-rating": "1", "rate-comment": "没修好"}
    )
    complaint = Complaint.objects.get()
    client = as_user(world.carol)
    assert "没修好" in client.get(reverse("complaints")).content.decode()
    bad = client.post(reverse("complaint-callback", args=[complaint.pk]), {f"c{complaint.pk}-note": ""})
    assert bad.status_code == 400 and "该字段是必填项" in bad.content.decode()
    ok = client.post(
        reverse("complaint-callback", args=[complaint.pk]),
        {f"c{complaint.pk}-note": "已电话回访", f"c{complaint.pk}-close": "on"},
    )
    assert ok.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == Complaint.State.CLOSED


# --- notifications ------------------------------------------------------------------------------------------------


def test_unread_badge_and_marking_read(world, as_user, file_request):
    req = file_request()
    client = as_user(world.bob)
    assert Notification.objects.filter(recipient=world.bob, read_at__isnull=True).count() == 1
    html = client.get(reverse("notifications")).content.decode()
    assert '<span class="badge"' in html and req.number in html
    assert '<span class="badge"' in client.get(reverse("notifications-badge")).content.decode()
    note = Notification.objects.get(recipient=world.bob)
    assert client.get(reverse("notification-open", args=[note.pk]))["Location"] == reverse(
        "request-detail", args=[req.pk]
    )
    assert client.get(reverse("notifications-badge")).content.decode().strip() == ""
    assert as_user(world.alice).get(reverse("notification-open", args=[note.pk])).status_code == 404
    transition(service_request=req, action="accept", actor=world.wang)
    alice = as_user(world.alice)
    assert alice.post(reverse("notifications-read")).status_code == 302
    assert not Notification.objects.filter(recipient=world.alice, read_at__isnull=True).exists()


# --- query counts do not grow with the rows -----------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "who,url",
    [
        ("alice", "request-list"),
        ("bob", "workbench"),
        ("wang", "my-tasks"),
        ("carol", "console"),
        ("bob", "notifications"),
        ("carol", "complaints"),
    ],
)
def test_list_pages_cost_the_same_for_5_or_30_rows(world, as_user, file_request, who, url):
    user = getattr(world, who)
    client = as_user(user)

    def add(n):
        for i in range(n):
            req = file_request(title=f"请求{i}")
            transition(service_request=req, action="assign", actor=world.bob, assignee=world.wang)

    add(5)
    cache.clear()  # both counts cold: the session and the console's trend charts are kept in the cache
    few = _count(client, reverse(url))
    add(25)
    cache.clear()
    many = _count(client, reverse(url))
    assert many == few, (few, many)


# --- English --------------------------------------------------------------------------------------------------------


def test_pages_speak_english_when_asked(world, as_user, file_request):
    req = file_request()
    client = as_user(world.alice, language="en")
    home = client.get(reverse("home")).content.decode()
    assert "My requests" in home and "Repair" in home and "Log out" in home
    detail = client.get(reverse("request-detail", args=[req.pk])).content.decode()
    assert "Submitted" in detail and "Timeline" in detail
    assert "Workbench" in as_user(world.bob, language="en").get(reverse("workbench")).content.decode()
    assert "Dashboard" in as_user(world.carol, language="en").get(reverse("console")).content.decode()
