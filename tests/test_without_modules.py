"""A module is a plug-in: the product without fleet starts, checks clean, and shows no vehicle tile or broken link."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_product_without_fleet_checks_and_serves_its_pages():
    check = _run("manage.py", "check", "--settings=tests.without_fleet.settings")
    assert check.returncode == 0, check.stderr
    visit = _run("-m", "tests.without_fleet.visit")
    assert visit.returncode == 0, visit.stderr
    result = json.loads(visit.stdout.strip().splitlines()[-1])
    assert "vehicle_trip" not in result["kinds"] and "property" in result["kinds"]
    assert result["broken"] == []
    # A tile or link that answers 403 is the declaring module's audience to narrow, never fleet's (it is absent).
    assert not any("/fleet/" in entry for entry in result["refused"])
    for name, seen in result["seen"].items():
        assert "用车" not in seen["tiles"], name
        assert not any(href.startswith("/fleet/") for href in seen["links"]), name
    assert {"报修", "保洁", "投诉建议"} <= set(result["seen"]["alice"]["tiles"])
