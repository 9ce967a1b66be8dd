"""The registry of request kinds: the one surface through which a module plugs into the core.

A module registers its kinds in its ``AppConfig.ready()``; the core reads everything it needs about a module from
here (rules, labels, home-page tiles, navigation, demo loaders) and never imports a module or names its URLs,
paths or kind keys.

A kind declares:

- ``service_line`` and ``approval_levels`` (e.g. a vehicle trip: the unit approver, then the bureau);
- ``allowed_actions``: the core actions (keys of ``transitions.MOVES``) a request of this kind may take at all
  (``None``: every action); any other answers 409 and writes nothing;
- ``owned_actions``: core actions (and ``"create"``) that only the module's own gate may take: the module passes
  ``owner=<kind.owner>`` to ``request_create()`` / ``transition()``; from any other path they answer 409;
- ``guard``: called by ``request_create()`` and ``transition()`` *before* anything is written, with the locked
  request (``None`` for "create"), the action, the actor and the moment; it refuses by raising
  ``TransitionNotAllowed`` (409), ``ActionForbidden`` (403) or ``ValidationError`` (400);
- ``step_labels``: labels the timeline shows for the module's own steps (event ``changes["step"]`` values);
- ``tiles`` and ``nav``: its entries on the home page and in the navigation, per role;
- ``demo_loader``: ``"package.module:function"`` that ``load_demo`` calls (keyword ``history: bool``) once, after
  the core's data, with deliveries suppressed; it may return log-ins to print, as ``(label, username, password)``.
- ``worked_by_bureau``: no contractor does the work; the bureau's staff for the service line act as the
  contractor party (accept, resolve), so the SLA clock measures the bureau's own answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from tickets.models import ServiceRequest, User


class ApprovalLevel:
    UNIT = "unit"
    BUREAU = "bureau"


#: Roles as ``tickets.models.Role`` values, plus "bureau" (any bureau role) and "contractor" (any contractor
#: staff), for tiles and navigation.
Audience = frozenset[str]


@dataclass(frozen=True)
class Tile:
    """An entry on the home page: a large tap target for filing or opening a module's main page."""

    key: str
    label: str | Promise
    glyph: str | Promise  # one character shown as the icon
    hint: str | Promise
    url: str  # a URL name (reversed) or a path starting with "/"; a query string may follow the name after "?"
    audience: Audience = frozenset({"requester", "approver", "bureau"})
    order: int = 50


@dataclass(frozen=True)
class NavLink:
    """A link in the header's navigation for the roles in ``audience``."""

    label: str | Promise
    url: str  # a URL name (reversed) or a path starting with "/"
    audience: Audience
    order: int = 50


@dataclass(frozen=True)
class GuardCall:
    """What a kind's guard is asked: may ``actor`` take ``action`` on ``service_request`` now?"""

    kind: RequestKind
    action: str  # a key of transitions.MOVES, or "create"
    service_request: ServiceRequest | None  # locked row for a transition; None for "create"
    actor: User | None
    now: datetime
    owner: str  # the module gate the call came through ("" for the core's own paths)
    data: Mapping[str, Any] = field(default_factory=dict)  # for "create": the filing's fields


@dataclass(frozen=True)
class RequestKind:
    key: str
    label: str | Promise
    service_line: str
    approval_levels: tuple[str, ...] = field(default=())
    # URL name of the module's page for a request of this kind, taking the request id (optional).
    detail_url_name: str = ""
    owner: str = ""  # the module (app label) whose gate takes owned actions; "" for the core's own kinds
    allowed_actions: frozenset[str] | None = None
    owned_actions: frozenset[str] = frozenset()
    guard: Callable[[GuardCall], None] | None = field(default=None, compare=False)
    step_labels: Mapping[str, str | Promise] = field(default_factory=dict, compare=False)
    tiles: tuple[Tile, ...] = ()
    nav: tuple[NavLink, ...] = ()
    demo_loader: str = ""
    # The bureau itself does the work (no contractor): its staff for the service line act as the contractor
    # party, e.g. office space, where the bureau's answer is the allocation.
    worked_by_bureau: bool = False


_KINDS: dict[str, RequestKind] = {}


def register_kind(kind: RequestKind) -> None:
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"request kind {kind.key!r} is already registered differently")
    _KINDS[kind.key] = kind


def unregister_kind(key: str) -> None:
    """For tests that build a throwaway kind."""
    _KINDS.pop(key, None)


def get_kind(key: str) -> RequestKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"unknown request kind {key!r}") from None


def all_kinds() -> list[RequestKind]:
    return sorted(_KINDS.values(), key=lambda k: k.key)
