"""The demo loader: inspections and signed scorecards for the past months, idempotent."""

import pytest

from tests.reports.data import local
from tickets.assessment.demo import load_reports_demo
from tickets.models import Inspection, Scorecard

pytestmark = pytest.mark.django_db


def test_demo_history(world):
    counts = load_reports_demo(now=local(2026, 4, 10, 9, 0))
    # WY-2026 started in January: January to March, two visits a month at its one compound
    assert counts["scorecards"] == 3
    assert Scorecard.objects.filter(contract=world.contract, state="signed").count() == 3
    assert Inspection.objects.filter(contract=world.contract).count() == 6
    again = load_reports_demo(now=local(2026, 4, 10, 9, 0))
    assert again == {"inspections": 0, "scorecards": 0, "penalties": 0}


def test_demo_history_dates_nothing_after_the_load(world):
    # As the beat and the bureau would have left it: March's draft appears at 06:30 on April 1st, its signature
    # three days later; nothing is stamped after the moment of loading.
    cards = Scorecard.objects.filter(contract=world.contract).order_by("month")  # read afresh with .all()
    before_the_job = local(2026, 4, 1, 5, 0)
    load_reports_demo(now=before_the_job)
    assert [(c.month.month, c.state) for c in cards.all()] == [(1, "signed"), (2, "signed")]

    after_the_job = local(2026, 4, 1, 10, 0)
    load_reports_demo(now=after_the_job)
    assert [(c.month.month, c.state) for c in cards.all()] == [(1, "signed"), (2, "signed"), (3, "draft")]
    assert not cards.filter(signed_at__gt=after_the_job).exists()
    assert not cards.filter(created_at__gt=after_the_job).exists()
    assert not Inspection.objects.filter(inspected_at__gt=after_the_job).exists()

    load_reports_demo(now=local(2026, 4, 4, 7, 0))
    assert cards.get(month__month=3).state == "signed"
