"""A small fixed data set for the SLA report, with every figure computed by hand in the tests.

March 2026, category 漏水, compound 南院. Times are local (Asia/Shanghai). For each row the response is due 60
minutes after creation and happens `resp` minutes after it (so resp > 60 is late); the stored business
minutes equal the wall-clock minutes.

Contractor 恒安物业 (A), 10 requests, all resolved 10×resp minutes after creation (due after 480 minutes):
  resp      10  20  30  40  50  60  70  80  90  100
  resolve  100 200 300 400 500 600 700 800 900 1000
  rating     5   5   4   3   1   —   —   —   —   —
  reopened   1   1   0 ...
  breach flags set on resp 70, 80, 90 (the sweeper missed 100, the report still counts it late)
  one complaint, 2026-03-15
Contractor 顺达物业 (B), 4 open requests in March and 1 open from February:
  created  03-31 12:00 (resp 5), 03-29 12:00 (resp 7), 03-26 12:00 (resp 100), 03-10 09:00 (no response,
  flagged), 02-20 09:00 (no response; backlog only)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tickets.models import Complaint, ServiceRequest, Status

TZ = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


NOW = local(2026, 4, 15, 10, 0)


def _request(
    world, contractor, created, *, resp=None, res=None, rating=None, reopen=0, flagged=False, title="", compound=None
):
    responded = created + timedelta(minutes=resp) if resp is not None else None
    resolved = created + timedelta(minutes=res) if res is not None else None
    return ServiceRequest.objects.create(
        kind="property",
        category=world.leak,
        service_line="property",
        urgency="urgent",
        title=title or f"漏水 {created:%m-%d %H:%M}",
        requester=world.alice,
        filed_by=world.alice,
        unit=world.unit,
        compound=compound or world.compound,
        building=None if compound else world.building,
        status=Status.CLOSED if resolved else Status.ACCEPTED if responded else Status.SUBMITTED,
        contractor=contractor,
        contract=world.contract if contractor == world.contractor else None,
        clock_started_at=created,
        response_due=created + timedelta(minutes=60),
        resolution_due=created + timedelta(minutes=480),
        responded_at=responded,
        resolved_at=resolved,
        closed_at=resolved + timedelta(hours=1) if resolved else None,
        response_minutes=resp,
        resolution_minutes=res,
        response_breached=flagged,
        rating=rating,
        reopen_count=reopen,
        created_at=created,
        updated_at=created,
    )


def build_report_data(world):
    a, b = world.contractor, world.other_contractor
    ratings = [5, 5, 4, 3, 1, None, None, None, None, None]
    rows_a = []
    for i, resp in enumerate(range(10, 101, 10)):
        rows_a.append(
            _request(
                world,
                a,
                local(2026, 3, 2 + i, 9, 0),
                resp=resp,
                res=resp * 10,
                rating=ratings[i],
                reopen=1 if i < 2 else 0,
                flagged=resp in (70, 80, 90),
            )
        )
    Complaint.objects.create(
        request=rows_a[4],
        source="direct",
        service_line="property",
        contractor=a,
        summary="漏水未修好",
        callback_due=local(2026, 3, 16, 9, 0),
        created_at=local(2026, 3, 15, 9, 0),
    )
    rows_b = [
        _request(world, b, local(2026, 3, 31, 12, 0), resp=5),
        _request(world, b, local(2026, 3, 29, 12, 0), resp=7),
        _request(world, b, local(2026, 3, 26, 12, 0), resp=100),
        _request(world, b, local(2026, 3, 10, 9, 0), flagged=True),
    ]
    old = _request(world, b, local(2026, 2, 20, 9, 0))
    return rows_a, rows_b, old


MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
