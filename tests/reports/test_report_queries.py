"""The report's speed-ups give the same figures as the plain queries they replace."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Count
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from tests.reports.data import MARCH, NOW
from tickets.models import ServiceRequest
from tickets.reports.params import parse_report_params
from tickets.reports.selectors import sla_trend, trend_buckets
from tickets.reports.sql import TOTAL, duration_percentiles

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("variant", ["window", "percentile_cont"])
@pytest.mark.parametrize("group", ["contractor", "urgency", None])
def test_totals_in_the_same_query_equal_a_query_of_their_own(world, report_data, variant, group):
    from django.db import connection

    if variant == "percentile_cont" and connection.vendor != "postgresql":
        pytest.skip("percentile_cont is PostgreSQL's")
    qs = ServiceRequest.objects.all()
    both = duration_percentiles(qs, group_field=group, variant=variant, with_total=True)
    total = both.pop(TOTAL)
    assert both == duration_percentiles(qs, group_field=group, variant=variant)
    assert total == duration_percentiles(qs, group_field=None, variant=variant)[None]


@pytest.mark.parametrize(
    "period",
    [MARCH, {"date_from": "2026-01-01", "date_to": "2026-12-31"}, {"date_from": "2026-02-20", "date_to": "2026-03-05"}],
)
def test_trend_buckets_equal_truncating_in_local_time(world, report_data, period):
    params = parse_report_params(world.dave, {**period, "group_by": "contractor"})
    trend = sla_trend(params, now=NOW)
    by_day = (params.date_to - params.date_from).days < 62
    tz = timezone.get_current_timezone()
    trunc = TruncDate("created_at", tzinfo=tz) if by_day else TruncMonth("created_at", tzinfo=tz)
    plain = (
        ServiceRequest.objects.filter(params.filter_q())
        .order_by()
        .annotate(bucket=trunc)
        .values("bucket")
        .annotate(n=Count("id"))
        .order_by("bucket")
    )
    expected = [(r["bucket"].isoformat()[:10] if by_day else r["bucket"].strftime("%Y-%m"), r["n"]) for r in plain]
    assert expected and [(t["bucket"], t["volume"]) for t in trend] == expected


def test_buckets_cover_the_period():
    class P:
        date_from, date_to = date(2025, 11, 15), date(2026, 2, 3)

    months = trend_buckets(P)  # type: ignore[arg-type]
    assert [label for label, _start in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    P.date_from, P.date_to = date(2026, 2, 27), date(2026, 3, 2)
    days = trend_buckets(P)  # type: ignore[arg-type]
    assert [label for label, _start in days] == ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
    assert days[1][1] - days[0][1] == timedelta(days=1)
