"""Walk the URL configuration and turn each pattern into a readable route ("api/v1/requests/<pk>/")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Not part of the matrix, each for a stated reason (and tested elsewhere in this folder):
EXCLUDED_PREFIXES = (
    "admin/",  # Django admin: staff only; test_admin_redirects_non_staff_to_admin_login walks it
    "static/",  # public assets (whitenoise)
    "i18n/",  # set_language: a public POST that only sets a cookie
    "api/v1/schema/",  # the OpenAPI schema and its docs page: any authenticated user (test_schema_and_docs_...)
    "api/v1/docs/",
)


@dataclass(frozen=True)
class Route:
    route: str  # normalised: "requests/<pk>/do/<action>/"
    name: str  # namespaced name, or "" when the pattern has none
    raw: str


_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def normalise(raw: str) -> str:
    route = _GROUP.sub(r"<\1>", raw)
    route = _CONVERTER.sub(r"<\1>", route)
    return route.replace("^", "").replace("$", "").replace("\\.", ".")


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            raw = prefix + str(p.pattern)
            yield Route(normalise(raw), f"{namespace}{p.name}" if p.name else "", raw)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver(), "", ""))


def matrix_routes() -> list[Route]:
    """Every route the permission matrix must cover. DRF's format-suffix variants (`requests.json`) are the
    same view as the route they suffix, so they are covered by its entry."""
    seen: dict[str, Route] = {}
    for r in all_routes():
        if r.route.startswith(EXCLUDED_PREFIXES) or "<format>" in r.route:
            continue
        seen.setdefault(r.route, r)
    return list(seen.values())
