import pytest

from tests.reports.data import build_checklist, build_report_data


@pytest.fixture
def report_data(world):
    return build_report_data(world)


@pytest.fixture
def checklist(world):
    return build_checklist(world)
