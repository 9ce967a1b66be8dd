"""``manage.py load_demo``: demo data for a city 机关事务管理局 (see tickets/demo/). Safe to run again: it changes
nothing the second time. ``--no-history`` loads places, people, catalogue and contracts without the year of
requests."""

from __future__ import annotations

import importlib
import inspect
import time
import unicodedata
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

# Optional modules' own demo loaders, called if they exist. The core never imports them at module level.
MODULE_LOADERS = [
    ("fleet.demo", "load_fleet_demo"),
    ("tickets.assessment.demo", "load_reports_demo"),
]


class Command(BaseCommand):
    help = "载入演示数据（院区、单位、服务商、服务目录、合同、人员，以及近一年的服务请求）；重复运行不会产生重复数据。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--no-history", action="store_true", help="不生成历史服务请求（快速载入）")
        parser.add_argument("--months", type=int, default=12, help="历史请求覆盖的月数（默认 12）")

    def handle(self, *args: Any, no_history: bool, months: int, **options: Any) -> None:
        from tickets import demo
        from tickets.services.maintenance import database_analyze

        started = time.monotonic()
        demo.load_reference()
        demo.load_catalogue()
        logins = demo.load_users()
        self.stdout.write("基础数据、服务目录、合同和人员已就绪。")
        if not no_history:
            history_started = time.monotonic()
            filed = demo.load_history(months=months)
            if filed:
                seconds = time.monotonic() - history_started
                self.stdout.write(f"已生成 {filed} 条历史服务请求（用时 {seconds:.1f} 秒）。")
            else:
                self.stdout.write("历史服务请求已存在，跳过。")
        self.run_module_loaders(history=not no_history)
        # The planner's statistics, as the nightly job would leave them: the lists plan well from the first page.
        database_analyze()

        self.stdout.write("")
        for key, value in demo.counts().items():
            label = demo.COUNT_LABELS.get(key, key)
            self.stdout.write(f"  {label}{' ' * (12 - _display_width(label))}{value:>7}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"演示数据载入完成，用时 {time.monotonic() - started:.1f} 秒。演示账号："))
        width = max(_display_width(label) for label, _u, _p in logins) + 2
        for label, username, password in logins:
            padding = " " * (width - _display_width(label))
            self.stdout.write(f"  {label}{padding}{username:<16}{password}")

    def run_module_loaders(self, *, history: bool) -> None:
        from tickets import demo

        for module_name, function_name in MODULE_LOADERS:
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                if exc.name != module_name:
                    # The module exists but is broken (it is being written): say so, do not stop the core's demo.
                    self.stderr.write(f"跳过 {module_name}：{exc}")
                continue
            loader = getattr(module, function_name, None)
            if loader is None:
                continue
            kwargs = {"history": history} if "history" in inspect.signature(loader).parameters else {}
            # Module loaders write back-dated history too (inspections, rectifications): no mail for it either.
            with demo.backdated():
                loader(**kwargs)
            self.stdout.write(f"已载入 {module_name} 的演示数据。")


def _display_width(text: str) -> int:
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
