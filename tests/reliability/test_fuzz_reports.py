"""The SLA report and assessment APIs fuzzed with schemathesis as every role that takes part.

The typed schema lets schemathesis build real bodies (schemes, adjustments, inspections, penalties) and hostile
ones (NaN and Infinity in decimals, dates in year 1 or 9999, months 2026-13, ids beyond 64 bits, null or lists
for strings). The data holds one of everything with small ids, so generated ids often find a real row: a draft
and a signed scorecard with a scheme, an open appeal, an inspection with a failed item, an export, a monthly
report. Requirement: no 5xx, and every answer conforms to the schema.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from tests.assessment.data import build_checklist
from tests.reliability.conftest import FIGURES
from tests.reliability.test_fuzz import CHECKS, FUZZ_SETTINGS, _keep_test_connection, _load_schema  # noqa: F401
from tests.reports.data import build_report_data, local

ROLES = ("admin", "supervisor", "supervisor_other", "dispatcher", "worker", "requester")
schema = _load_schema().include(path_regex=r"^/api/v1/(reports|assessment)/")


@pytest.fixture
def tokens(world):
    from rest_framework.authtoken.models import Token

    from tickets.assessment import inspections, schemes, scorecards
    from tickets.models import Export, MonthlyReport

    build_report_data(world)
    template, floor, dust, tidy = build_checklist(world)
    now = local(2026, 4, 2, 9, 0)
    inspections.inspection_record(
        actor=world.carol,
        template=template,
        contract=world.contract,
        compound=world.compound,
        results=[
            inspections.ItemInput(item=floor.pk, passed=False),
            inspections.ItemInput(item=dust.pk, measured="0.3"),
            inspections.ItemInput(item=tidy.pk, score="15"),
        ],
        now=now,
    )
    indicators = [
        {"indicator": "response_on_time", "method": "weight", "weight": 60, "target": 95},
        {"indicator": "satisfaction", "method": "weight", "weight": 40},
        {"indicator": "complaints", "method": "deduction", "per_unit": 2, "cap": 10},
    ]
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=indicators, now=now)
    signed = scorecards.scorecard_sign(
        scorecard=scorecards.scorecard_draft(contract=world.contract, month=date(2026, 2, 1), now=now),
        actor=world.carol,
        now=now,
    )
    scorecards.appeal_submit(scorecard=signed, actor=world.bob, text="申诉", now=now)
    scorecards.scorecard_draft(contract=world.contract, month=date(2026, 3, 1), now=now)
    export = Export(owner=world.dave, created_at=now, state=Export.State.DONE, finished_at=now)
    export.file.save("x.xlsx", ContentFile(b"PK"), save=False)
    export.save()
    monthly = MonthlyReport(month=date(2026, 2, 1), generated_at=now, summary={"total": None})
    monthly.file.save("m.xlsx", ContentFile(b"PK"), save=False)
    monthly.save()
    assert world.contract.monthly_fee > Decimal(0)
    users = {
        "admin": world.dave,
        "supervisor": world.carol,
        "supervisor_other": world.vic,
        "dispatcher": world.bob,
        "worker": world.wang,
        "requester": world.alice,
    }
    return {role: Token.objects.create(user=user).key for role, user in users.items()}


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_report_and_assessment_api_fuzz(case, tokens):
    for role in ROLES:
        FIGURES["fuzz_reports_cases"] += 1
        try:
            case.call_and_validate(headers={"Authorization": f"Token {tokens[role]}"}, checks=CHECKS)
        except Exception:
            FIGURES["fuzz_reports_failures"] += 1
            raise
