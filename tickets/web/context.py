"""Template context every page shares: the modules' navigation links, read from the registry when the header is
rendered (no query; the registry is in memory)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest

from tickets.registry import nav_links_for


def module_nav(request: HttpRequest) -> dict[str, Any]:
    # A callable: the template calls it only where the navigation is drawn (JSON and fragments never pay).
    return {"module_nav": partial(nav_links_for, request.user)}  # type: ignore[arg-type]
