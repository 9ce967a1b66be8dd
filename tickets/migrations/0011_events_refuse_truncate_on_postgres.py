"""On PostgreSQL the event log refuses TRUNCATE too (a statement-level trigger), as it refuses UPDATE and DELETE.

The one exception is Django's own test databases (named ``test_…``), whose transactional tests empty every table
with TRUNCATE between tests, and only where the session asked for it (``SET servicedesk.allow_truncate = 'on'``,
which ``tests/conftest.py`` does). In production the application runs as a role that does not own the tables
(docs/operations.md), so it can neither drop nor disable these triggers.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tickets_event_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_database() LIKE 'test\\_%' AND current_setting('servicedesk.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'tickets_event is append-only: TRUNCATE refused' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS tickets_event_no_truncate ON tickets_event;
CREATE TRIGGER tickets_event_no_truncate BEFORE TRUNCATE ON tickets_event
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_event_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS tickets_event_no_truncate ON tickets_event;
DROP FUNCTION IF EXISTS tickets_event_no_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0010_calendar_versions")]

    operations = [migrations.RunPython(forwards, backwards)]
