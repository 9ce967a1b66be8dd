"""Pages and forms fuzzed as every role: no hostile value in a page's address, query or form answers 5xx.

schemathesis (test_fuzz.py) sees only the API. This walks the pages of the URL map instead, from the permission
matrix's table (tests/reliability/matrix.py), with the matrix's world and a client per role:

1. every GET page route, for the role's own object and another's, as anonymous, requester, another requester,
   unit approver, dispatcher, worker, another contractor's worker, the line's supervisor, another line's
   supervisor and the bureau admin (fleet and canteen routes with their own contractors and supervisors);
2. on each page it got, every ``<form>`` found in the HTML: submitted with every field set to each hostile
   value at once, and (the first time a form is seen) one field at a time with the others left as rendered;
   file inputs get a decompression bomb (a PNG declaring 20000×20000 pixels), a text file named ``.png`` and an
   empty file;
3. the page's own query parameters (those of its GET forms and of its links back to itself, plus ``page``,
   ``q`` and ``format``) one at a time with each hostile value;
4. each route with an id or token in its path, with ids and tokens that cannot exist (non-ASCII digits,
   beyond 64 bits, a NUL byte).

Each call runs in a savepoint that is rolled back, so a form that was accepted changes nothing for the next.
A 5xx or an exception escaping a view is a failure; 400, 403, 404, 409 and redirects are all fine. The figures
(pages, forms, calls, 5xx) go to test-artifacts/reliability.json and docs/reliability.md.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from tests.reliability.conftest import ROLES, Objects, long_run
from tests.reliability.matrix import MATRIX, SCOPE_OF
from tests.reliability.test_permissions import url_for

# Hostile text: non-ASCII digits, ids beyond 64 bits and beyond PostgreSQL's integer, negative, dates at and beyond
# the calendar's ends, a month 13, NaN/Infinity/1e400, a NUL byte, over-long text, markup and SQL, empty.
VALUES_SHORT = [
    "²",
    "99999999999999999999",
    "2147483648",
    "-1",
    "0001-01-01",
    "9999-12-31",
    "2026-13",
    "NaN",
    "1e400",
    "a\x00b",
    "长" * 300,
    "",
]
VALUES_LONG = [
    *VALUES_SHORT,
    "Infinity",
    "-99999999999999999999",
    "0",
    "9999-12-31T23:59:59",
    "0001-01-01 00:00",
    "2026-02-30",
    "25:61",
    "1.5",
    "' OR 1=1 --",
    "<script>x</script>",
    "%00",
    "x" * 5000,
]
VALUES = VALUES_LONG if long_run() else VALUES_SHORT
# field by field, the values that found the most (the long run: all of them)
FIELD_VALUES = VALUES if long_run() else ["²", "99999999999999999999", "9999-12-31", "2026-13", "1e400", "长" * 300]
GENERIC_PARAMS = ("page", "q", "format")
PATH_VALUES = ("%C2%B2", "99999999999999999999", "0", "1%00", "%00")
SKIP_ACTIONS = ("/accounts/logout/", "/i18n/")  # ends the session / only sets a language cookie
FUZZ_ROLES = (*ROLES, "worker", "supervisor")
PROGRESS = Path(os.environ["PAGE_FUZZ_PROGRESS"]) if os.environ.get("PAGE_FUZZ_PROGRESS") else None


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A small PNG whose header declares width × height pixels (Pillow refuses to open beyond 179 M)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def hostile_files() -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile("bomb.png", bomb_png(), "image/png"),
        SimpleUploadedFile("a.png", b"not an image", "image/png"),
        SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
    ]


class Form:
    def __init__(self, action: str, method: str) -> None:
        self.action, self.method = action, method
        self.fields: dict[str, list[str]] = {}
        self.files: list[str] = []
        self.editable: list[str] = []

    def add(self, name: str, value: str, *, editable: bool = True) -> None:
        self.fields.setdefault(name, [])
        if value is not None:
            self.fields[name].append(value)
        if editable and name != "csrfmiddlewaretoken" and name not in self.editable:
            self.editable.append(name)


class FormReader(HTMLParser):
    """The forms of a page, with each field's rendered value (checked boxes, selected options, textareas)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "form":
            self._form = Form(attrs.get("action", ""), attrs.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or not attrs.get("name"):
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind == "file":
                form.files.append(name)
            elif kind in ("checkbox", "radio"):
                form.add(name, attrs.get("value", "on") if "checked" in attrs else None)  # type: ignore[arg-type]
            elif kind not in ("submit", "button", "reset", "image"):
                form.add(name, attrs.get("value", ""))
            elif kind == "submit":
                form.add(name, attrs.get("value", ""), editable=False)
        elif tag == "button" and attrs.get("type", "submit") == "submit":
            form.add(name, attrs.get("value", ""), editable=False)
        elif tag == "select":
            self._select, self._first_option, self._selected = name, None, False
            form.add(name, None)  # type: ignore[arg-type]
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                form.fields[self._select].append(value)
                self._selected = True
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._form is not None and self._select is not None:
            if not self._selected and self._first_option is not None:
                self._form.fields[self._select].append(self._first_option)
            self._select = None
        elif tag == "textarea" and self._form is not None and self._textarea is not None:
            self._form.add(self._textarea, self._text)
            self._textarea = None


def read_page(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def fuzz_users(objs: Objects) -> dict[str, dict[str, object]]:
    """The matrix's personas plus a worker and the line's own supervisor in each scope."""
    from tickets.models import User

    users = {scope: dict(people) for scope, people in objs.users.items()}
    by_name = {u.username: u for u in User.objects.filter(username__in=["wang", "carol", "kai", "cao"])}
    users["property"].update(worker=by_name["wang"], supervisor=by_name["carol"])
    users["fleet"].update(worker=objs.fleet.drivers[0].user, supervisor=objs.world.vic)
    users["canteen"].update(worker=by_name["kai"], supervisor=by_name["cao"])
    # each has a notification of their own, as the matrix's personas do
    from django.utils import timezone

    from tickets.models import Event, Notification

    req = objs.a["request"]
    event = Event.objects.filter(request=req).first()
    for scope in users.values():
        for role in ("worker", "supervisor"):
            defaults = {"request": req, "title": "t", "created_at": timezone.now()}
            Notification.objects.get_or_create(recipient=scope[role], event=event, defaults=defaults)
    return users


class Run:
    def __init__(self) -> None:
        self.calls = 0
        self.pages = 0
        self.forms: set[tuple] = set()
        self.codes: Counter[str] = Counter()
        self.failures: dict[str, str] = {}
        self.where = ""

    def send(self, client: Client, method: str, path: str, data=None, who: str = "") -> object | None:
        self.calls += 1
        if PROGRESS and self.calls % 500 == 0:
            head = f"{self.calls} calls, {dict(self.codes)}, at {self.where}"
            PROGRESS.write_text("\n".join([head, *self.failures.values()]) + "\n")
        try:
            with transaction.atomic():
                response = client.get(path, data) if method == "get" else client.post(path, data or {})
                transaction.set_rollback(True)
        except Exception as exc:  # an exception escaping a view is what a 500 is
            self.codes["5xx"] += 1
            key = f"{method.upper()} {_shape(path)} {exc.__class__.__name__}"
            self.failures.setdefault(key, f"{key} as {who}: {str(exc)[:200]!r} data={_short(data)}")
            return None
        self.codes[f"{response.status_code // 100}xx"] += 1
        if response.status_code >= 500:
            key = f"{method.upper()} {_shape(path)} {response.status_code}"
            self.failures.setdefault(key, f"{key} as {who}: data={_short(data)}")
        return response


def _shape(path: str) -> str:
    return re.sub(r"/\d+/", "/<id>/", urlsplit(path).path)


def _short(data: object) -> str:
    text = repr(data)
    return text if len(text) < 300 else text[:300] + "…"


def _same_path(href: str, path: str) -> bool:
    parts = urlsplit(href)
    return bool(parts.query) and (parts.path in ("", path)) and not parts.netloc


def fuzz_form(run: Run, client: Client, page_path: str, form: Form, who: str, *, per_field: bool) -> None:
    target = urlsplit(form.action).path or page_path
    if form.action.startswith(("http:", "https:", "//")) or target.startswith(SKIP_ACTIONS):
        return
    base = {name: list(values) for name, values in form.fields.items()}
    names = form.editable
    if form.method == "get":
        target = target + ("?" + urlsplit(form.action).query if urlsplit(form.action).query else "")
    for value in VALUES if per_field or long_run() else VALUES[:4]:
        data: dict = {**base, **{name: value for name in names}}
        if form.method == "post":
            for name in form.files:
                data[name] = hostile_files()
        run.send(client, form.method, target, data, who)
    data = {**base, **{name: [VALUES[0], VALUES[1]] for name in names}}  # each field twice
    run.send(client, form.method, target, data, who)
    if not per_field:
        return
    for name in names:
        for value in FIELD_VALUES:
            run.send(client, form.method, target, {**base, name: value}, who)
    for name in form.files if form.method == "post" else ():
        for upload in hostile_files():
            run.send(client, "post", target, {**base, name: upload}, who)


def query_names(path: str, reader: FormReader) -> list[str]:
    names = list(GENERIC_PARAMS)
    for form in reader.forms:
        if form.method == "get" and urlsplit(form.action).path in ("", path):
            names += form.editable
    for href in reader.links:
        if _same_path(href, path):
            names += [k for k, _v in parse_qsl(urlsplit(href).query, keep_blank_values=True)]
    return list(dict.fromkeys(names))


def page_routes() -> list[tuple[str, str | None, dict, str]]:
    out = []
    for key, spec in MATRIX.items():
        method, route = key.split(" ", 1)
        if method != "GET" or route.startswith("api/"):
            continue
        extra = dict(spec[2] if len(spec) > 2 else {})
        query = extra.pop("?", "")
        out.append((route, spec[0], extra, query))
    return out


@pytest.mark.django_db
def test_pages_and_forms_fuzz(objects, figures):
    users = fuzz_users(objects)
    clients: dict[tuple[str, str], Client] = {}
    for scope, people in users.items():
        for role in FUZZ_ROLES:
            client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            if people.get(role) is not None:
                client.force_login(people[role])
            clients[scope, role] = client
    objects.users = users  # url_for reads the personas of a scope
    run = Run()
    seen_forms: set[tuple] = set()
    seen_queries: set[tuple] = set()
    routes = page_routes()
    for number, (route, kind, extra, query) in enumerate(routes, 1):
        scope = SCOPE_OF(route)
        run.where = f"route {number}/{len(routes)} {route}"
        for role in FUZZ_ROLES:
            client = clients[scope, role]
            for own in (True, False) if kind is not None else (True,):
                path = url_for(objects, route, kind, role, own, extra)
                full = path + (f"?{query}" if query else "")
                response = run.send(client, "get", full, None, role)
                run.pages += 1
                if response is None or response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    # denied or not a page: hostile query values must still not break the denial
                    run.send(client, "get", path, {"page": VALUES[0], "q": VALUES[1]}, role)
                    continue
                reader = read_page(response.content.decode())
                for form in reader.forms:
                    target = urlsplit(form.action).path or path
                    key = (form.method, target, tuple(sorted(form.fields)), tuple(form.files))
                    if (role, *key) in run.forms:
                        continue
                    run.forms.add((role, *key))
                    # the first role to see a form gets every value in every field; the others each value at once
                    fuzz_form(run, client, path, form, role, per_field=key not in seen_forms)
                    seen_forms.add(key)
                for name in query_names(path, reader):
                    # the page's parameters are parsed before anyone's rows are read: once per route suffices
                    if (route, name) in seen_queries:
                        continue
                    seen_queries.add((route, name))
                    for value in FIELD_VALUES:
                        run.send(client, "get", full + ("&" if query else "?") + urlencode({name: value}), None, role)
    # addresses with ids and tokens that cannot exist, as the admin and as anonymous
    for key in MATRIX:
        method, route = key.split(" ", 1)
        if "<pk>" not in route and "<token>" not in route:
            continue
        for role in ("admin", "anonymous"):
            for value in PATH_VALUES:
                path = "/" + re.sub(r"<(pk|token)>", value, route)
                path = re.sub(r"<\w+>", "1", path)
                run.send(clients[SCOPE_OF(route), role], method.lower(), path, None, role)
    figures["page_fuzz_pages"] = run.pages
    figures["page_fuzz_forms"] = len(run.forms)
    figures["page_fuzz_calls"] = run.calls
    figures["page_fuzz_5xx"] = run.codes["5xx"]
    summary = f"page fuzz: {run.pages} pages, {len(run.forms)} forms, {run.calls} calls, {dict(run.codes)}"
    from tests.reliability.conftest import ROOT

    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "page-fuzz.txt").write_text("\n".join([summary, *sorted(run.failures.values())]) + "\n")
    assert not run.failures, f"{run.codes['5xx']} answers 5xx, {len(run.failures)} distinct:\n" + "\n".join(
        sorted(run.failures.values())
    )
