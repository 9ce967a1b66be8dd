"""Walk a running production build as each role: every GET page of the URL map, the admin and the API docs.

Run by `.ci/run` against gunicorn started exactly as the README says (production settings, PostgreSQL, Redis,
`collectstatic`), in the same environment, on a throwaway database:

    python -m tests.reliability.prodwalk http://127.0.0.1:PORT

It seeds the permission matrix's world (tests/reliability/conftest.build_objects) with real passwords, logs in
through the log-in form as each role (so the session, CSRF and HTTPS-behind-a-proxy settings are the real ones),
GETs every "GET" route of tests/reliability/matrix.MATRIX for the role's own object and another's, every admin
changelist and add page as the admin, and fails on any 5xx or connection error. The number of calls is bounded
by the URL map (about 1,200), each with a timeout.
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from collections import Counter
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import requests

TIMEOUT = 30


class Browser:
    """A tiny client that talks to the app as the reverse proxy would: plain HTTP on the loopback with
    ``X-Forwarded-Proto: https``, so the Secure cookies are kept by hand (an HTTP cookie jar would drop them)."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.host = urlsplit(self.base).netloc
        self.cookies: dict[str, str] = {}
        self.http = requests.Session()

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"X-Forwarded-Proto": "https", "Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def _keep(self, response: requests.Response) -> None:
        for raw in response.raw.headers.getlist("Set-Cookie"):
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    def get(self, path: str) -> requests.Response:
        response = self.http.get(self.base + path, headers=self._headers(), allow_redirects=False, timeout=TIMEOUT)
        self._keep(response)
        return response

    def login(self, username: str, password: str) -> None:
        self.get("/accounts/login/")
        origin = f"https://{self.host}"
        response = self.http.post(
            self.base + "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": self.cookies["csrftoken"]},
            headers=self._headers({"Origin": origin, "Referer": origin + "/accounts/login/"}),
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        self._keep(response)
        if response.status_code != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"log-in as {username} failed: HTTP {response.status_code}")


def seed():
    """The matrix's world in the production database, each person with a fresh random password."""
    from django.db import transaction

    from tests.factories import UserFactory, build_world
    from tests.reliability.conftest import build_objects
    from tickets.models import Role

    with transaction.atomic():
        objs = build_objects(build_world())
        # the Django admin is walked as a superuser: the bureau admin persona has no model permissions there
        root = UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
        passwords = {}
        people = [root] + [u for scope in objs.users.values() for u in scope.values() if u is not None]
        for user in people:
            if user.username not in passwords:
                passwords[user.username] = secrets.token_urlsafe(16)
                user.set_password(passwords[user.username])
                user.save(update_fields=["password"])
    return objs, passwords, root


def admin_paths() -> list[str]:
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    paths = ["/admin/", "/api/v1/docs/", "/api/v1/schema/"]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        for view in ("changelist", "add"):
            try:
                paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}"))
            except NoReverseMatch:
                continue
        first = model_admin.get_queryset(_FakeRequest()).order_by("pk").first()
        if first is not None:
            paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    return paths


class _FakeRequest:
    """get_queryset() of some admins reads request.user; the admin user's rows are all rows."""

    class user:
        is_superuser = True
        is_staff = True
        is_active = True


def walk(base: str) -> int:
    from tests.reliability.conftest import ROLES
    from tests.reliability.matrix import MATRIX, SCOPE_OF
    from tests.reliability.test_permissions import url_for

    started = time.monotonic()
    objs, passwords, root = seed()
    counts: Counter[str] = Counter()
    failures: list[str] = []
    browsers: dict[tuple[str, str], Browser] = {}
    for scope in objs.users:
        for role in ROLES:
            browser = Browser(base)
            user = objs.user(scope, role)
            if user is not None:
                browser.login(user.username, passwords[user.username])
            browsers[scope, role] = browser

    def visit(browser: Browser, path: str, who: str) -> None:
        try:
            response = browser.get(path)
        except requests.RequestException as exc:
            failures.append(f"GET {path} as {who}: {exc.__class__.__name__}: {exc}")
            return
        counts[f"{response.status_code // 100}xx"] += 1
        if response.status_code >= 500:
            failures.append(f"GET {path} as {who}: HTTP {response.status_code}")

    for key, spec in MATRIX.items():
        method, route = key.split(" ", 1)
        if method != "GET":
            continue
        kind, extra = spec[0], dict(spec[2] if len(spec) > 2 else {})
        query = extra.pop("?", "")
        for role in ROLES:
            for own in (True, False) if kind is not None else (True,):
                path = url_for(objs, route, kind, role, own, extra) + (f"?{query}" if query else "")
                visit(browsers[SCOPE_OF(route), role], path, role)
    superuser = Browser(base)
    superuser.login(root.username, passwords[root.username])
    for path in admin_paths():
        visit(superuser, path, "superuser")
    total = sum(counts.values())
    summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
    print(f"production walk: {total} pages in {time.monotonic() - started:.0f} s ({summary}), {len(failures)} failures")
    for line in failures:
        print("  " + line)
    return 1 if failures or total == 0 else 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    import django

    django.setup()
    return walk(argv[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
