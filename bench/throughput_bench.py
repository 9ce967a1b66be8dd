"""Throughput through gunicorn (issue #17: 2 workers, 20 clients, bounded in time), with wrk as the load tool:

    .venv/bin/python bench/throughput_bench.py --keep var/bench-100k                                     # SQLite
    .venv/bin/python bench/throughput_bench.py --postgres postgres://postgres@127.0.0.1:5432/ --keep sd_bench_1m

Reuses a database seeded by `core_bench.py` / `seed_pg.py` (the same `--postgres`/`--keep`), starts gunicorn on
127.0.0.1 with `DEBUG=false` (local mode: whitenoise, sessions, axes, every middleware of a deployment), logs in the
supervisor (API list, a page of 50 of everything in her line, counted) and the dispatcher (workbench page) by a
session cookie, and runs `wrk` for `--seconds` per URL. Prints requests/s and latency percentiles; writes JSON.
Needs `wrk` (Debian package `wrk`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from core_bench import ROOT, arguments, open_database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cookie(username: str) -> str:
    from django.test import Client

    from tickets.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies["sessionid"].value


def _wrk(url: str, cookie: str, seconds: int, clients: int) -> dict[str, object]:
    header = f"Cookie: sessionid={cookie}"
    out = subprocess.run(
        [*("wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s", "--latency"), "-H", header, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float | None:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            return None
        value, unit = float(found.group(1)), found.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 1)

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if os.environ.get("WRK_VERBOSE"):
        print(out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "req_per_s": float(rate.group(1)) if rate else None,
        "p50_ms": ms("50"),
        "p90_ms": ms("90"),
        "p99_ms": ms("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", default="var/throughput_bench.json")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/12", help="CACHE_URL of the server ('' for none)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk)")
    os.environ["DEBUG"] = "false"
    open_database(args)
    cookies = {who: _cookie(who) for who in ("carol", "bob")}
    port = _free_port()
    env = {**os.environ, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "servicedesk.settings"}
    if args.cache:  # as a deployment runs: sessions from the shared cache
        env["CACHE_URL"] = args.cache
    gunicorn = [str(ROOT / ".venv/bin/gunicorn"), "servicedesk.wsgi", "-w", str(args.workers)]
    server = subprocess.Popen([*gunicorn, "-b", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env)
    results = []
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        for label, who, path in (
            ("API list, supervisor (page of 50, counted)", "carol", "/api/v1/requests/"),
            ("workbench page, dispatcher (50 rows)", "bob", "/workbench/"),
            # The floor: the smallest authenticated call (session, user, one count), i.e. what the stack costs.
            ("floor: unread count, supervisor", "carol", "/api/v1/notifications/unread-count/"),
        ):
            _wrk(base + path, cookies[who], 10, args.clients)  # warm the workers (first requests cost seconds)
            figures = {"what": label, **_wrk(base + path, cookies[who], args.seconds, args.clients)}
            results.append(figures)
            print(figures)
    finally:
        server.terminate()
        server.wait(timeout=30)
    from django.db import connection

    meta = {
        "database": connection.vendor,
        "workers": args.workers,
        "cache": args.cache,
        "clients": args.clients,
        "seconds": args.seconds,
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "at": time.strftime("%Y-%m-%d %H:%M"),
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=1))
    print(meta)


if __name__ == "__main__":
    main()
