"""A departure or return time entered by hand lies within the trip's booked slot, give or take a day (#12 §5): a
time years in the past is refused on the field, through the services and the API, and nothing is written."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ValidationError

from fleet import steps
from fleet.models import TripStage, VehicleTrip
from tests.fleet.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(fleet, approved):
    trip = approved()
    steps.trip_dispatch(trip=trip, actor=fleet.dan, vehicle=fleet.car, driver=fleet.du, now=at(3, 10, 10))
    return trip


def test_a_departure_years_before_the_slot_is_refused_on_the_field(fleet, dispatched):
    with pytest.raises(ValidationError) as err:
        steps.trip_depart(
            trip=dispatched, actor=fleet.du.user, odometer=12000, at=at(3, 10, 14, year=2023), now=at(3, 10, 14)
        )
    assert "用车时段前后 24 小时内" in err.value.message_dict["at"][0]
    assert VehicleTrip.objects.get(pk=dispatched.pk).stage == TripStage.DISPATCHED


def test_a_return_days_after_the_slot_is_refused_and_one_within_a_day_is_kept(fleet, dispatched):
    steps.trip_depart(trip=dispatched, actor=fleet.du.user, odometer=12000, at=at(3, 10, 14), now=at(3, 10, 14))
    with pytest.raises(ValidationError) as err:
        steps.trip_return(trip=dispatched, actor=fleet.du.user, odometer=12040, at=at(3, 13, 9), now=at(3, 13, 10))
    assert "at" in err.value.message_dict
    trip = steps.trip_return(trip=dispatched, actor=fleet.du.user, odometer=12040, at=at(3, 11, 9), now=at(3, 11, 10))
    assert trip.returned_at == at(3, 11, 9)


def test_the_api_answers_400_on_the_field_in_the_callers_language(fleet, dispatched, api):
    with time_machine.travel(at(3, 10, 14), tick=False):
        client = api(fleet.du.user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.post(
            f"/api/v1/fleet/trips/{dispatched.pk}/depart/",
            {"odometer": 12000, "at": "2001-03-10T14:00:00+08:00"},
            format="json",
        )
        assert response.status_code == 400
        assert "within 24 hours of the booked slot" in response.data["at"][0]
        huge = client.post(f"/api/v1/fleet/trips/{dispatched.pk}/depart/", {"odometer": 2**40}, format="json")
        assert huge.status_code == 400 and "odometer" in huge.data
    assert VehicleTrip.objects.get(pk=dispatched.pk).out_at is None


def test_long_places_fit_the_trips_request_title(apply):
    """The core request's title is "用车：<origin> → <destination>": two 200-character places would overflow its 200
    characters (a 500 on PostgreSQL). It is cut with an ellipsis; the places are kept whole on the trip."""
    trip = apply(origin="东" * 200, destination="西" * 200)
    title = trip.request.title
    assert len(title) == 200 and title.startswith("用车：东") and title.endswith("…")
    assert VehicleTrip.objects.get(pk=trip.pk).destination == "西" * 200
