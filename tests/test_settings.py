"""Production mode refuses to start without its secrets and passes the deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests of this same run; a deployment never has it.
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_without_secret_key_stops_naming_it():
    result = run_manage("check", SERVICEDESK_MODE="production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production mode" in result.stderr


def test_production_without_hosts_stops_naming_it():
    result = run_manage("check", SERVICEDESK_MODE="production", SECRET_KEY="k" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_malformed_boolean_names_the_variable():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_check_deploy_is_clean_in_production():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SERVICEDESK_MODE="production",
        SECRET_KEY="s3cr3t-" + "x" * 60,
        ALLOWED_HOSTS="desk.example.gov.cn",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """Our queries are short; the JIT's compile time (190 ms for a list at 1M rows) would be most of their cost."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_sessions_use_the_cache_only_when_it_is_shared():
    """A process's own memory would keep a logged-out session alive in the other web processes."""
    show = ("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.SESSION_ENGINE)")
    assert run_manage(*show).stdout.strip() == "django.contrib.sessions.backends.db"
    shared = run_manage(*show, CACHE_URL="redis://127.0.0.1:6379/13").stdout.strip()
    assert shared == "django.contrib.sessions.backends.cached_db"
