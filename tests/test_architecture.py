"""The shape the product keeps: the core never imports its modules."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = {"canteen", "fleet", "offices"}


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
