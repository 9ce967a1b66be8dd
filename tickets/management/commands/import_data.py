"""``manage.py import_data rooms 房间台账.xlsx``: the same import as the admin page, for operators who load a
bureau's registers from a shell (first deployment, or a batch sent by e-mail)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from tickets.services.imports import KINDS, import_file


class Command(BaseCommand):
    help = "从 XLSX 或 CSV 文件导入房间、使用单位或人员；任一行有误则整个文件都不导入。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="rooms、units 或 staff")
        parser.add_argument("path", type=Path, help=".xlsx 或 .csv 文件")

    def handle(self, *args: Any, kind: str, path: Path, **options: Any) -> None:
        try:
            with path.open("rb") as file:
                # No actor: an operator at the shell acts as the system, as for other commands.
                result = import_file(kind=kind, file=file, filename=path.name, actor=None)
        except OSError as exc:
            raise CommandError(gettext("无法打开文件 %(path)s：%(error)s") % {"path": path, "error": exc}) from exc
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                gettext("%(count)d 处错误，未导入任何数据") % {"count": len(result.errors)}, returncode=1
            )
        self.stdout.write(self.style.SUCCESS(result.summary()))
