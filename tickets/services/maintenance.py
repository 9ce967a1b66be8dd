"""Database housekeeping the query planner depends on."""

from __future__ import annotations

from django.db import connection


def database_analyze() -> str:
    """Refresh the planner's statistics so filtered lists pick the selective index.

    Without statistics SQLite guesses, and at 100k requests it guessed the building index for a list filtered by
    status and building: 30 ms instead of 5 ms (bench/core_bench.py). PostgreSQL's autovacuum keeps its own
    statistics; an explicit ANALYZE there is harmless and helps right after a bulk load.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return connection.vendor
