"""The shape the product keeps: the core never imports its modules, nor names their paths, URLs or kind keys."""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver

from tickets import registry
from tickets.models import ServiceLine

ROOT = Path(__file__).resolve().parent.parent
MODULES = {"canteen", "fleet", "offices"}
CORE_TEXT = ("py", "html", "txt", "js", "css")


def test_tickets_imports_no_module():
    offenders = []
    for path in (ROOT / "tickets").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in MODULES]
    assert offenders == []


def test_module_apps_are_the_ones_this_test_knows():
    labels = {c.label for c in apps.get_app_configs() if Path(c.path).parent == ROOT} - {"tickets"}
    assert labels == MODULES


def _module_url_prefixes() -> set[str]:
    prefixes = set()
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and getattr(entry.urlconf_module, "__name__", "").split(".")[0] in MODULES:
            prefixes.add(str(entry.pattern))
    return prefixes


def test_core_names_no_module_path_url_or_kind_key():
    """What the core must not say: a module's dotted path or template folder, its URL namespace, its URL prefixes,
    its app label as a string, the keys of the kinds it registered. (A service line is the core's word: the canteen
    line and app share "canteen", an office-space kind and line "office_space", so those are left to the other
    patterns.)"""
    module_kinds = [k for k in registry.all_kinds() if k.owner and k.owner != "tickets"]
    core_kinds = {k.key for k in registry.all_kinds() if k.owner in ("", "tickets")}
    assert core_kinds == {"property", "planned_maintenance"}  # a module's kind names its owner
    assert {k.owner for k in module_kinds} <= MODULES
    prefixes = _module_url_prefixes()
    assert {"fleet/", "api/v1/fleet/"} <= prefixes  # the scan below knows what it looks for
    patterns = []
    for label in MODULES:
        submodules = sorted(
            {p.stem for p in (ROOT / label).iterdir() if p.suffix == ".py" or p.is_dir()} - {"__init__"}
        )
        patterns += [rf"\b{label}\.(?:{'|'.join(submodules)})\b", rf"[\"']{label}:", rf"\b{label}/", rf"/{label}\b"]
        if label not in ServiceLine.values:
            patterns.append(rf"[\"']{label}[\"']")
    patterns += [rf"[\"']{re.escape(k.key)}[\"'?:/]" for k in module_kinds if k.key not in ServiceLine.values]
    patterns += [re.escape(p) for p in prefixes]
    found = re.compile("|".join(patterns))
    offenders = []
    for path in (ROOT / "tickets").rglob("*"):
        rel = path.relative_to(ROOT).as_posix()
        if path.suffix.lstrip(".") not in CORE_TEXT or "/migrations/" in rel:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if match := found.search(line):
                offenders.append(f"{rel}:{number}: {match.group(0)}")
    assert offenders == []


def _product_sources():
    for app in ("servicedesk", "tickets", *sorted(MODULES)):
        yield from (p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def test_request_names_only_the_http_request():
    """A ServiceRequest travels as ``service_request``; a parameter or signal keyword ``request`` is HTTP."""
    offenders = []
    for path in _product_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                for arg in args:
                    if arg.arg == "request" and arg.annotation and "ServiceRequest" in ast.unparse(arg.annotation):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
            elif isinstance(node, ast.Call) and {"sender", "request"} <= {k.arg for k in node.keywords}:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} signal")
    assert offenders == []


def test_events_cannot_be_changed_or_deleted(world):
    from tests.tickets.helpers import file_leak
    from tickets.models import Event

    file_leak(world)
    event = Event.objects.get()

    event.note = "篡改"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        Event.objects.all().delete()
    with pytest.raises(PermissionError):
        Event.objects.update(note="x")


@pytest.mark.postgres
def test_database_refuses_to_change_or_delete_events(world):
    from django.db import DatabaseError, connection, transaction

    from tests.tickets.helpers import file_leak
    from tickets.models import Event

    file_leak(world)
    event_id = Event.objects.get().pk
    for sql in ("UPDATE tickets_event SET note = 'x' WHERE id = %s", "DELETE FROM tickets_event WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event_id])
    assert Event.objects.filter(pk=event_id, note="").exists()
