"""Log-in protection (django-axes in the shared database) and API tokens.

Each log-in goes through the real form with an address; the failure counts live in the database, so clearing
every in-process cache between attempts (what a different gunicorn worker would see) changes nothing.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PASSWORD = "correct-horse-battery"


def log_in(username: str, password: str, ip: str = "10.0.0.1", **headers):
    """A fresh client each time, as if each attempt landed on another worker; memory caches emptied too."""
    for cache in caches.all():
        cache.clear()
    client = Client(REMOTE_ADDR=ip, **headers)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response, client


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_five_failures_lock_the_user_from_that_address_across_processes(world):
    for _ in range(5):
        response, _client = log_in("alice", "wrong")
        assert not logged_in(response)
    response, _client = log_in("alice", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert not logged_in(response)


def test_a_stranger_cannot_lock_out_a_user_who_logs_in_from_elsewhere(world):
    for _ in range(8):
        log_in("dave", "wrong", ip="10.9.9.9")
    response, _client = log_in("dave", PASSWORD, ip="10.0.0.2")
    assert logged_in(response)


def test_success_resets_the_count(world):
    for _ in range(4):
        log_in("alice", "wrong")
    assert logged_in(log_in("alice", PASSWORD)[0])
    for _ in range(4):
        log_in("alice", "wrong")
    assert logged_in(log_in("alice", PASSWORD)[0])


def test_lockout_ends_after_the_cool_off(world):
    for _ in range(5):
        log_in("alice", "wrong")
    assert log_in("alice", PASSWORD)[0].status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert logged_in(log_in("alice", PASSWORD)[0])


def test_a_spray_across_accounts_from_one_address_is_stopped(world, settings):
    from tests.factories import UserFactory

    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    names = [UserFactory(username=f"staff{i}").username for i in range(12)]
    answers = [log_in(name, "Password123", ip="10.6.6.6")[0].status_code for name in names]
    assert answers[:10] == [200] * 10  # the form again: wrong password
    assert answers[10:] == [429, 429]
    # from that address even a right password waits; from another address it works
    assert log_in("alice", PASSWORD, ip="10.6.6.6")[0].status_code == 429
    assert logged_in(log_in("alice", PASSWORD, ip="10.0.0.3")[0])


def test_behind_the_proxy_the_forwarded_address_counts(world):
    for _ in range(5):
        log_in("alice", "wrong", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="10.5.5.5")
    assert log_in("alice", PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="10.5.5.5")[0].status_code == 429
    # another client behind the same proxy is not locked out
    assert logged_in(log_in("alice", PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="10.5.5.6")[0])


def test_a_forwarded_header_from_a_client_is_not_believed(world):
    """A client that talks to gunicorn directly (not through the proxy) cannot pick its address."""
    for i in range(5):
        log_in("alice", "wrong", ip="10.7.7.7", HTTP_X_FORWARDED_FOR=f"10.8.8.{i}")
    assert log_in("alice", PASSWORD, ip="10.7.7.7", HTTP_X_FORWARDED_FOR="10.8.8.99")[0].status_code == 429


def test_api_token_works_until_revoked(world):
    token = Token.objects.create(user=world.alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/requests/").status_code == 200
    token.delete()
    assert client.get("/api/v1/requests/").status_code == 401


def test_a_password_change_revokes_the_api_tokens(world):
    token = Token.objects.create(user=world.alice)
    other = Token.objects.create(user=world.erin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/requests/").status_code == 200
    world.alice.set_password("another-long-passphrase")
    world.alice.save()
    assert client.get("/api/v1/requests/").status_code == 401
    assert Token.objects.filter(pk=other.pk).exists()


def test_saving_a_user_without_a_new_password_keeps_the_tokens(world):
    token = Token.objects.create(user=world.alice)
    world.alice.full_name = "李爱丽（改）"
    world.alice.save()
    assert Token.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize("days, status", [(89, 200), (91, 401)])
def test_api_tokens_expire(world, settings, days, status):
    settings.API_TOKEN_MAX_AGE_DAYS = 90
    token = Token.objects.create(user=world.alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    with time_machine.travel(timezone.now() + timedelta(days=days), tick=False):
        response = client.get("/api/v1/requests/")
    assert response.status_code == status
    if status == 401:
        assert "过期" in response.json()["detail"]
