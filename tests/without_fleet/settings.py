"""The product's settings with the fleet module left out, on an in-memory database (tests/test_without_modules.py)."""

from servicedesk.settings import *  # noqa: F403

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "fleet"]  # noqa: F405
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
