"""Head counts (计口下粮): frozen at each meal's cut-off and sent to the operator once.

``freeze_due_head_counts`` runs from beat every few minutes. It reads the active meal services, their serving
days and the counts already frozen in a few queries, then freezes each due (service, day) in its own short
transaction. The row is unique per (service, day), so a second run, or two workers at once, freeze and notify
once: the loser of the race gets an IntegrityError and moves on. In-app notices are written with the count;
e-mails and webhooks are queued on commit and claimed before they are sent.
"""

from __future__ import annotations

import json
import urllib.request
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from canteen import permissions
from canteen.days import ServingDays, cutoff_at
from canteen.models import (
    BookingMode,
    Dish,
    DishRating,
    HeadCount,
    HeadCountNotice,
    HeadCountWebhook,
    MealBooking,
    MealService,
    MenuStatus,
)
from tickets.exceptions import ActionForbidden
from tickets.models import Role, ServiceLine, User, WebhookEndpoint
from tickets.services.common import now_or
from tickets.services.notifications import deliveries_are_suppressed, sign
from tickets.sla.calendars import calendars_cached

# A beat that was down for a while still freezes yesterday's late meals, but no older ones: a count sent days
# late would only confuse the kitchen.
CATCH_UP_DAYS = 1
HISTORY_COUNTS = 20
HISTORY_RATING_DAYS = 90
WEBHOOK_KIND = "canteen_head_count"


def live_count(service: MealService, day: date) -> tuple[int, int]:
    """(diners, guests) for the meal as the bookings stand now."""
    agg = MealBooking.objects.filter(service=service, date=day).aggregate(
        booked=Count("id", filter=Q(diner__isnull=False, eating=True)),
        opted_out=Count("id", filter=Q(diner__isnull=False, eating=False)),
        guests=Sum("guests", filter=Q(diner__isnull=True)),
    )
    guests = agg["guests"] or 0
    if service.canteen.booking_mode == BookingMode.OPT_IN:
        return agg["booked"], guests
    staff = User.objects.filter(is_active=True, unit__canteens=service.canteen_id, contractor__isnull=True).count()
    return max(0, staff - agg["opted_out"]), guests


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def dish_estimates(service: MealService, day: date, total: int) -> list[dict[str, Any]]:
    """Portions per dish: the count, corrected by how many of those counted came in the last weeks, split within
    each category by how often each dish was eaten and rated before (one extra vote each, so a new dish gets a
    share)."""
    dishes = list(
        Dish.objects.filter(
            menu__canteen_id=service.canteen_id,
            menu__status=MenuStatus.PUBLISHED,
            date=day,
            meal=service.meal,
            withdrawn=False,
        ).order_by("category", "id")
    )
    if not dishes:
        return []
    history = HeadCount.objects.filter(service=service, served__isnull=False, date__lt=day).order_by("-date")[
        :HISTORY_COUNTS
    ]
    sums = [(h.served or 0, h.total) for h in history]  # served is set on every row of the history
    counted = sum(t for _s, t in sums)
    factor = Decimal(sum(s for s, _t in sums)) / Decimal(counted) if counted else Decimal(1)
    portions = Decimal(total) * factor
    since = day - timedelta(days=HISTORY_RATING_DAYS)
    votes = dict(
        DishRating.objects.filter(
            dish__menu__canteen_id=service.canteen_id,
            dish__meal=service.meal,
            dish__date__gte=since,
            dish__date__lt=day,
            dish__name__in=[d.name for d in dishes],
        )
        .values_list("dish__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_category: dict[str, list[Dish]] = defaultdict(list)
    for dish in dishes:
        by_category[dish.category].append(dish)
    out = []
    for category, group in by_category.items():
        weights = {d.pk: Decimal(1 + votes.get(d.name, 0)) for d in group}
        whole = sum(weights.values())
        for dish in group:
            out.append(
                {
                    "dish": dish.pk,
                    "name": dish.name,
                    "category": category,
                    "portions": _round(portions * weights[dish.pk] / whole),
                }
            )
    return out


def operators_of(service: MealService) -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.DISPATCHER, contractor_id=service.canteen.contractor_id))


def head_count_title(head_count: HeadCount) -> str:
    service = head_count.service
    return _("%(canteen)s %(date)s %(meal)s：%(total)d 人（含来客 %(guests)d 人）") % {
        "canteen": service.canteen.name,
        "date": head_count.date.isoformat(),
        "meal": service.get_meal_display(),
        "total": head_count.total,
        "guests": head_count.guests,
    }


def head_count_freeze(*, service: MealService, day: date, now: datetime | None = None) -> HeadCount | None:
    """Freeze the meal's count and notify the operator; None when it was frozen already (by anyone)."""
    now = now_or(now)
    if HeadCount.objects.filter(service=service, date=day).exists():
        return None
    diners, guests = live_count(service, day)
    total = diners + guests
    estimates = dish_estimates(service, day, total)
    try:
        with transaction.atomic():
            head_count = HeadCount.objects.create(
                service=service,
                date=day,
                diners=diners,
                guests=guests,
                total=total,
                dish_estimates=estimates,
                frozen_at=now,
            )
            title = head_count_title(head_count)
            HeadCountNotice.objects.bulk_create(
                [
                    HeadCountNotice(head_count=head_count, recipient=user, title=title, created_at=now)
                    for user in operators_of(service)
                ]
            )
            endpoints = list(
                WebhookEndpoint.objects.filter(active=True)
                .filter(Q(service_line="") | Q(service_line=ServiceLine.CANTEEN))
                .values_list("pk", "event_kinds")
            )
            endpoint_ids = [pk for pk, kinds in endpoints if not kinds or WEBHOOK_KIND in kinds]
            if not deliveries_are_suppressed():  # back-dated history (the demo): the in-app notices only
                HeadCountWebhook.objects.bulk_create(
                    [HeadCountWebhook(head_count=head_count, endpoint_id=pk) for pk in endpoint_ids]
                )
                transaction.on_commit(lambda: _enqueue(head_count.pk, endpoint_ids))
    except IntegrityError:
        return None  # frozen by another worker at the same moment
    return head_count


def _enqueue(head_count_id: int, endpoint_ids: list[int]) -> None:
    from canteen import tasks

    tasks.send_head_count_emails.delay(head_count_id)
    for pk in endpoint_ids:
        tasks.deliver_head_count_webhook.delay(pk, head_count_id)


def due_meals(*, now: datetime) -> list[tuple[MealService, date]]:
    """The (service, day) pairs whose cut-off has passed and whose count is not frozen yet."""
    today = timezone.localdate(now)
    services = list(MealService.objects.filter(active=True, canteen__active=True).select_related("canteen__calendar"))
    if not services:
        return []
    horizon = max(s.cutoff_days_before for s in services)
    first, last = today - timedelta(days=CATCH_UP_DAYS), today + timedelta(days=horizon)
    frozen = set(HeadCount.objects.filter(date__gte=first, date__lte=last).values_list("service_id", "date"))
    due = []
    serving_by_canteen: dict[int, ServingDays] = {}
    with calendars_cached():
        for service in services:
            serving = serving_by_canteen.get(service.canteen_id)
            if serving is None:
                serving = serving_by_canteen[service.canteen_id] = ServingDays(service.canteen, first, last)
            day = first
            while day <= last:
                if (service.pk, day) not in frozen and cutoff_at(service, day) <= now and serving.serves(day):
                    due.append((service, day))
                day += timedelta(days=1)
    return due


def freeze_due_head_counts(*, now: datetime | None = None) -> int:
    """Beat: freeze every meal whose cut-off has passed. Safe to run twice and on two workers at once."""
    now = now_or(now)
    frozen = 0
    for service, day in due_meals(now=now):
        if head_count_freeze(service=service, day=day, now=now) is not None:
            frozen += 1
    return frozen


def head_count_record_served(
    *, actor: User, head_count: HeadCount, served: int, now: datetime | None = None
) -> HeadCount:
    """The operator records how many actually ate: the booked-vs-served report and the next estimates use it."""
    if not permissions.is_operator(actor, head_count.service.canteen):
        raise ActionForbidden(_("只有食堂运营方可以登记实际就餐人数。"))
    if not isinstance(served, int) or served < 0 or served > 100000:
        raise ValidationError({"served": [_("实际就餐人数须为不小于0的整数。")]})
    HeadCount.objects.filter(pk=head_count.pk).update(served=served)
    head_count.served = served
    return head_count


def send_head_count_emails(*, head_count_id: int, now: datetime | None = None) -> int:
    now = now_or(now)
    sent = 0
    for notice in HeadCountNotice.objects.filter(head_count_id=head_count_id, emailed_at__isnull=True).select_related(
        "recipient", "head_count__service__canteen"
    ):
        if not notice.recipient.email:
            continue
        # Claimed before sending: a second worker with the same task finds nothing left.
        if not HeadCountNotice.objects.filter(pk=notice.pk, emailed_at__isnull=True).update(emailed_at=now):
            continue
        send_mail(notice.title, _email_body(notice.head_count), None, [notice.recipient.email])
        sent += 1
    return sent


def _email_body(head_count: HeadCount) -> str:
    lines = [head_count_title(head_count), ""]
    lines += [f"{row['name']}: {row['portions']}" for row in head_count.dish_estimates]
    return "\n".join(lines)


def head_count_payload(head_count: HeadCount) -> dict[str, Any]:
    service = head_count.service
    return {
        "event": WEBHOOK_KIND,
        "canteen": service.canteen.code,
        "meal": service.meal,
        "date": head_count.date.isoformat(),
        "diners": head_count.diners,
        "guests": head_count.guests,
        "total": head_count.total,
        "dishes": head_count.dish_estimates,
        "frozen_at": head_count.frozen_at.isoformat(),
    }


def deliver_head_count_webhook(*, endpoint_id: int, head_count_id: int, now: datetime | None = None) -> bool:
    """POST the count once, signed as the core signs its events; raises on failure so the task retries."""
    now = now_or(now)
    row = (
        HeadCountWebhook.objects.select_related("endpoint", "head_count__service__canteen")
        .filter(endpoint_id=endpoint_id, head_count_id=head_count_id, delivered_at__isnull=True)
        .first()
    )
    if row is None:
        return False
    body = json.dumps(head_count_payload(row.head_count), ensure_ascii=False).encode()
    post = urllib.request.Request(  # noqa: S310 - the bureau configures the URL in the admin
        row.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Servicedesk-Signature": sign(row.endpoint.secret, body),
            "X-Servicedesk-Delivery": f"canteen-{row.pk}",
        },
    )
    HeadCountWebhook.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
    try:
        with urllib.request.urlopen(post, timeout=settings.SERVICEDESK["WEBHOOK_TIMEOUT_SECONDS"]) as answer:  # noqa: S310
            if answer.status >= 300:
                raise OSError(f"HTTP {answer.status}")
    except OSError as exc:
        HeadCountWebhook.objects.filter(pk=row.pk).update(last_error=str(exc)[:300])
        raise
    return bool(HeadCountWebhook.objects.filter(pk=row.pk, delivered_at__isnull=True).update(delivered_at=now))
