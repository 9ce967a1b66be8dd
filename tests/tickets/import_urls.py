"""Test-only URLconf: the import page next to the stock admin (whose login page the page redirects to)."""

from django.contrib import admin
from django.urls import include, path

from tickets.admin_imports import get_urls

urlpatterns = [
    path("admin/", include(get_urls())),
    path("admin/", admin.site.urls),
]
