"""The registry of request kinds. Modules register theirs in AppConfig.ready(); the core never imports them.

A kind says which service line it belongs to and which approvals a request needs before the contractor's
clock starts (e.g. a vehicle trip: the unit approver, then the bureau).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise


class ApprovalLevel:
    UNIT = "unit"
    BUREAU = "bureau"


@dataclass(frozen=True)
class RequestKind:
    key: str
    label: str | Promise
    service_line: str
    approval_levels: tuple[str, ...] = field(default=())
    # URL name of the module's page for a request of this kind, taking the request id (optional).
    detail_url_name: str = ""


_KINDS: dict[str, RequestKind] = {}


def register_kind(kind: RequestKind) -> None:
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"request kind {kind.key!r} is already registered differently")
    _KINDS[kind.key] = kind


def get_kind(key: str) -> RequestKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"unknown request kind {key!r}") from None


def all_kinds() -> list[RequestKind]:
    return sorted(_KINDS.values(), key=lambda k: k.key)
