"""On PostgreSQL the database itself refuses to change or delete an event (the audit log is append-only).
TRUNCATE is left to the operator (restores and test databases use it).

SQLite has no such trigger here; the model and its queryset refuse updates and deletes on both databases.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tickets_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'tickets_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS tickets_event_append_only ON tickets_event;
CREATE TRIGGER tickets_event_append_only BEFORE UPDATE OR DELETE ON tickets_event
    FOR EACH ROW EXECUTE FUNCTION tickets_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS tickets_event_append_only ON tickets_event;
DROP FUNCTION IF EXISTS tickets_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_monthlyreport_checklisttemplate_checklistitem_export_and_more")]

    operations = [migrations.RunPython(forwards, backwards)]
