"""Export every request with its events (JSON or XLSX), streamed so that memory stays flat on large tables.

Used by `manage.py export_requests`; it reads only (no event is written: an export is not a change to a
request). Every concrete column is exported under its column name, so a column added later is exported too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, Prefetch

from tickets.models import Event, ServiceRequest
from tickets.reports.cells import safe_row

CHUNK = 500


def _columns(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _row(obj: Model, columns: list[str]) -> dict[str, Any]:
    return {c: getattr(obj, c) for c in columns}


def iter_requests() -> Iterator[ServiceRequest]:
    events = Prefetch("events", queryset=Event.objects.order_by("created_at", "pk"))
    return ServiceRequest.objects.order_by("pk").prefetch_related(events).iterator(chunk_size=CHUNK)


def export_json(out: IO[str]) -> dict[str, int]:
    """Writes {"requests": [{...columns, "events": [...]}, ...]} one request at a time."""
    req_cols, ev_cols = _columns(ServiceRequest), _columns(Event)
    counts = {"requests": 0, "events": 0}
    out.write('{"format": "servicedesk-requests/1", "requests": [\n')
    for req in iter_requests():
        row = _row(req, req_cols)
        row["events"] = [_row(e, ev_cols) for e in req.events.all()]
        if counts["requests"]:
            out.write(",\n")
        out.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False))
        counts["requests"] += 1
        counts["events"] += len(row["events"])
    out.write("\n]}\n")
    return counts


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str | bool):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def export_xlsx(path: str | Path) -> dict[str, int]:
    """Two sheets, requests and events (events carry request_id), written in openpyxl's write-only mode."""
    from openpyxl import Workbook

    req_cols, ev_cols = _columns(ServiceRequest), _columns(Event)
    wb = Workbook(write_only=True)
    req_sheet = wb.create_sheet("requests")
    ev_sheet = wb.create_sheet("events")
    req_sheet.append(safe_row(req_cols))
    ev_sheet.append(safe_row(ev_cols))
    counts = {"requests": 0, "events": 0}
    for req in iter_requests():
        req_sheet.append(safe_row([_cell(getattr(req, c)) for c in req_cols]))
        counts["requests"] += 1
        for event in req.events.all():
            ev_sheet.append(safe_row([_cell(getattr(event, c)) for c in ev_cols]))
            counts["events"] += 1
    wb.save(str(path))
    return counts


def export_requests(*, fmt: str, output: str | Path) -> dict[str, int]:
    if fmt == "json":
        with open(output, "w", encoding="utf-8") as out:
            return export_json(out)
    if fmt == "xlsx":
        return export_xlsx(output)
    raise ValueError(f"unknown format {fmt!r} (json or xlsx)")
