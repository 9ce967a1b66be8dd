"""留样 and waste: flags at 125 g and 48 h, refusals for future times and negative weights, rectification."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from canteen.models import FoodSample, WasteLog
from canteen.services import logs
from tests.canteen.conftest import at
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import ServiceRequest

pytestmark = pytest.mark.django_db
NOW = at(2026, 5, 6, 12, 0)


def _sample(cw, weight="150", taken=None):
    return logs.sample_record(
        actor=cw.kai,
        canteen=cw.canteen,
        dish_name="红烧肉",
        weight_g=weight,
        taken_at=taken or at(2026, 5, 6, 11, 40),
        keeper="周师傅",
        now=NOW,
    )


def test_sample_ok_kept_48_hours(cw):
    sample = _sample(cw)
    assert not sample.flagged
    sample = logs.sample_dispose(
        actor=cw.olga, sample=sample, disposed_at=at(2026, 5, 8, 11, 40), now=at(2026, 5, 8, 12)
    )
    assert not sample.flagged


def test_sample_under_125_g_flagged(cw):
    sample = _sample(cw, weight="124.9")
    assert sample.underweight and sample.flagged
    assert "不足 125 克" in logs.sample_problems(sample)[0]
    assert not _sample(cw, weight="125").underweight


def test_sample_disposed_before_48_hours_flagged(cw):
    sample = _sample(cw)
    disposed = sample.taken_at + timedelta(hours=47, minutes=59)
    sample = logs.sample_dispose(actor=cw.kai, sample=sample, disposed_at=disposed, now=at(2026, 5, 9))
    assert sample.early_disposal
    with pytest.raises(TransitionNotAllowed):
        logs.sample_dispose(actor=cw.kai, sample=sample, disposed_at=at(2026, 5, 9), now=at(2026, 5, 9))


@pytest.mark.parametrize(
    ("weight", "taken", "field"),
    [
        ("-5", None, "weight_g"),
        ("0", None, "weight_g"),
        ("abc", None, "weight_g"),
        ("150", (2026, 5, 6, 12, 1), "taken_at"),
    ],
)
def test_bad_sample_refused_and_nothing_written(cw, weight, taken, field):
    with pytest.raises(ValidationError) as exc:
        _sample(cw, weight=weight, taken=at(*taken) if taken else None)
    assert field in exc.value.message_dict
    assert not FoodSample.objects.exists()


def test_dispose_in_future_or_before_taken_refused(cw):
    sample = _sample(cw)
    for when in (at(2026, 5, 6, 12, 5), at(2026, 5, 6, 11, 0)):
        with pytest.raises(ValidationError):
            logs.sample_dispose(actor=cw.kai, sample=sample, disposed_at=when, now=NOW)
    sample.refresh_from_db()
    assert sample.disposed_at is None


def test_only_the_operator_records(cw):
    for someone in (cw.xu, cw.cao, cw.core.alice):
        with pytest.raises(ActionForbidden):
            logs.sample_record(
                actor=someone, canteen=cw.canteen, dish_name="x", weight_g="150", taken_at=NOW, keeper="k", now=NOW
            )
    assert not FoodSample.objects.exists()


def test_flagged_sample_becomes_a_rectification_request_once(cw):
    sample = _sample(cw, weight="90")
    with pytest.raises(ActionForbidden):
        logs.sample_rectify(actor=cw.olga, sample=sample, now=NOW)
    req = logs.sample_rectify(actor=cw.cao, sample=sample, now=NOW)
    again = logs.sample_rectify(actor=cw.cao, sample=FoodSample.objects.get(pk=sample.pk), now=NOW)
    assert req.pk == again.pk and ServiceRequest.objects.count() == 1
    assert req.contractor_id == cw.canteen.contractor_id
    assert "不足 125 克" in req.description
    with pytest.raises(TransitionNotAllowed):
        logs.sample_rectify(actor=cw.cao, sample=_sample(cw), now=NOW)


def test_waste_record_and_correction(cw):
    logs.waste_record(actor=cw.kai, canteen=cw.canteen, day=date(2026, 5, 6), waste_kg="12.5", diners=250, now=NOW)
    logs.waste_record(actor=cw.kai, canteen=cw.canteen, day=date(2026, 5, 6), waste_kg="11", diners=250, now=NOW)
    assert WasteLog.objects.get().waste_kg == 11
    with pytest.raises(ValidationError) as exc:
        logs.waste_record(actor=cw.kai, canteen=cw.canteen, day=date(2026, 5, 7), waste_kg="-1", diners=0, now=NOW)
    assert set(exc.value.message_dict) == {"waste_kg", "diners", "date"}
    assert WasteLog.objects.count() == 1
