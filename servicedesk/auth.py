"""Log-in throttling: after too many failures for one user name, log-in is refused for a while.

Counts live in the cache; set CACHE_URL (Redis) so that several web nodes share them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _key(username: str) -> str:
    return f"login-failures:{username.strip().lower()}"


def is_locked(username: str) -> bool:
    return bool(username) and cache.get(_key(username), 0) >= MAX_FAILURES


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get("username", "")
        if username and is_locked(username):
            raise PermissionDenied("too many failed log-ins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if username:
            if user is None:
                key = _key(username)
                cache.add(key, 0, WINDOW_SECONDS)
                cache.incr(key)
            else:
                cache.delete(_key(username))
        return user
