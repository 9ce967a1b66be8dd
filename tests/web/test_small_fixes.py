"""Smaller defects a person met on the pages (issue #16, item 8)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tickets.exceptions import TransitionNotAllowed
from tickets.models import Comment, ServiceRequest, Status
from tickets.services.comments import comment_add
from tickets.services.common import MAX_TEXT
from tickets.services.feedback import feedback_submit
from tickets.services.transitions import transition

pytestmark = pytest.mark.django_db


def resolved(world, file_request):
    req = file_request()
    transition(service_request=req, action="accept", actor=world.wang)
    transition(service_request=req, action="resolve", actor=world.wang, note="修好了")
    return req


def test_rating_a_request_twice_or_before_it_is_resolved_says_rating(world, file_request, as_user):
    req = resolved(world, file_request)
    feedback_submit(service_request=req, actor=world.alice, rating=5)
    with pytest.raises(TransitionNotAllowed, match="该请求已评价"):
        feedback_submit(service_request=req, actor=world.alice, rating=1, comment="不好")
    fresh = file_request(title="另一件")
    with pytest.raises(TransitionNotAllowed, match="不能评价"):
        feedback_submit(service_request=fresh, actor=world.alice, rating=5)
    page = (
        as_user(world.alice)
        .post(reverse("request-action", args=[req.pk, "rate"]), {"rate-rating": "4"}, follow=True)
        .content.decode()
    )
    assert "该请求已评价" in page and "不能重开" not in page and "不能确认" not in page
    api = as_user(world.alice).post(
        f"/api/v1/requests/{req.pk}/feedback/", {"rating": 4}, content_type="application/json"
    )
    assert api.status_code == 409


def test_a_description_or_comment_longer_than_the_limit_is_refused(world, file_request, as_user):
    from tickets.services.requests import request_create

    long = "水" * (MAX_TEXT + 1)
    with pytest.raises(Exception, match="描述不能超过"):
        request_create(actor=world.alice, category=world.leak, title="漏水", description=long, room=world.room)
    api = as_user(world.alice).post(
        "/api/v1/requests/",
        {"category": world.leak.pk, "title": "漏水", "description": "水" * 200_000, "room": world.room.pk},
        content_type="application/json",
    )
    assert api.status_code == 400 and "description" in api.json()
    req = file_request()
    comment = as_user(world.alice).post(reverse("request-comment", args=[req.pk]), {"comment-body": long})
    assert comment.status_code == 400 and not Comment.objects.exists()
    assert ServiceRequest.objects.count() == 1


def test_comments_on_a_finished_request_are_refused(world, file_request, as_user):
    req = file_request()
    transition(service_request=req, action="cancel", actor=world.alice, note="不需要了")
    with pytest.raises(TransitionNotAllowed, match="不能再留言"):
        comment_add(service_request=req, actor=world.alice, body="还在吗")
    api = as_user(world.alice).post(
        f"/api/v1/requests/{req.pk}/comments/", {"body": "还在吗"}, content_type="application/json"
    )
    assert api.status_code == 409 and not Comment.objects.exists()


def test_cancelling_asks_for_a_reason_in_a_second_step(world, file_request, as_user):
    req = file_request()
    html = as_user(world.alice).get(reverse("request-detail", args=[req.pk])).content.decode()
    assert 'id="form-cancel"' in html and "取消原因" in html
    assert f'action="{reverse("request-action", args=[req.pk, "cancel"])}" class="inline"' not in html
    req.refresh_from_db()
    assert req.status == Status.SUBMITTED


def test_the_drill_down_title_is_in_words(world, as_user):
    from datetime import date

    today = date.today().isoformat()
    html = (
        as_user(world.carol)
        .get("/reports/sla/requests/", {"date_from": today, "date_to": today, "metric": "response_late"})
        .content.decode()
    )
    assert "受理超时" in html and "response_late" not in html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_the_api_root_links_each_list_to_the_api(world, as_user):
    root = as_user(world.alice).get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert root["requests"].endswith("/api/v1/requests/")
    assert all("/api/v1/" in url for url in root.values())


def test_the_bureau_lands_on_its_console(world, as_user):
    for user in (world.carol, world.dave):
        response = as_user(user).get(reverse("home"))
        assert response.status_code == 302 and response["Location"] == reverse("console")
    assert as_user(world.alice).get(reverse("home")).status_code == 200
    assert "提交请求" in as_user(world.carol).get(reverse("console")).content.decode()


def test_the_favicon_is_served(as_user):
    response = as_user().get("/favicon.ico", follow=True)
    assert response.status_code == 200 and response.redirect_chain[0][0].endswith("tickets/favicon.svg")


def test_a_person_makes_and_revokes_their_own_api_token(world, as_user):
    from rest_framework.authtoken.models import Token

    client = as_user(world.alice)
    assert "您还没有 API 令牌" in client.get(reverse("api-token")).content.decode()
    made = client.post(reverse("api-token-issue"))
    key = Token.objects.get(user=world.alice).key
    assert made.status_code == 200 and key in made.content.decode() and made["Cache-Control"] == "no-store"
    # the key is shown once: afterwards only its last four characters
    later = client.get(reverse("api-token")).content.decode()
    assert key not in later and key[-4:] in later
    api = as_user().get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 200
    # a new one replaces the old
    client.post(reverse("api-token-issue"))
    assert as_user().get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    client.post(reverse("api-token-revoke"))
    assert not Token.objects.filter(user=world.alice).exists()
    # nobody touches another's token: the pages act on the logged-in person only
    as_user(world.erin).post(reverse("api-token-issue"))
    as_user(world.alice).post(reverse("api-token-revoke"))
    assert Token.objects.filter(user=world.erin).exists()
    assert as_user().get(reverse("api-token")).status_code == 302
    assert as_user().post(reverse("api-token-issue")).status_code == 302 and Token.objects.count() == 1
    assert as_user(world.alice).get(reverse("api-token-issue")).status_code == 405
