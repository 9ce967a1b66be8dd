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
