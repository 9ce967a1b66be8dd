"""Migration operations that apply on one database vendor only.

No-overlap guarantees (fleet bookings, office allocations) are exclusion constraints on PostgreSQL and triggers on
SQLite. Neither belongs in the model state (SQLite cannot create an EXCLUDE constraint, and the triggers are not a
Django concept), so these operations change the database and leave the state alone.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.migrations.operations.base import Operation


class AddPostgresConstraint(migrations.AddConstraint):
    """AddConstraint on PostgreSQL only, outside the model state."""

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        schema_editor.add_constraint(model, self.constraint)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = from_state.apps.get_model(app_label, self.model_name)
        schema_editor.remove_constraint(model, self.constraint)

    def describe(self) -> str:
        return f"Create constraint {self.constraint.name} on model {self.model_name} (PostgreSQL only)"


class VendorSQL(Operation):
    """Raw SQL statements run on one vendor only."""

    reversible = True

    def __init__(self, vendor: str, sql: list[str], reverse_sql: list[str]) -> None:
        self.vendor = vendor
        self.sql = sql
        self.reverse_sql = reverse_sql

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == self.vendor:
            for statement in self.sql:
                schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == self.vendor:
            for statement in self.reverse_sql:
                schema_editor.execute(statement, params=None)

    def describe(self) -> str:
        return f"Raw SQL on {self.vendor} only"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.vendor, self.sql, self.reverse_sql], {})
