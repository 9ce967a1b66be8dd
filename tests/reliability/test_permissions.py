"""The permission matrix: every endpoint and page × every role × own/other object, from one table.

The routes come from the URL configuration, so an endpoint added without an entry in matrix.py fails
`test_every_route_has_a_matrix_entry`, which lists what is missing. Each cell is checked inside a savepoint
that is rolled back, so POST actions do not change what the next cell sees.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.reliability.conftest import ROLES, Objects
from tests.reliability.matrix import MATRIX, SCOPE_OF
from tests.reliability.urlwalk import all_routes, matrix_routes

LOGIN = reverse("login")


def _entries() -> list[tuple[str, str, str, tuple]]:
    out = []
    for key, spec in MATRIX.items():
        method, route = key.split(" ", 1)
        out.append((method, route, key, spec))
    return out


def test_every_route_has_a_matrix_entry():
    covered = {key.split(" ", 1)[1] for key in MATRIX}
    missing = sorted(r.route + (f"  ({r.name})" if r.name else "") for r in matrix_routes() if r.route not in covered)
    assert not missing, "routes without a permission-matrix entry (add them to tests/reliability/matrix.py):\n" + (
        "\n".join(missing)
    )


def test_matrix_has_no_stale_entries():
    live = {r.route for r in matrix_routes()}
    stale = sorted(key for key in MATRIX if key.split(" ", 1)[1] not in live)
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


def test_matrix_rows_are_well_formed():
    for key, (kind, row, *_rest) in MATRIX.items():
        cells = row.split()
        assert len(cells) == len(ROLES), key
        width = 1 if kind is None else 2
        assert all(len(c) == width and set(c) <= set("AD-") for c in cells), key


def outcome(response, method: str) -> str:
    """'A' allowed, 'D' denied, or the status code when it is neither (a 5xx, a 405, a 400 on a GET...)."""
    code = response.status_code
    if code in (401, 403, 404):
        return "D"
    if code in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        return "D" if target.startswith(LOGIN) or target.startswith("/admin/login") else "A"
    if code >= 500:
        return str(code)
    if method == "GET":
        return "A" if 200 <= code < 300 else str(code)
    # POST with an empty body: the party got past the permission check if the answer is 2xx, 400 or 409.
    return "A" if code < 300 or code in (400, 409) else str(code)


def url_for(objs: Objects, route: str, kind: str | None, role: str, own: bool, extra: dict) -> str:
    kwargs = dict(extra)
    if kind is not None:
        if kind == "notification":
            from tickets.models import Notification

            me = objs.user("property", role)
            other = objs.world.erin if me == objs.world.alice else objs.world.alice
            who = me if (own and me is not None) else other
            obj = Notification.objects.filter(recipient=who).first()
        else:
            obj = objs.pick(kind, role, own)
        if "<token>" in route:
            kwargs["token"] = obj.qr_token
        else:
            kwargs["pk"] = obj.pk
    path = "/" + route
    for name, value in kwargs.items():
        path = path.replace(f"<{name}>", str(value))
    assert "<" not in path, path
    return path


def clients_for(objs: Objects) -> dict[tuple[str, str], Client]:
    """One logged-in client per (scope, role); logging in once keeps the 1,500-odd cells fast."""
    out = {}
    for scope in objs.users:
        for role in ROLES:
            client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            user = objs.user(scope, role)
            if user is not None:
                client.force_login(user)
            out[scope, role] = client
    return out


def probe(objs: Objects, clients: dict, method: str, route: str, kind: str | None, extra: dict) -> list[str]:
    scope = SCOPE_OF(route)
    extra = dict(extra)
    query = extra.pop("?", "")
    cells = []
    for role in ROLES:
        got = ""
        for own in (True, False) if kind is not None else (True,):
            path = url_for(objs, route, kind, role, own, extra) + (f"?{query}" if query else "")
            with transaction.atomic():
                response = clients[scope, role].generic(method, path)
                transaction.set_rollback(True)
            got += outcome(response, method)
        cells.append(got)
    return cells


@pytest.mark.django_db
def test_permission_matrix(objects, figures):
    mismatches = []
    draft = []
    checked = 0
    clients = clients_for(objects)
    for method, route, key, spec in _entries():
        kind, row = spec[0], spec[1]
        extra = spec[2] if len(spec) > 2 else {}
        expected = row.split()
        got = probe(objects, clients, method, route, kind, extra)
        if route == "accounts/logout/":
            clients = clients_for(objects)  # logging out ended those sessions
        draft.append(f'    "{key}": ({kind!r}, "{" ".join(got)}"{", " + repr(extra) if extra else ""}),')
        for role, want, have in zip(ROLES, expected, got, strict=True):
            for i, (w, h) in enumerate(zip(want, have, strict=False)):
                if w == "-":
                    continue
                checked += 1
                if w != h:
                    side = "" if kind is None else (" own" if i == 0 else " other")
                    mismatches.append(f"{key} as {role}{side}: expected {w}, got {h}")
    figures["matrix_routes"] = len({k.split(" ", 1)[1] for k in MATRIX})
    figures["matrix_cells_checked"] = checked
    figures["matrix_mismatches"] = len(mismatches)
    figures["matrix_5xx"] = sum(" got 5" in m for m in mismatches)
    figures["matrix_leaks"] = sum("expected D, got A" in m for m in mismatches)
    if os.environ.get("RELIABILITY_MATRIX_DRAFT"):
        from tests.reliability.conftest import ROOT

        (ROOT / "test-artifacts" / "matrix-draft.txt").write_text("\n".join(draft) + "\n")
    assert not mismatches, f"{len(mismatches)} permission-matrix mismatches:\n" + "\n".join(mismatches)


@pytest.mark.django_db
def test_admin_redirects_non_staff_to_admin_login(world, figures):
    """Every admin URL sends a non-staff user (and an anonymous one) to the admin's log-in page."""
    from tests.tickets.helpers import file_leak

    req = file_leak(world)
    routes = [r for r in all_routes() if r.route.startswith("admin/") and "<" not in r.route.replace("admin/", "", 1)]
    # the log-in page itself, and log-out (which only ends a session), are open by design
    paths = ["/" + r.route for r in routes if r.route not in ("admin/login/", "admin/logout/")]
    # and an object page of each registered model, with a real id where one is at hand
    from django.contrib import admin

    for model in admin.site._registry:
        meta = model._meta
        obj = model._default_manager.first()
        pk = obj.pk if obj is not None else 1
        paths.append(f"/admin/{meta.app_label}/{meta.model_name}/{pk}/change/")
    paths.append(f"/admin/tickets/servicerequest/{req.pk}/change/")
    failures = []
    for user in (None, world.alice, world.bob, world.carol, world.dave):
        client = Client()
        if user is not None:
            client.force_login(user)
        for path in paths:
            response = client.get(path)
            if response.status_code == 404:
                continue  # e.g. a model with no row 1; not a leak
            if response.status_code != 302 or not response["Location"].startswith("/admin/login/"):
                failures.append(f"{path} as {user}: {response.status_code}")
    figures["admin_urls_checked"] = len(paths) * 5
    assert not failures, failures


@pytest.mark.django_db
def test_schema_and_docs_are_for_authenticated_users_only(world):
    """Fails until SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] requires authentication (see docs/reliability.md)."""
    anon = Client()
    alice = Client()
    alice.force_login(world.alice)
    for path in ("/api/v1/schema/", "/api/v1/docs/"):
        assert anon.get(path).status_code in (401, 403), path
        assert alice.get(path).status_code == 200, path
