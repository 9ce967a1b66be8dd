"""Shared fixtures. Personas are named: Alice files requests, Bob is the property dispatcher, Wang the worker,
Carol supervises property for the bureau."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db.backends.signals import connection_created

from servicedesk.celery import app as celery_app

if celery_app.conf.broker_url.startswith("filesystem"):
    # The tests' own broker folder, set before any connection exists, so a running demo never shares it.
    _broker = Path(tempfile.mkdtemp(prefix="servicedesk-broker-"))
    celery_app.conf.broker_transport_options = {
        f"{name}": str(_broker / sub)
        for name, sub in (
            ("data_folder_in", "queue"),
            ("data_folder_out", "queue"),
            ("processed_folder", "processed"),
            ("control_folder", "control"),
        )
    }
    for _sub in ("queue", "processed", "control"):
        (_broker / _sub).mkdir()


def _allow_truncate_in_test_databases(sender, connection, **kwargs):
    """Transactional tests empty the tables with TRUNCATE; the event log refuses it except in a test database whose
    session asks (migration 0011)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET servicedesk.allow_truncate = 'on'")


connection_created.connect(_allow_truncate_in_test_databases, dispatch_uid="allow-truncate-in-tests")


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in the default language, whatever the previous one activated."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the console keeps its trend figures there for minutes)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Password hashing is not under test here; PBKDF2 would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


@pytest.fixture
def world(db):
    from tests.factories import build_world

    return build_world()


@pytest.fixture
def api():
    """An API client factory: api(user) is logged in as that user, api() is anonymous."""
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Tasks run in-process unless a test asks for a real worker (marker celery_worker)."""
    from servicedesk.celery import app

    eager = "celery_worker" not in request.keywords
    old = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = old
