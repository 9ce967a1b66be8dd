"""Shared fixtures. Personas are named: Alice files requests, Bob is the property dispatcher, Wang the worker,
Carol supervises property for the bureau."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):  # noqa: PT004
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_off(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
