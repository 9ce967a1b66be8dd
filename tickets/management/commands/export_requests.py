"""`manage.py export_requests --format json|xlsx --output FILE`: all requests with their events."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tickets.services.export_all import export_requests


class Command(BaseCommand):
    help = "Export every service request with its events to JSON or XLSX (streamed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = export_requests(fmt=options["format"], output=options["output"])
        self.stdout.write(f"{counts['requests']} requests, {counts['events']} events -> {options['output']}")
