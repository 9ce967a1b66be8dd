"""Our streaming XLSX writer against XlsxWriter in constant_memory mode (issue #17: keep a kept library if it
meets the export target of ≤ 10 s and ≤ 100 MB for 100k rows):

    .venv/bin/python bench/xlsx_writers_bench.py --rows 100000

Both write the same rows (the detail sheet's 21 columns: text with Chinese, numbers, local datetimes, yes/no) with
the same layout (column widths, a styled header, the header frozen, an auto-filter, a datetime format), each in
its own child process, so the CPU time and the peak memory are the writer's alone (the database's reading is the
same for both and is left out). Prints wall, CPU, peak RSS and file size; XlsxWriter is a development dependency.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADERS = ["编号", "标题", "服务条线", "服务分类", "院区", "楼栋", "服务商", "紧急程度", "状态", "提交时间"]
HEADERS += ["受理时间", "到场时间", "办结时间", "关闭时间", "受理用时", "办结用时", "受理超时", "到场超时"]
HEADERS += ["办结超时", "评分", "重开"]
WIDTHS = [12, 30, 10, 14, 12, 10, 16, 8, 8, 18, 18, 18, 18, 18, 12, 12, 8, 8, 8, 6, 8]
DATES = range(9, 14)


def rows(n: int):
    start = datetime(2025, 3, 11, 8, 0)
    for i in range(n):
        created = start + timedelta(minutes=5 * i)
        done = i % 7 != 0
        yield [
            f"SD{i:07d}",
            f"{i % 12 + 1}号楼卫生间水龙头漏水",
            "物业",
            "漏水",
            "南院",
            "1号楼",
            "恒安物业",
            "一般",
            "已关闭" if done else "处理中",
            created,
            created + timedelta(minutes=20),
            None,
            created + timedelta(hours=4) if done else None,
            created + timedelta(hours=30) if done else None,
            20,
            240 if done else None,
            "否",
            "否",
            "是" if i % 20 == 0 else "否",
            5 if done and i % 3 else None,
            0,
        ]


def ours(path: str, n: int) -> None:
    from tickets.reports.cells import safe_row
    from tickets.reports.xlsx_stream import HEADER, StreamingWorkbook

    book = StreamingWorkbook(path)
    sheet = book.sheet("明细", WIDTHS, n + 1)
    sheet.append(HEADERS, HEADER)
    for row in rows(n):
        sheet.append(safe_row(row))
    book.close()


def xlsxwriter_constant_memory(path: str, n: int) -> None:
    import xlsxwriter

    from tickets.reports.cells import safe_row

    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("明细")
    header = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "border": 1})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width, when if col in DATES else None)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, n, len(HEADERS) - 1)
    sheet.write_row(0, 0, HEADERS, header)
    for r, row in enumerate(rows(n), start=1):
        for c, value in enumerate(safe_row(row)):
            if value is None:
                continue
            if c in DATES:
                sheet.write_datetime(r, c, value, when)
            else:
                sheet.write(r, c, value)
    book.close()


def _child(name: str, n: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    django.setup()  # before the clock starts
    writer = {"ours": ours, "xlsxwriter": xlsxwriter_constant_memory}[name]
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / f"{name}.xlsx")
        wall, cpu = time.perf_counter(), time.process_time()
        writer(path, n)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = Path(path).stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put({"writer": name, "rows": n, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak)})
    out.put({"size_mb": round(size / 1e6, 1)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", default="var/xlsx_writers_bench.json")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    results = []
    for name in ("ours", "xlsxwriter"):
        queue = ctx.Queue()
        proc = ctx.Process(target=_child, args=(name, args.rows, queue))
        proc.start()
        figures = queue.get()
        figures.update(queue.get())
        proc.join()
        results.append(figures)
        print(figures)
    meta = {"load_average": [round(x, 1) for x in os.getloadavg()], "cpus": os.cpu_count()}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=1))
    print(meta)


if __name__ == "__main__":
    main()
