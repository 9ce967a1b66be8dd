"""The event log is append-only (admin, API, database), and the whole request history can be exported and
restored from a pg_dump."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import psycopg
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from tests.reliability.conftest import FIGURES
from tests.tickets.helpers import file_leak
from tickets.models import Event
from tickets.services.transitions import transition

TABLES = ("tickets_servicerequest", "tickets_event", "tickets_feedback")


@pytest.mark.django_db
def test_admin_cannot_change_or_delete_events_even_as_superuser(world):
    req = file_leak(world)
    event = req.events.get()
    world.dave.is_staff = world.dave.is_superuser = True
    world.dave.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(world.dave)
    base = f"/admin/tickets/event/{event.pk}"
    assert client.get(f"{base}/change/").status_code == 200  # read-only view
    assert client.post(f"{base}/change/", {"note": "edited"}).status_code == 403
    assert client.get(f"{base}/delete/").status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    action = client.post("/admin/tickets/event/", {"action": "delete_selected", "_selected_action": [event.pk]})
    assert action.status_code in (200, 302, 403)
    assert Event.objects.filter(pk=event.pk, note=event.note).exists()


@pytest.mark.django_db
def test_api_has_no_way_to_edit_or_delete_requests_or_events(world, api):
    req = file_leak(world)
    client = api(world.dave)
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(f"/api/v1/requests/{req.pk}/", {}, format="json").status_code == 405
    assert client.delete(f"/api/v1/requests/{req.pk}/accept/").status_code == 405


@pytest.mark.django_db
def test_model_and_queryset_refuse_update_and_delete(world):
    event = Event.objects.get(request=file_leak(world))
    for attempt in (
        lambda: Event.objects.filter(pk=event.pk).update(note="x"),
        lambda: Event.objects.filter(pk=event.pk).delete(),
        lambda: event.delete(),
    ):
        with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - whichever error the model raises
            attempt()
    assert Event.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql", ["UPDATE tickets_event SET note = 'x' WHERE id = %s", "DELETE FROM tickets_event WHERE id = %s"]
)
def test_database_refuses_raw_update_and_delete_of_events(world, sql):
    """Needs the trigger migration (tickets/migrations/0005_events_append_only_on_postgres.py)."""
    event = Event.objects.get(request=file_leak(world))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert Event.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_refuses_truncate_of_events(world):
    """Migration 0011: a statement-level trigger. The test session turns off the allowance that lets transactional
    tests empty the test database."""
    event = Event.objects.get(request=file_leak(world))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL servicedesk.allow_truncate = 'off'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own rows leave deferred checks pending
        cursor.execute("TRUNCATE tickets_event CASCADE")
    assert Event.objects.filter(pk=event.pk).exists()


def _history(world):
    req = file_leak(world)
    transition(service_request=req, action="accept", actor=world.bob)
    transition(service_request=req, action="resolve", actor=world.bob, note="换了水管")
    file_leak(world, title="第二个")
    return req


@pytest.mark.django_db
def test_export_requests_json_and_xlsx(world, tmp_path):
    _history(world)
    out = tmp_path / "all.json"
    call_command("export_requests", "--format", "json", "--output", str(out))
    data = json.loads(out.read_text())
    assert len(data["requests"]) == 2
    assert sum(len(r["events"]) for r in data["requests"]) == Event.objects.count()
    first = data["requests"][0]
    assert [e["action"] for e in first["events"]][-2:] == ["accept", "resolve"]

    from openpyxl import load_workbook

    xlsx = tmp_path / "all.xlsx"
    call_command("export_requests", "--format", "xlsx", "--output", str(xlsx))
    wb = load_workbook(xlsx, read_only=True)
    assert sum(1 for _ in wb["requests"].iter_rows()) == 1 + 2
    assert sum(1 for _ in wb["events"].iter_rows()) == 1 + Event.objects.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump/pg_restore")
def test_pg_dump_and_restore_keep_every_request_event_and_feedback(world, tmp_path):
    """docs/operations.md's backup steps: pg_dump --format=custom, restore into a new database, compare."""
    _history(world)
    s = connection.settings_dict
    conninfo = {"host": s["HOST"] or "127.0.0.1", "port": str(s["PORT"] or 5432), "user": s["USER"] or "postgres"}
    env = {**os.environ, "PGHOST": conninfo["host"], "PGPORT": conninfo["port"], "PGUSER": conninfo["user"]}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    dump = tmp_path / "servicedesk.dump"
    restored = f"{s['NAME']}_restored"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", s["NAME"]], env=env, check=True)
    admin = psycopg.connect(dbname="postgres", autocommit=True, **conninfo, password=s.get("PASSWORD") or None)
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        admin.execute(f'CREATE DATABASE "{restored}"')
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)], env=env, check=True
        )
        counts = {}
        for name in (s["NAME"], restored):
            with psycopg.connect(dbname=name, **conninfo, password=s.get("PASSWORD") or None) as c:
                counts[name] = {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        assert counts[s["NAME"]] == counts[restored], counts
        assert counts[restored]["tickets_event"] >= 4
        FIGURES["restore_rows_compared"] += sum(counts[restored].values())
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
        admin.close()
