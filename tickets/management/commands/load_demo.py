"""``manage.py load_demo``: demo data for a city 机关事务管理局 (see tickets/demo/). Safe to run again: it changes
nothing the second time. ``--no-history`` loads places, people, catalogue and contracts without the year of
requests.

After the core's own data, it calls the demo loader each registered request kind declares (``RequestKind.
demo_loader``, "package.module:function"; a loader several kinds share runs once), then the core's assessment demo.
A loader may return log-ins, (label, username, password), to print after the core's."""

from __future__ import annotations

import time
import unicodedata
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from tickets import registry


class Command(BaseCommand):
    help = "载入演示数据（院区、单位、服务商、服务目录、合同、人员，以及近一年的服务请求）；重复运行不会产生重复数据。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--no-history", action="store_true", help="不生成历史服务请求（快速载入）")
        parser.add_argument("--months", type=int, default=12, help="历史请求覆盖的月数（默认 12）")

    def handle(self, *args: Any, no_history: bool, months: int, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            # The demo creates `admin` and other accounts whose passwords are printed and published in the README.
            raise CommandError("生产模式下不能载入演示数据（演示账号的密码是公开的）。")
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
        logins += self.run_module_loaders(history=not no_history)
        self.run_reports_demo()
        if not no_history:
            # Last, so the reports count every module's requests, as the job on the 1st would have.
            with demo.backdated():
                reports = demo.load_report_archive()
            self.stdout.write(f"已生成 {reports} 份月度报告（按每月 1 日 06:00 的定时任务）。")
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

    def run_module_loaders(self, *, history: bool) -> list[tuple[str, str, str]]:
        from tickets import demo

        logins: list[tuple[str, str, str]] = []
        for path in module_demo_loaders():
            try:
                loader = import_string(path.replace(":", "."))
            except ImportError as exc:
                # Declared but not importable (a module being written, or a typo): say so, keep the core's demo.
                self.stderr.write(f"跳过 {path}：{exc}")
                continue
            # Module loaders write back-dated history too (trips, complaints): no mail for it either.
            with demo.backdated():
                returned = loader(history=history)
            logins += list(returned or [])
            self.stdout.write(f"已载入 {path} 的演示数据。")
        return logins

    def run_reports_demo(self) -> None:
        from tickets import demo
        from tickets.assessment.demo import load_reports_demo

        # Inspections, rectifications and scorecards of the past months: after every module's requests.
        with demo.backdated():
            load_reports_demo()
        self.stdout.write("已载入检查与考核的演示数据。")


def module_demo_loaders() -> list[str]:
    """The demo loaders the registered kinds declare ("package.module:function"), each once, in kind-key order."""
    return list(dict.fromkeys(kind.demo_loader for kind in registry.all_kinds() if kind.demo_loader))


def _display_width(text: str) -> int:
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
