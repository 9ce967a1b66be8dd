"""Production mode as the README runs it: the static files collect with the manifest storage, pages render from
the manifest, and the demo (with its published passwords) refuses to load."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # the manifest part of production's CompressedManifestStaticFilesStorage, without the slow compression
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


@pytest.fixture
def collected(settings, tmp_path):
    """collectstatic with the production storage: a vendored file naming a file that is not shipped (Chart.js's
    source map) stops it, as it stopped the first production install."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = MANIFEST_STORAGE
    settings.WHITENOISE_USE_FINDERS = False
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage._setup()  # the lazy storage object keeps the first settings it saw
    call_command("collectstatic", interactive=False, verbosity=0)
    yield tmp_path / "static"
    from django.utils.functional import empty

    staticfiles_storage._wrapped = empty


def test_collectstatic_with_the_manifest_storage_succeeds(collected):
    assert (collected / "staticfiles.json").exists()
    assert list((collected / "tickets" / "vendor").glob("chart.umd.min.*.js"))


def test_pages_render_from_the_manifest(collected, world):
    client = Client()
    client.force_login(world.dave)
    for path in ("/", "/requests/", "/reports/", "/console/"):
        response = client.get(path, follow=True)
        assert response.status_code == 200, (path, response.status_code)
        assert b"/static/" in response.content


def test_load_demo_refuses_in_production_mode(db, settings):
    from tickets.models import User

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产模式"):
        call_command("load_demo", "--no-history")
    assert not User.objects.filter(username="admin").exists()
