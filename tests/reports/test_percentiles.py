"""The percentile function: hand-computed values; on PostgreSQL both SQL variants agree exactly."""

import pytest
from django.db import connection

from tickets.models import ServiceRequest
from tickets.reports.sql import duration_percentiles

pytestmark = pytest.mark.django_db


def test_linear_interpolation_by_group(world, report_data):
    qs = ServiceRequest.objects.filter(created_at__month=3)
    result = duration_percentiles(qs, group_field="contractor")
    a = result[world.contractor.pk]
    b = result[world.other_contractor.pk]
    # A: 10..100 → h = p × 9: p50 = x4 + 0.5 × (x5 − x4) = 55; p90 = 90 + 0.1 × 10 = 91; p95 = 90 + 0.55 × 10 = 95.5
    assert [round(a["response_minutes"][p], 6) for p in (0.5, 0.9, 0.95)] == [55.0, 91.0, 95.5]
    assert [round(a["resolution_minutes"][p], 6) for p in (0.5, 0.9, 0.95)] == [550.0, 910.0, 955.0]
    # B: 5, 7, 100 (one NULL left out) → h = p × 2: p50 = 7; p90 = 7 + 0.8 × 93 = 81.4; p95 = 7 + 0.9 × 93 = 90.7
    assert [round(b["response_minutes"][p], 6) for p in (0.5, 0.9, 0.95)] == [7.0, 81.4, 90.7]
    assert b["resolution_minutes"] == {0.5: None, 0.9: None, 0.95: None}


def test_one_group_and_single_value(world, report_data):
    total = duration_percentiles(ServiceRequest.objects.filter(created_at__month=3), group_field=None)[None]
    # 13 values 5, 7, 10 … 100, 100 → h = p × 12: p50 = x6 = 50; p90 = 90 + 0.8 × 10 = 98; p95 = 100
    assert [round(total["response_minutes"][p], 6) for p in (0.5, 0.9, 0.95)] == [50.0, 98.0, 100.0]
    one = ServiceRequest.objects.filter(response_minutes=5)
    single = duration_percentiles(one, group_field=None)[None]["response_minutes"]
    assert single == {0.5: 5.0, 0.9: 5.0, 0.95: 5.0}


@pytest.mark.postgres
def test_window_variant_equals_percentile_cont_on_postgresql(world, report_data):
    assert connection.vendor == "postgresql"
    qs = ServiceRequest.objects.all()
    for group in ("contractor", "urgency", None):
        cont = duration_percentiles(qs, group_field=group, variant="percentile_cont")
        window = duration_percentiles(qs, group_field=group, variant="window")
        assert cont == window  # bit-identical floats, not just close


@pytest.mark.postgres
def test_variants_agree_on_awkward_counts(world):
    """Counts where p × (n − 1) is not exact in binary (n = 21, 41 …) must still pick the same ranks."""
    from tests.reports.data import _request, local

    for n in (2, 3, 7, 20, 21, 41, 61):
        for i in range(n):
            _request(
                world, world.contractor, local(2026, 5, 1 + (i % 28), 9, 0), resp=(i * 37) % 101 + n, title=f"g{n}"
            )
    qs = ServiceRequest.objects.all()
    cont = duration_percentiles(qs, group_field="title", variant="percentile_cont")
    window = duration_percentiles(qs, group_field="title", variant="window")
    assert len(cont) == 7
    assert cont == window


def test_histogram_variant_equals_the_window_variant(world, report_data):
    """SQLite's default (counts per distinct minute value, ranks picked from the cumulative counts) gives the same
    floats as the window functions, by group and in total."""
    from tests.reports.data import _request, local

    for n in (2, 3, 7, 20, 21, 41):
        for i in range(n):
            _request(
                world, world.contractor, local(2026, 5, 1 + (i % 28), 9, 0), resp=(i * 37) % 101 + n, title=f"g{n}"
            )
    qs = ServiceRequest.objects.all()
    for group in ("contractor", "urgency", "title", None):
        window = duration_percentiles(qs, group_field=group, variant="window", with_total=True)
        histogram = duration_percentiles(qs, group_field=group, variant="histogram", with_total=True)
        assert histogram == window
        if connection.vendor == "postgresql":
            assert histogram == duration_percentiles(qs, group_field=group, variant="percentile_cont", with_total=True)
