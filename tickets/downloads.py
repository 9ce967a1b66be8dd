"""Serving uploaded files (request attachments, inspection photos) to the pages and the API alike."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse


def private_download(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """An uploaded file, for someone the caller has checked may see it. Always a download with a sandboxing policy:
    an <img> still shows a photo, and no upload is ever rendered as a page of ours. Types were sniffed on upload."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
