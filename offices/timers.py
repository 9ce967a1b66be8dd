"""The module's timers (Celery beat, ``servicedesk/schedule.py``): vacating reminders and overdue notices, and
rooms idle for six months proposed to the reallocation pool (调剂).

Each fires once, whatever the number of runs and workers: a deadline is claimed with an UPDATE that matches only
an unfired row, its event carries a key the database keeps unique, and a proposal is unique per room and idle
spell. Events are stamped with the moment the deadline was crossed, not the moment the timer ran.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from offices.models import OFFICE_USES, Allocation, ReallocationProposal, Seat, VacatingDeadline
from offices.selectors import q_current
from offices.services import add_months
from tickets.models import EventKind, Role, ServiceLine, User
from tickets.services import notifications
from tickets.services.common import now_or, record_event

REMIND_DAYS_BEFORE = 7
IDLE_MONTHS = 6


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _recipients(deadline: VacatingDeadline, *, bureau: bool) -> list[User]:
    q = Q(role=Role.UNIT_APPROVER, unit_id=deadline.seat.unit_id) | Q(pk=deadline.service_request.requester_id)
    if deadline.seat.person.user_id:
        q |= Q(pk=deadline.seat.person.user_id)
    if bureau:
        q |= Q(role=Role.SUPERVISOR, service_line=ServiceLine.OFFICE_SPACE)
    return list(User.objects.filter(q, is_active=True))


def vacating_timers(*, now: datetime | None = None) -> dict[str, int]:
    """Remind a week before a give-back deadline; notify the unit and the bureau once the day has passed."""
    now = now_or(now)
    today = timezone.localdate(now)
    counts = {"reminded": 0, "overdue": 0}
    open_ = VacatingDeadline.objects.filter(vacated_on__isnull=True).select_related(
        "seat__person", "seat__room", "service_request"
    )
    for deadline in open_.filter(reminded_at__isnull=True, due_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE)):
        moment = _midnight(deadline.due_on - timedelta(days=REMIND_DAYS_BEFORE))
        if _fire(deadline, "reminded_at", "remind", moment, now):
            counts["reminded"] += 1
    for deadline in open_.filter(overdue_at__isnull=True, due_on__lt=today):
        moment = _midnight(deadline.due_on + timedelta(days=1))
        if _fire(deadline, "overdue_at", "overdue", moment, now):
            counts["overdue"] += 1
    return counts


def _fire(deadline: VacatingDeadline, column: str, what: str, moment: datetime, now: datetime) -> bool:
    with transaction.atomic():
        claimed = VacatingDeadline.objects.filter(
            pk=deadline.pk, vacated_on__isnull=True, **{f"{column}__isnull": True}
        ).update(**{column: now})
        if not claimed:
            return False
        seat = deadline.seat
        params = {"room": seat.room.number, "person": seat.person.name, "due": deadline.due_on.isoformat()}
        if what == "remind":
            title = _("请于%(due)s前腾退%(room)s（%(person)s）") % params
        else:
            title = _("%(room)s（%(person)s）已超过腾退期限%(due)s") % params
        event = record_event(
            service_request=deadline.service_request,
            kind=EventKind.SLA_WARNING if what == "remind" else EventKind.SLA_BREACH,
            actor=None,
            at=moment,
            changes={
                "step": f"vacate_{'reminder' if what == 'remind' else 'overdue'}",
                "due": deadline.due_on.isoformat(),
            },
            note=title,
            dedupe_key=f"offices:vacate:{deadline.pk}:{what}",
        )
        if event is None:
            return False
        notifications.notify(event=event, recipients=_recipients(deadline, bureau=what == "overdue"), title=title)
    return True


def idle_rooms(*, now: datetime | None = None) -> int:
    """Office rooms a unit has held with nobody in them for six calendar months go to the reallocation pool."""
    now = now_or(now)
    today = timezone.localdate(now)
    held = Allocation.objects.filter(q_current(today), use__in=OFFICE_USES)
    occupied = Seat.objects.filter(q_current(today, start="since", end="until")).values("room_id")
    last_left = dict(
        Seat.objects.filter(room__in=held.values("room_id"))
        .values("room_id")
        .order_by()
        .annotate(last=Max("until"))
        .values_list("room_id", "last")
    )
    proposals = []
    for allocation in held.exclude(room__in=occupied):
        idle_since = max(d for d in (allocation.starts_on, last_left.get(allocation.room_id)) if d is not None)
        if add_months(idle_since, IDLE_MONTHS) <= today:
            proposals.append(
                ReallocationProposal(
                    room_id=allocation.room_id, unit_id=allocation.unit_id, idle_since=idle_since, proposed_at=now
                )
            )
    before = ReallocationProposal.objects.count()
    ReallocationProposal.objects.bulk_create(proposals, ignore_conflicts=True)
    return ReallocationProposal.objects.count() - before
