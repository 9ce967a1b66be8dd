"""Photos of a filing kept between a submit that came back with an error and the next one."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.services.comments import safe_name
from tickets.services.common import now_or

MAX_PHOTOS = 6
KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


class PhotoDrafts:
    """Photos of a filing that came back with an error, kept until it is submitted again.

    Stored under ``filing-drafts/<user>/<form key>/`` in the media storage: the form's random key names the draft
    and the user's id scopes it, so nobody can claim another person's photos. They were checked when they were
    uploaded and are checked again when attached. Drafts nobody comes back to are removed by ``clear_stale``.
    """

    ROOT = "filing-drafts"

    def __init__(self, user_id: int, key: str) -> None:
        self.dir = f"{self.ROOT}/{user_id}/{key}" if KEY_RE.fullmatch(key or "") else ""

    def names(self) -> list[str]:
        if not self.dir or not default_storage.exists(self.dir):
            return []
        return sorted(default_storage.listdir(self.dir)[1])

    def keep(self, uploads: list[Any]) -> list[str]:
        if self.dir:
            start = len(self.names())
            for i, upload in enumerate(uploads[: max(0, MAX_PHOTOS - start)], start=start):
                default_storage.save(f"{self.dir}/{i:02d}-{safe_name(upload.name or 'photo')}", upload)
        return self.names()

    def files(self) -> list[File]:
        out: list[File] = []
        for name in self.names():
            with default_storage.open(f"{self.dir}/{name}") as fh:
                out.append(SimpleUploadedFile(name[3:], fh.read()))
        return out

    def clear(self) -> None:
        for name in self.names():
            default_storage.delete(f"{self.dir}/{name}")

    @classmethod
    def clear_stale(cls, *, now: datetime | None = None, older_than: timedelta = timedelta(days=1)) -> int:
        """Remove drafts left longer than ``older_than`` (a filing abandoned after an error); returns the count."""
        cutoff = now_or(now) - older_than
        removed = 0
        if not default_storage.exists(cls.ROOT):
            return 0
        for user_dir in default_storage.listdir(cls.ROOT)[0]:
            for key in default_storage.listdir(f"{cls.ROOT}/{user_dir}")[0]:
                path = f"{cls.ROOT}/{user_dir}/{key}"
                for name in default_storage.listdir(path)[1]:
                    if default_storage.get_modified_time(f"{path}/{name}") < cutoff:
                        default_storage.delete(f"{path}/{name}")
                        removed += 1
        return removed
