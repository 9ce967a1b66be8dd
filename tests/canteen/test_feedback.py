"""Ratings only by those who ate; complaints as core requests that count in the SLA report and the scorecard."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from canteen.apps import COMPLAINT_KIND, complaint_guard
from canteen.models import ComplaintDetail, DishRating
from canteen.services import bookings, feedback
from tests.canteen.conftest import at, published_menu
from tests.web.images import png_bytes
from tickets.assessment import schemes, scorecards
from tickets.exceptions import ActionForbidden
from tickets.models import Attachment, ServiceRequest
from tickets.registry import GuardCall, get_kind
from tickets.reports.params import parse_report_params
from tickets.reports.selectors import sla_report
from tickets.services.transitions import transition

pytestmark = pytest.mark.django_db
DAY = date(2026, 5, 6)


@pytest.fixture
def dish(cw):
    menu = published_menu(cw, date(2026, 5, 4), now=at(2026, 4, 30, 9))
    return menu.dishes.get(date=DAY, name="红烧肉")


def test_only_those_who_booked_may_rate_after_the_meal(cw, dish):
    alice, uma = cw.core.alice, cw.core.uma
    bookings.booking_set(actor=alice, service=cw.lunch, day=DAY, eating=True, now=at(2026, 5, 5, 9))
    with pytest.raises(ValidationError) as exc:
        feedback.rating_add(actor=alice, dish=dish, stars=5, now=at(2026, 5, 6, 11))
    assert "开餐之后" in exc.value.message_dict["dish"][0]
    rating = feedback.rating_add(actor=alice, dish=dish, stars=4, comment="好吃", now=at(2026, 5, 6, 12, 30))
    assert rating.stars == 4
    with pytest.raises(ValidationError):
        feedback.rating_add(actor=alice, dish=dish, stars=5, now=at(2026, 5, 6, 12, 40))
    with pytest.raises(ActionForbidden) as exc:
        feedback.rating_add(actor=uma, dish=dish, stars=1, now=at(2026, 5, 6, 12, 30))  # same unit, did not book
    assert "没有报这一餐" in exc.value.message
    for who in (cw.core.erin, cw.olga):
        with pytest.raises(ActionForbidden):
            feedback.rating_add(actor=who, dish=dish, stars=1, now=at(2026, 5, 6, 12, 30))
    with pytest.raises(ValidationError):
        feedback.rating_add(actor=alice, dish=dish, stars=6, now=at(2026, 5, 6, 12, 30))
    assert DishRating.objects.count() == 1


def _complaint(cw, **kwargs):
    return feedback.complaint_file(
        actor=cw.core.alice,
        canteen=cw.canteen,
        category=cw.complaint_category,
        title="红烧肉太咸",
        description="午餐的红烧肉太咸了",
        service=cw.lunch,
        day=DAY,
        now=kwargs.pop("now", at(2026, 3, 10, 13, 0)),
        **kwargs,
    )


def test_complaint_is_a_core_request_routed_to_the_canteen_contractor(cw):
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    req = _complaint(cw, photos=[photo])
    assert req.kind == COMPLAINT_KIND and req.contractor_id == cw.canteen.contractor_id
    assert req.response_due is not None
    assert ComplaintDetail.objects.get(request=req).service == cw.lunch
    assert Attachment.objects.filter(request=req).count() == 1


def test_complaint_with_a_bad_photo_writes_nothing(cw):
    bad = SimpleUploadedFile("p.png", b"not an image", content_type="image/png")
    with pytest.raises(ValidationError):
        _complaint(cw, photos=[bad])
    assert not ServiceRequest.objects.exists() and not ComplaintDetail.objects.exists()


def test_complaint_from_another_unit_refused(cw):
    with pytest.raises(ActionForbidden):
        feedback.complaint_file(
            actor=cw.core.erin, canteen=cw.canteen, category=cw.complaint_category, title="x", now=at(2026, 3, 10)
        )
    assert not ServiceRequest.objects.exists()


def test_guard_refuses_contractor_staff_filing(cw):
    kind = get_kind(COMPLAINT_KIND)
    call = GuardCall(kind=kind, action="create", service_request=None, actor=cw.olga, now=at(2026, 3, 10), owner="")
    with pytest.raises(ActionForbidden):
        complaint_guard(call)
    complaint_guard(
        GuardCall(kind=kind, action="create", service_request=None, actor=cw.core.alice, now=at(2026, 3, 10), owner="")
    )
    assert kind.demo_loader == "canteen.demo:load_canteen_demo" and kind.tiles[0].url == "canteen:book"


def test_complaints_count_in_the_sla_report_and_the_scorecard(cw):
    on_time = _complaint(cw, now=at(2026, 3, 10, 9, 0))
    late = _complaint(cw, now=at(2026, 3, 11, 9, 0))
    transition(service_request=on_time, action="accept", actor=cw.olga, now=at(2026, 3, 10, 9, 30))
    transition(service_request=late, action="accept", actor=cw.olga, now=at(2026, 3, 12, 9, 0))
    params = parse_report_params(
        cw.core.dave, {"date_from": "2026-03-01", "date_to": "2026-03-31", "group_by": "contractor"}
    )
    row = next(r for r in sla_report(params, now=at(2026, 4, 1))["rows"] if r["key"] == cw.canteen.contractor_id)
    assert row["volume"] == 2
    assert row["response"]["on_time"] == 1 and row["response"]["late"] == 1

    schemes.scheme_save(
        actor=cw.cao,
        contract=cw.contract,
        indicators=[{"indicator": "response_on_time", "method": "weight", "weight": 100}],
    )
    card = scorecards.scorecard_draft(contract=cw.contract, month=date(2026, 3, 1), now=at(2026, 4, 1, 6))
    assert card.score == 50  # half the complaints answered in time: half the points
