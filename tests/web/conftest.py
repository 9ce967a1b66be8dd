"""Fixtures for the web pages: logged-in clients per persona and a way to file requests quickly."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.web.images import png_bytes


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Service messages are translated when they are made; start each test in Chinese whatever ran before."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


@pytest.fixture
def as_user():
    """as_user(user) is a test client logged in as that user, speaking Chinese unless told otherwise."""

    def make(user=None, language="zh-hans"):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def file_request(world):
    from tickets.services.requests import request_create

    def make(title="301 卫生间漏水", requester=None, category=None, **kwargs):
        return request_create(
            actor=requester or world.alice,
            category=category or world.leak,
            title=title,
            description=kwargs.pop("description", "水管滴水"),
            room=kwargs.pop("room", world.room),
            **kwargs,
        )

    return make


@pytest.fixture
def png():
    def make(name="photo.png"):
        return SimpleUploadedFile(name, png_bytes(), content_type="image/png")

    return make


# The browser harness (tests/web/test_browser.py) for every browser test of this folder: the role journeys
# (test_journey_<role>.py) take `open_as` like the tests beside it.
from tests.web.test_browser import browser, live_server, open_as  # noqa: E402, F401
