"""Helpers shared by the write services: the event writer and the party an actor acts for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tickets.models import Event, EventKind, Role, ServiceRequest, User

#: The longest description or comment a person writes (characters); a 200,000-character paste is a mistake.
MAX_TEXT = 5000


def clip(text: str, limit: int) -> str:
    """Text derived from user input (a notification's title from a request's title, a trip's title from its
    places) cut to its column, with an ellipsis: PostgreSQL refuses an over-long value where SQLite keeps it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def now_or(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def party_of(actor: User | None) -> str:
    """The side an actor acts for, recorded on each event (管办分离: bureau vs contractor vs unit)."""
    if actor is None:
        return "系统"
    if actor.role in (Role.DISPATCHER, Role.WORKER) and actor.contractor_id:
        return f"服务商:{actor.contractor}"
    if actor.role in (Role.SUPERVISOR, Role.ADMIN) or actor.is_superuser:
        return "机关事务局"
    if actor.unit_id:
        return f"单位:{actor.unit}"
    return ""


def record_event(
    *,
    service_request: ServiceRequest,
    kind: EventKind | str,
    actor: User | None,
    at: datetime,
    action: str = "",
    from_status: str = "",
    to_status: str = "",
    changes: dict[str, Any] | None = None,
    note: str = "",
    dedupe_key: str | None = None,
) -> Event | None:
    """Append an event. With a dedupe_key, a second writer of the same fact gets None instead of a duplicate."""
    event = Event(
        request=service_request,
        kind=kind,
        actor=actor,
        on_behalf_of=party_of(actor),
        action=action,
        from_status=from_status,
        to_status=to_status,
        changes=changes or {},
        note=note,
        created_at=at,
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        event.save()
        return event
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        return None
    return event
