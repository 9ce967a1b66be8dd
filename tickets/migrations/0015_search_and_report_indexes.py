"""Word search over requests (tickets/search.py): the segmented words of each request, and the database's index;
and the indexes of the SLA report's backlog.

PostgreSQL: a stored generated tsvector column with a GIN index. SQLite: an FTS5 table over the column, kept by
triggers. Existing requests are segmented here, in batches.
"""

from django.db import migrations, models

POSTGRES = [
    "ALTER TABLE tickets_servicerequest ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_tokens)) STORED",
    "CREATE INDEX request_search_vector ON tickets_servicerequest USING gin (search_vector)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS request_search_vector",
    "ALTER TABLE tickets_servicerequest DROP COLUMN IF EXISTS search_vector",
]
SQLITE = [
    "CREATE VIRTUAL TABLE tickets_request_fts USING fts5("
    "search_tokens, content='tickets_servicerequest', content_rowid='id')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS tickets_request_fts_ai",
    "DROP TRIGGER IF EXISTS tickets_request_fts_ad",
    "DROP TRIGGER IF EXISTS tickets_request_fts_au",
    "DROP TABLE IF EXISTS tickets_request_fts",
]


def backfill(apps, schema_editor):
    from tickets.search import index_text

    ServiceRequest = apps.get_model("tickets", "ServiceRequest")
    last = 0
    while True:
        batch = list(ServiceRequest.objects.filter(pk__gt=last).order_by("pk").only("title", "description")[:2000])
        if not batch:
            break
        for req in batch:
            req.search_tokens = index_text(req.title, req.description)
        ServiceRequest.objects.bulk_update(batch, ["search_tokens"])
        last = batch[-1].pk


def forwards(apps, schema_editor):
    # The words first, then the index built from them in one pass (an FTS5 trigger's 'delete' of a row that was
    # never indexed would corrupt the index).
    backfill(apps, schema_editor)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES:
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        from tickets.search import _SQLITE_TRIGGERS

        for sql in [*SQLITE, "INSERT INTO tickets_request_fts(tickets_request_fts) VALUES ('rebuild')"]:
            schema_editor.execute(sql, params=None)
        for sql in _SQLITE_TRIGGERS.values():
            schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}.get(vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0014_penalty_withdrawal")]

    operations = [
        migrations.AddField(
            model_name="servicerequest",
            name="search_tokens",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(forwards, backwards),
        # The SLA report's backlog at a moment (reports.selectors.open_at_q).
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", True), ("resolved_at__isnull", True)),
                fields=["created_at"],
                name="request_unfinished_created",
            ),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(fields=["resolved_at"], name="request_resolved_at"),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(fields=["closed_at"], name="request_closed_at"),
        ),
    ]
