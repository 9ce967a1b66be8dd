import pytest

from tests.assessment.data import build_checklist
from tests.reports.data import build_report_data


@pytest.fixture
def report_data(world):
    return build_report_data(world)


@pytest.fixture
def checklist(world):
    return build_checklist(world)
