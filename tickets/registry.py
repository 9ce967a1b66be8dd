"""The registry of request kinds: the one surface through which a module plugs into the core.

A module registers its kinds in its ``AppConfig.ready()``; the core reads everything it needs about a module from
here (rules, labels, home-page tiles, navigation, demo loaders) and never imports a module or names its URLs,
paths or kind keys.

A kind declares:

- ``service_line`` and ``approval_levels`` (e.g. a vehicle trip: the unit approver, then the bureau);
- ``allowed_actions``: the core actions (keys of ``transitions.MOVES``) a request of this kind may take at all
  (``None``: every action); any other answers 409 and writes nothing. A kind that does not allow
  ``reopen`` keeps a low rating from reopening the work: the complaint and the callback still open;
- ``owned_actions``: core actions (and ``"create"``) that only the module's own gate may take: the module passes
  ``owner=<kind.owner>`` to ``request_create()`` / ``transition()``; from any other path they answer 409 and the
  pages and the API do not offer them;
- ``guard``: called by ``request_create()`` and ``transition()`` *before* anything is written, with the locked
  request (``None`` for "create"), the action, the actor and the moment; it refuses by raising
  ``TransitionNotAllowed`` (409), ``ActionForbidden`` (403) or ``ValidationError`` (400). ``allowed_actions()``
  asks it too (``probe=True``, for every row of a list), so a guard answers from the request's own row and does
  not query;
- ``step_labels``: labels the timeline shows for the module's own steps (event ``changes["step"]`` values);
- ``tiles`` and ``nav``: its entries on the home page and in the header's navigation, per role (and service line);
- ``demo_loader``: ``"package.module:function"`` that ``load_demo`` calls (keyword ``history: bool``) once, after
  the core's data, with deliveries suppressed; it may return log-ins to print, as ``(label, username, password)``.
- ``worked_by_bureau``: no contractor does the work; the bureau's staff for the service line act as the
  contractor party (accept, resolve), so the SLA clock measures the bureau's own answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

if TYPE_CHECKING:
    from tickets.models import ServiceRequest, User


class ApprovalLevel:
    UNIT = "unit"
    BUREAU = "bureau"


#: Roles as ``tickets.models.Role`` values ("requester", "unit_approver", "dispatcher", "worker", "supervisor",
#: "admin"), plus "approver" (= "unit_approver"), "bureau" (any bureau role) and "contractor" (any contractor
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
    # When set, bureau supervisors and contractor staff see the entry only for this service line (admins always).
    service_line: str = ""


@dataclass(frozen=True)
class NavLink:
    """A link in the header's navigation for the roles in ``audience``."""

    label: str | Promise
    url: str  # a URL name (reversed) or a path starting with "/"; a query string may follow the name after "?"
    audience: Audience
    order: int = 50
    service_line: str = ""  # as Tile.service_line


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
    probe: bool = False  # True when allowed_actions() asks which buttons to offer: nothing will be written


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

    def allows(self, action: str) -> bool:
        """The kind lets a request take ``action`` at all (through some path). Filing ("create") is always allowed;
        a module that files its kind through its own gate owns it."""
        return self.allowed_actions is None or action == "create" or action in self.allowed_actions

    def owns(self, action: str) -> bool:
        return action in self.owned_actions


_KINDS: dict[str, RequestKind] = {}


def register_kind(kind: RequestKind) -> None:
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"request kind {kind.key!r} is already registered differently")
    if kind.owned_actions and not kind.owner:
        raise ValueError(f"request kind {kind.key!r} owns actions but names no owner")
    _KINDS[kind.key] = kind


def unregister_kind(key: str) -> None:
    """For tests that build a throwaway kind."""
    _KINDS.pop(key, None)


def get_kind(key: str) -> RequestKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"unknown request kind {key!r}") from None


def find_kind(key: str) -> RequestKind | None:
    return _KINDS.get(key)


def all_kinds() -> list[RequestKind]:
    return sorted(_KINDS.values(), key=lambda k: k.key)


# --- home page and navigation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A tile or a navigation link resolved for one user: what a template shows."""

    key: str
    label: str | Promise
    href: str
    glyph: str | Promise = ""
    hint: str | Promise = ""


def audience_of(user: User) -> set[str]:
    """The audience names that match ``user`` (no query)."""
    if not user.is_authenticated:
        return set()
    names = {user.role}
    if user.role == "unit_approver":
        names.add("approver")
    if user.is_bureau:
        names.add("bureau")
    if user.is_contractor_staff:
        names.add("contractor")
    return names


def _line_matches(user: User, service_line: str) -> bool:
    if not service_line or user.is_superuser or user.role == "admin":
        return True
    if user.role == "supervisor":
        return user.service_line == service_line
    if user.is_contractor_staff:
        # The contractor is cached on the user object, so a page pays for it at most once.
        return user.contractor is not None and user.contractor.service_line == service_line
    return True  # requesters and approvers: the audience alone decides


def resolve_url(url: str) -> str | None:
    """A URL name (with an optional "?query") reversed, or a path as it is; None when the name is unknown, so an
    entry whose module is not installed is left out rather than shown as a broken link."""
    if url.startswith("/"):
        return url
    name, sep, query = url.partition("?")
    try:
        return reverse(name) + sep + query
    except NoReverseMatch:
        return None


def _visible(user: User, audience: Audience, service_line: str, names: set[str]) -> bool:
    return bool(audience & names) and _line_matches(user, service_line)


def _entries(items: Iterable[tuple[int, str, Entry, str]]) -> list[Entry]:
    seen: set[str] = set()
    result = []
    for _order, _label, entry, _key in sorted(items, key=lambda i: (i[0], i[1])):
        if entry.href in seen:  # two kinds of one module may declare the same entry
            continue
        seen.add(entry.href)
        result.append(entry)
    return result


def home_tiles_for(user: User) -> list[Entry]:
    """The home page's tiles for ``user``, from every registered kind, in their order."""
    names = audience_of(user)
    items = []
    for kind in _KINDS.values():
        for tile in kind.tiles:
            if _visible(user, tile.audience, tile.service_line, names) and (href := resolve_url(tile.url)):
                entry = Entry(key=tile.key, label=tile.label, href=href, glyph=tile.glyph, hint=tile.hint)
                items.append((tile.order, tile.key, entry, kind.key))
    return _entries(items)


def nav_links_for(user: User) -> list[Entry]:
    """The modules' links in the header's navigation for ``user``."""
    names = audience_of(user)
    items = []
    for kind in _KINDS.values():
        for link in kind.nav:
            if _visible(user, link.audience, link.service_line, names) and (href := resolve_url(link.url)):
                items.append((link.order, link.url, Entry(key=link.url, label=link.label, href=href), kind.key))
    return _entries(items)
