"""Log-in throttling and revocable API tokens."""

import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_five_failures_lock_the_account_even_for_the_right_password(world):
    for _ in range(5):
        assert authenticate(username="alice", password="wrong") is None
    assert authenticate(username="alice", password="correct-horse-battery") is None
    assert authenticate(username="erin", password="correct-horse-battery") == world.erin  # others unaffected


def test_success_resets_the_count(world):
    for _ in range(4):
        authenticate(username="alice", password="wrong")
    assert authenticate(username="alice", password="correct-horse-battery") == world.alice
    for _ in range(4):
        authenticate(username="alice", password="wrong")
    assert authenticate(username="alice", password="correct-horse-battery") == world.alice


def test_api_token_works_until_revoked(world):
    token = Token.objects.create(user=world.alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/requests/").status_code == 200
    token.delete()
    assert client.get("/api/v1/requests/").status_code == 401
