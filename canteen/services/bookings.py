"""Booking (报餐) and opting out (不吃登记): per person and meal, a week at once, guests by a unit's liaison.

A change is free until the meal's cut-off; after it, or on a day the canteen does not serve, it is refused with
the reason and nothing is written. A cancelled booking keeps its row with ``eating=False``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from canteen import permissions
from canteen.days import ServingDays, bookable_error, require_bookable, week_of
from canteen.models import BookingMode, MealBooking, MealService
from tickets.exceptions import ActionForbidden
from tickets.models import Unit, User
from tickets.services.common import now_or

MAX_GUESTS = 200


def _upsert(
    *, service: MealService, day: date, diner: User | None, unit_id: int, actor: User, now: datetime, **values: object
) -> MealBooking:
    lookup = {"service": service, "date": day}
    lookup.update({"diner": diner} if diner is not None else {"diner__isnull": True, "unit_id": unit_id})
    booking = MealBooking.objects.select_for_update().filter(**lookup).first()
    if booking is None:
        try:
            with transaction.atomic():
                return MealBooking.objects.create(
                    service=service,
                    date=day,
                    diner=diner,
                    unit_id=unit_id,
                    booked_by=actor,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
        except IntegrityError:
            # A second tap from another tab created it meanwhile: update that row instead.
            booking = MealBooking.objects.select_for_update().get(**lookup)
    changed = [k for k, v in values.items() if getattr(booking, k) != v]
    if changed:
        for key in changed:
            setattr(booking, key, values[key])
        booking.booked_by = actor
        booking.updated_at = now
        booking.save(update_fields=[*changed, "booked_by", "updated_at"])
    return booking


def _diner_unit(actor: User) -> int:
    """The unit a diner's booking counts against; _require_diner has made sure there is one."""
    assert actor.unit_id is not None
    return actor.unit_id


def _require_diner(actor: User, service: MealService) -> None:
    if not permissions.may_dine(actor, service.canteen):
        raise ActionForbidden(_("您所在单位不在该食堂就餐范围内。"))


def booking_set(
    *, actor: User, service: MealService, day: date, eating: bool, now: datetime | None = None
) -> MealBooking:
    """Book (eating=True) or cancel / opt out (eating=False) the actor's own meal."""
    now = now_or(now)
    _require_diner(actor, service)
    require_bookable(service, day, now)
    with transaction.atomic():
        return _upsert(
            service=service, day=day, diner=actor, unit_id=_diner_unit(actor), actor=actor, now=now, eating=eating
        )


@dataclass
class WeekResult:
    changed: list[date] = field(default_factory=list)
    skipped: list[tuple[date, str]] = field(default_factory=list)


def booking_week(
    *, actor: User, service: MealService, week_start: date, eating: bool = True, now: datetime | None = None
) -> WeekResult:
    """The whole week in one tap: every served day still before its cut-off; the others are listed with why."""
    now = now_or(now)
    _require_diner(actor, service)
    days = week_of(week_start)
    serving = ServingDays(service.canteen, days[0], days[-1])
    result = WeekResult()
    with transaction.atomic():
        for day in days:
            if not serving.serves(day):
                continue
            reason = bookable_error(service, day, now, serving)
            if reason:
                result.skipped.append((day, reason))
                continue
            _upsert(
                service=service, day=day, diner=actor, unit_id=_diner_unit(actor), actor=actor, now=now, eating=eating
            )
            result.changed.append(day)
    if not result.changed:
        reasons = [reason for _day, reason in result.skipped] or [_("这一周没有可报的餐次。")]
        raise ValidationError({"week_start": reasons})
    return result


def guest_booking_set(
    *,
    actor: User,
    service: MealService,
    day: date,
    unit: Unit | None,
    guests: int,
    note: str = "",
    now: datetime | None = None,
) -> MealBooking:
    """A unit's liaison books (or, with 0, cancels) guest meals against the unit."""
    now = now_or(now)
    if unit is None or not permissions.is_liaison(actor, service.canteen) or actor.unit_id != unit.pk:
        raise ActionForbidden(_("只有本单位的联络人可以为本单位登记来客就餐。"))
    if not isinstance(guests, int) or guests < 0 or guests > MAX_GUESTS:
        raise ValidationError({"guests": [_("来客人数须在0到%(max)d之间。") % {"max": MAX_GUESTS}]})
    require_bookable(service, day, now)
    with transaction.atomic():
        return _upsert(
            service=service,
            day=day,
            diner=None,
            unit_id=unit.pk,
            actor=actor,
            now=now,
            eating=guests > 0,
            guests=guests,
            guest_note=note.strip()[:100],
        )


def eats(user: User, service: MealService, day: date) -> bool:
    """Whether the user is counted for the meal: booked (opt-in), or not opted out (opt-out)."""
    if not permissions.may_dine(user, service.canteen):
        return False
    row = MealBooking.objects.filter(service=service, date=day, diner=user).values_list("eating", flat=True).first()
    if service.canteen.booking_mode == BookingMode.OPT_IN:
        return bool(row)
    return row is None or bool(row)
