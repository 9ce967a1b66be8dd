import pytest

from tests.reports.data import build_report_data


@pytest.fixture
def report_data(world):
    return build_report_data(world)
