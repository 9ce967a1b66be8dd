"""The demo's year of requests, simulated: each request is planned up front (who files what, where, and how its
life goes) and played by an event scheduler in simulated time through the real services (request_create,
transition, feedback_submit, complaint_callback, sla_sweep, expire_feedback), so every deadline, breach, event
and notification is what production would have written. ``random.Random(SEED)`` makes it the same on every run.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tickets.demo.history_tables import (
    CANTEEN_ROOM,
    GOOD_COMMENTS,
    HOLD_NOTES,
    LOCATION,
    LOW_COMMENTS,
    OFF_DAY_CODES,
    REJECT_NOTES,
    REQUESTER_COMMENTS,
    SEASON,
    SO_SO_COMMENTS,
    TEXTS,
    WEIGHTS,
    WORKER_REPLIES,
)
from tickets.demo.tables import BUREAU_STAFF, CONTRACTOR_STAFF, REQUESTERS, UNITS, WORKERS_BY_ROOT
from tickets.models import (
    FINAL_STATUSES,
    Building,
    BusinessCalendar,
    Category,
    Complaint,
    Compound,
    HoldReason,
    Notification,
    Role,
    Room,
    RoomFunction,
    ServiceLine,
    ServiceRequest,
    SlaTargetRow,
    Status,
    Urgency,
    User,
)
from tickets.services.notifications import deliveries_suppressed
from tickets.sla.calendars import calendars_cached

SEED = 2026
KEY_PREFIX = "demo:"  # the system's idempotency keys of the demo's requests: their presence means the history is loaded
# Poisson rates of new requests per day: ~245 working days × 5.6 + ~120 other days × 1.0, plus the
# requests left open at the end: about 1500 a year.
WORKDAY_RATE = 5.6
OFFDAY_RATE = 1.0
# Times (h, m) of day at which the simulation runs the SLA sweeper; feedback windows are expired at 18:00.
SWEEP_TICKS = [(h, 0) for h in range(8, 23, 2)] + [(23, 59)]
INBOX_DAYS = 14  # in-app notifications are kept for the last two weeks of the history
OPEN_TARGET = 40  # requests left open near today, so the workbench and the dashboard show something


@dataclass
class _Plan:
    """One simulated request: what it is and how its life goes. Decided up front, played by the scheduler."""

    requester: User
    category: Category
    urgency: str
    title: str
    description: str
    resolution_note: str
    compound: Compound
    building: Building | None
    room: Room | None
    location_detail: str
    worker: User  # who does the work (a dispatcher takes complaints)
    fate: str = "work"  # work | cancel | reject | refuse (rejected at approval)
    stop: str = ""  # leave open at: submitted | accepted | in_progress | on_hold
    via_dispatch: bool = False
    late: set[str] = field(default_factory=set)
    hold: str = ""
    rating: int | None = None
    chat: bool = False
    req: ServiceRequest | None = None
    complaint: Complaint | None = None


@contextmanager
def backdated(*, now: datetime | None = None) -> Iterator[None]:
    """While the past is written, through the core's own switches (each undone on exit, for this context only):

    - no e-mail or webhook task is queued: those events happened months ago;
    - in-app notifications are written only for events of the last ``INBOX_DAYS`` before ``now``: older ones
      would long have been read, and a year of them only makes the load slow;
    - the working calendars are built once: the services otherwise re-read the holiday table on every deadline.
    """
    now = now or timezone.now()
    with deliveries_suppressed(inbox_since=now - timedelta(days=INBOX_DAYS)), calendars_cached():
        yield


def history_loaded() -> bool:
    return ServiceRequest.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists()


def load_history(now: datetime | None = None, months: int = 12, open_target: int = OPEN_TARGET) -> int:
    """About 125 requests a month for `months` months before `now`, driven through the real services in
    simulated time. Returns how many requests were filed (0 if the demo history exists already)."""
    if history_loaded():
        return 0
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    with backdated(now=now):
        sim = _Simulation(now=now, months=months, open_target=open_target)
        sim.run()
    return sim.filed


class _Simulation:
    def __init__(self, *, now: datetime, months: int, open_target: int) -> None:
        from tickets.services import deadlines
        from tickets.sla.calendars import load_work_calendar

        self.rng = random.Random(SEED)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.end = now
        self.start = now - timedelta(days=round(months * 365 / 12))
        self.open_target = open_target
        self.filed = 0
        self.queue: list[tuple[datetime, int, Callable[[datetime], object]]] = []
        self.seq = itertools.count()
        self.office = deadlines.office_calendar()
        self.calendars = {c.pk: load_work_calendar(c) for c in BusinessCalendar.objects.all()}
        # Keyed as a request names its row: (policy version, urgency).
        self.rows: dict[tuple[int | None, str], SlaTargetRow] = {
            (r.version_id, r.urgency): r for r in SlaTargetRow.objects.all()
        }
        self.users = {u.username: u for u in User.objects.select_related("unit", "contractor")}
        self.requesters = [self.users[username] for username, _n, _u in REQUESTERS]
        self.supervisors = {line: self.users[name] for name, _n, role, line in BUREAU_STAFF if role == Role.SUPERVISOR}
        self.dispatchers = {
            firm: self.users[name] for name, _n, firm, role in CONTRACTOR_STAFF if role == Role.DISPATCHER
        }
        self.categories = {c.code: c for c in Category.objects.select_related("parent", "parent__parent")}
        self.leaves = [code for code in WEIGHTS if code in self.categories]
        rooms = list(Room.objects.select_related("floor__building__compound"))
        self.rooms_by_key = {(r.floor.building.code, r.number): r for r in rooms}
        self.toilets: dict[int, list[Room]] = {}
        self.meeting_rooms: dict[str, list[Room]] = {}
        offices: dict[tuple[str, int], list[Room]] = {}
        for room in rooms:
            building = room.floor.building
            if room.function == RoomFunction.TOILET:
                self.toilets.setdefault(room.floor_id, []).append(room)
            elif room.function == RoomFunction.MEETING:
                self.meeting_rooms.setdefault(building.compound.code, []).append(room)
            elif room.function == RoomFunction.OFFICE:
                offices.setdefault((building.code, room.floor.level), []).append(room)
        self.unit_rooms: dict[str, list[Room]] = {}
        for code, _name, _parent, building_code, levels in UNITS:
            self.unit_rooms[code] = [r for level in levels for r in offices.get((building_code, level), [])]
        self.stalls = self.plan_stalls()
        self.stall_stages = itertools.cycle(["accepted", "in_progress", "submitted", "on_hold", "in_progress"])
        self.home = {user.pk: self.rng.choice(self.unit_rooms[user.unit.code]) for user in self.requesters if user.unit}

    # --- the scheduler ----------------------------------------------------------------------------------------

    def at(self, when: datetime, action: Callable[[datetime], object]) -> None:
        heapq.heappush(self.queue, (when, next(self.seq), action))

    def run_until(self, moment: datetime) -> None:
        while self.queue and self.queue[0][0] <= moment:
            when, _seq, action = heapq.heappop(self.queue)
            action(when)

    def later(self, plan: _Plan, start: datetime, minutes: float, *, office: bool = False) -> datetime:
        """`minutes` of the request's SLA clock after `start` (working minutes of its calendar, or wall-clock
        minutes for a calendar-time target), plus a few seconds so the timeline does not look machine-made."""
        from tickets.sla import clock

        req = plan.req
        assert req is not None
        calendar: clock.WorkCalendar | None = self.office
        business = True
        if not office:
            calendar = self.calendars.get(req.calendar_id) if req.calendar_id else None
            row = self.rows.get((req.policy_version_id, req.urgency))
            business = calendar is not None and (row is None or row.business_time)
        whole = max(1, int(minutes))
        if calendar is None or not business:
            due = start + timedelta(minutes=whole)
        else:
            due = clock.add_working_minutes(start, clock.Target(whole, True), calendar, (), 0).due or start
        return due + timedelta(seconds=self.rng.randrange(5, 59))

    def row(self, plan: _Plan) -> SlaTargetRow | None:
        req = plan.req
        assert req is not None
        return self.rows.get((req.policy_version_id, req.urgency))

    # --- the year ---------------------------------------------------------------------------------------------

    def run(self) -> None:
        from tickets.services.feedback import expire_feedback
        from tickets.services.sweeper import sla_sweep

        day = self.start.astimezone(self.tz).date()
        last = self.end.astimezone(self.tz).date()
        while day <= last:
            with transaction.atomic():  # one transaction per simulated week
                for _ in range(7):
                    if day > last:
                        break
                    self.plan_day(day)
                    for hour, minute in SWEEP_TICKS:
                        tick = datetime.combine(day, time(hour, minute), self.tz)
                        if tick > self.end:
                            break
                        self.run_until(tick)
                        sla_sweep(now=tick)
                        if (hour, minute) == (18, 0):
                            expire_feedback(now=tick)
                    day += timedelta(days=1)
        with transaction.atomic():
            self.run_until(self.end)
            sla_sweep(now=self.end)
            expire_feedback(now=self.end)
            # Notifications of the past were read long ago; the last few days stay unread.
            Notification.objects.filter(
                request__idempotency_key__startswith=KEY_PREFIX,
                read_at__isnull=True,
                created_at__lt=self.end - timedelta(days=3),
            ).update(read_at=F("created_at") + timedelta(hours=1))

    def is_working_day(self, day: date) -> bool:
        from tickets.sla.clock import is_working_day

        return is_working_day(day, self.office)

    def plan_day(self, day: date) -> None:
        working = self.is_working_day(day)
        for _ in range(self._poisson(WORKDAY_RATE if working else OFFDAY_RATE)):
            if working:
                hour = self.rng.choices(
                    [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
                    weights=[1, 6, 12, 12, 9, 4, 5, 10, 11, 9, 5, 2, 1, 1],
                )[0]
            else:
                hour = self.rng.randrange(7, 22)
            when = datetime.combine(day, time(hour, self.rng.randrange(60)), self.tz)
            if self.start <= when <= self.end:
                self.at(when, self.plan_and_file(day, working))
        # The last working days also leave requests open (accepted, in progress, on hold…) for the workbench.
        for _ in range(self.stalls.get(day, 0)):
            when = datetime.combine(day, time(self.rng.randint(8, 16), self.rng.randrange(60)), self.tz)
            if self.start <= when <= self.end - timedelta(hours=1):
                self.at(when, self.plan_and_file(day, working, stop=next(self.stall_stages)))

    def plan_stalls(self) -> dict[date, int]:
        """How many requests to leave open on each of the last three working days (about `open_target`)."""
        days: list[date] = []
        day = self.end.astimezone(self.tz).date()
        if self.end.astimezone(self.tz).time() < time(17, 30):
            day -= timedelta(days=1)  # today is not over: its requests are still in flight anyway
        while len(days) < 3 and day >= self.start.astimezone(self.tz).date():
            if self.is_working_day(day):
                days.append(day)
            day -= timedelta(days=1)
        if not days:
            return {}
        share, extra = divmod(self.open_target, len(days))
        return {d: share + (1 if i < extra else 0) for i, d in enumerate(days)}

    def _poisson(self, lam: float) -> int:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def pick_category(self, day: date, working: bool) -> Category:
        codes = self.leaves if working else [c for c in self.leaves if c in OFF_DAY_CODES]
        weights = [WEIGHTS[c] * SEASON.get(c, {}).get(day.month, 1) for c in codes]
        return self.categories[self.rng.choices(codes, weights=weights)[0]]

    def plan_and_file(self, day: date, working: bool, stop: str = "") -> Callable[[datetime], None]:
        def file(when: datetime) -> None:
            category = self.pick_category(day, working)
            while stop and category.default_urgency == Urgency.CRITICAL:
                category = self.pick_category(day, working)
            self.file(self.make_plan(category, when, stop=stop), when)

        return file

    # --- one request ------------------------------------------------------------------------------------------

    def make_plan(self, category: Category, when: datetime, stop: str = "") -> _Plan:
        rng = self.rng
        requester = rng.choice(self.requesters)
        home = self.home[requester.pk]
        mode = LOCATION.get(category.code, "room")
        unit = requester.unit
        assert unit is not None  # the demo's requesters all belong to a unit
        office = home if rng.random() < 0.6 else rng.choice(self.unit_rooms[unit.code])
        site = home.floor.building
        compound = site.compound
        room: Room | None = office
        building: Building | None = site
        detail = ""
        if mode == "toilet":
            toilet = rng.choice(self.toilets.get(office.floor_id) or self.toilets[home.floor_id])
            room, place = toilet, f"{toilet.floor.level}楼卫生间"
        elif mode == "meeting":
            meeting = rng.choice(self.meeting_rooms.get(compound.code) or [office])
            room, building, place = meeting, meeting.floor.building, f"{meeting.number}会议室"
        elif mode == "canteen":
            building_code, number = CANTEEN_ROOM[compound.code]
            canteen = self.rooms_by_key[(building_code, number)]
            room, building, place = canteen, canteen.floor.building, f"{canteen.floor.building.name}餐厅"
        elif mode == "lift":
            room, detail = None, f"{rng.randint(1, 3)}号电梯"
            place = f"{site.name}{detail}"
        elif mode == "entrance":
            room, detail = None, rng.choice(["东门", "西门", "北门", "地下车库入口", "大堂"])
            place = f"{site.name}{detail}"
        elif mode == "parking":
            room, building = None, None
            detail = rng.choice([f"{compound.name}地下停车场", f"{compound.name}东侧地面停车场"])
            place = detail
        elif mode == "building":
            room = None
            place = site.name
        else:
            place = f"{office.number}室"
        titles, descriptions, notes = TEXTS[category.code]
        urgency = category.default_urgency
        roll = rng.random()
        if urgency == Urgency.NORMAL and roll < 0.12:
            urgency = Urgency.URGENT
        elif category.code == "water-leak" and roll < 0.08:
            urgency = Urgency.CRITICAL  # 大面积漏水
        root = (
            category.parent.code if category.parent and category.parent.parent else (category.parent or category).code
        )
        title = rng.choice(titles).format(place=place)
        description = rng.choice(descriptions)
        resolution_note = rng.choice(notes).format(place=place)
        plan = _Plan(
            requester=requester,
            category=category,
            urgency=urgency,
            title=title,
            description=description,
            resolution_note=resolution_note,
            compound=compound,
            building=building,
            room=room,
            location_detail=detail,
            worker=self.users[rng.choice(WORKERS_BY_ROOT.get(root, WORKERS_BY_ROOT["repair-water"]))],
        )
        plan.via_dispatch = (
            plan.worker.role == Role.DISPATCHER or category.service_line == ServiceLine.CANTEEN or (rng.random() < 0.4)
        )
        roll = rng.random()
        if category.needs_approval and roll < 0.12:
            plan.fate = "refuse"
        elif roll < 0.02:
            plan.fate = "cancel"
        elif roll < 0.03 and category.service_line == ServiceLine.PROPERTY:
            plan.fate = "reject"
        for target, chance in (("response", 0.06), ("arrival", 0.05), ("resolution", 0.06)):
            if rng.random() < chance:
                plan.late.add(target)
        if category.service_line == ServiceLine.PROPERTY and root.startswith("repair") and rng.random() < 0.07:
            plan.hold = rng.choice(
                [HoldReason.AWAITING_PARTS, HoldReason.AWAITING_PARTS, HoldReason.AWAITING_REQUESTER]
            )
        if rng.random() < (0.5 if category.service_line == ServiceLine.CANTEEN else 0.68):
            roll = rng.random()
            plan.rating = 5 if roll < 0.58 else 4 if roll < 0.88 else 3 if roll < 0.97 else rng.choice([1, 2])
        plan.chat = rng.random() < 0.1
        if urgency == Urgency.CRITICAL:
            stop = ""  # nobody leaves a person trapped in a lift for the demo's sake
        elif stop in ("in_progress", "on_hold") and category.service_line == ServiceLine.CANTEEN:
            stop = "accepted"  # a canteen reply goes from accepted straight to resolved
        elif stop == "on_hold" and not root.startswith("repair"):
            stop = "in_progress"  # only repairs wait for parts or for the requester
        elif stop == "on_hold" and not plan.hold:
            plan.hold = rng.choice([HoldReason.AWAITING_PARTS, HoldReason.AWAITING_REQUESTER])
        plan.stop = stop
        if stop:
            plan.fate = "work"
        return plan

    def file(self, plan: _Plan, when: datetime) -> None:
        from tickets.services.requests import request_create

        self.filed += 1
        req = request_create(
            actor=plan.requester,
            category=plan.category,
            title=plan.title,
            description=plan.description,
            urgency=plan.urgency,
            compound=plan.compound,
            building=plan.building,
            room=plan.room,
            location_detail=plan.location_detail,
            idempotency_key=f"{KEY_PREFIX}{self.filed:05d}",
            now=when,
        )
        plan.req = req
        if plan.chat:
            self.at(when + timedelta(minutes=self.rng.randint(3, 15)), lambda t: self.chat(plan, t))
        if req.status == Status.PENDING_APPROVAL:
            self.at(self.later(plan, when, self.rng.uniform(15, 300), office=True), lambda t: self.approve(plan, t))
        else:
            self.submitted(plan, when)

    def chat(self, plan: _Plan, when: datetime) -> None:
        """The requester asks after the request, unless it was cancelled or turned down meanwhile: a finished
        request takes no more comments."""
        from tickets.services.comments import comment_add

        body = self.rng.choice(REQUESTER_COMMENTS)
        if plan.req is not None and plan.req.status not in FINAL_STATUSES:
            comment_add(service_request=plan.req, actor=plan.requester, body=body, now=when)

    def act(self, plan: _Plan, action: str, actor: User | None, when: datetime, **kwargs: Any) -> None:
        from tickets.services.transitions import transition

        assert plan.req is not None
        plan.req = transition(service_request=plan.req, action=action, actor=actor, now=when, **kwargs)

    def approve(self, plan: _Plan, when: datetime) -> None:
        supervisor = self.supervisors[plan.category.service_line]
        if plan.fate == "refuse":
            self.act(plan, "reject", supervisor, when, note="本季度车位已分配完毕，已列入候补名单。")
            return
        self.act(plan, "approve", supervisor, when, note="同意。")
        self.submitted(plan, when)

    def submitted(self, plan: _Plan, t0: datetime) -> None:
        """The contractor's clock runs from t0: cancel, reject or work."""
        rng = self.rng
        row = self.row(plan)
        if plan.stop == "submitted" or row is None:
            return
        if plan.fate == "cancel":
            self.at(
                self.later(plan, t0, rng.uniform(3, 40)),
                lambda t: self.act(plan, "cancel", plan.requester, t, note="已自行解决，撤销报修。"),
            )
            return
        if plan.fate == "reject":
            supervisor = self.supervisors[plan.category.service_line]
            note = REJECT_NOTES[ServiceLine(plan.category.service_line)]
            self.at(
                self.later(plan, t0, rng.uniform(10, 50), office=True),
                lambda t: self.act(plan, "reject", supervisor, t, note=note),
            )
            return
        fraction = rng.uniform(1.15, 3.0) if "response" in plan.late else rng.uniform(0.15, 0.9)
        accept_at = self.later(plan, t0, fraction * row.response_minutes)
        if plan.via_dispatch:
            firm = plan.worker.contractor
            assert firm is not None  # the demo's workers all work for a contractor
            dispatcher = self.dispatchers[firm.code]
            assign_at = self.later(plan, t0, fraction * row.response_minutes * rng.uniform(0.2, 0.6))
            self.at(
                min(assign_at, accept_at - timedelta(seconds=30)),
                lambda t: self.act(plan, "assign", dispatcher, t, assignee=plan.worker),
            )
        self.at(accept_at, lambda t: self.accepted(plan, t, t0))

    def accepted(self, plan: _Plan, when: datetime, t0: datetime) -> None:
        from tickets.services.comments import comment_add

        rng = self.rng
        self.act(plan, "accept", plan.worker, when)
        if plan.chat and plan.req is not None:
            comment_add(service_request=plan.req, actor=plan.worker, body=rng.choice(WORKER_REPLIES), now=when)
        if plan.stop == "accepted":
            return
        row = self.row(plan)
        assert row is not None
        if plan.category.service_line == ServiceLine.CANTEEN:
            self.schedule_resolve(plan, when, t0)  # a reply, no visit
            return
        if row.arrival_minutes:
            fraction = rng.uniform(1.1, 2.2) if "arrival" in plan.late else rng.uniform(0.3, 0.95)
            start_at = self.later(plan, t0, fraction * row.arrival_minutes)
        else:
            start_at = self.later(plan, when, rng.uniform(10, 120))
        start_at = max(start_at, when + timedelta(minutes=rng.randint(2, 8)))
        self.at(start_at, lambda t: self.started(plan, t, t0))

    def started(self, plan: _Plan, when: datetime, t0: datetime) -> None:
        self.act(plan, "start", plan.worker, when)
        if plan.stop == "in_progress":
            return
        if plan.hold:
            self.at(self.later(plan, when, self.rng.uniform(15, 60)), lambda t: self.held(plan, t))
        else:
            self.schedule_resolve(plan, when, t0)

    def held(self, plan: _Plan, when: datetime) -> None:
        self.act(plan, "hold", plan.worker, when, hold_reason=plan.hold, note=self.rng.choice(HOLD_NOTES[plan.hold]))
        if plan.stop == "on_hold":
            return
        span = self.rng.uniform(300, 1200) if plan.hold == HoldReason.AWAITING_PARTS else self.rng.uniform(40, 300)
        self.at(self.later(plan, when, span, office=True), lambda t: self.resumed(plan, t))

    def resumed(self, plan: _Plan, when: datetime) -> None:
        self.act(plan, "resume", plan.worker, when)
        self.at(self.later(plan, when, self.rng.uniform(20, 120)), lambda t: self.resolved(plan, t))

    def schedule_resolve(self, plan: _Plan, when: datetime, t0: datetime) -> None:
        rng = self.rng
        row = self.row(plan)
        assert row is not None
        minimum = when + timedelta(minutes=rng.randint(10, 40))
        if row.resolution_minutes:
            fraction = rng.uniform(1.1, 2.0) if "resolution" in plan.late else rng.uniform(0.15, 0.85)
            resolve_at = max(minimum, self.later(plan, t0, fraction * row.resolution_minutes))
        else:
            resolve_at = self.later(plan, minimum, rng.uniform(10, 120))
        self.at(resolve_at, lambda t: self.resolved(plan, t))

    def resolved(self, plan: _Plan, when: datetime) -> None:
        self.act(plan, "resolve", plan.worker, when, note=plan.resolution_note)
        if plan.rating is None:
            return  # left unrated: expire_feedback closes it when the window ends
        req = plan.req
        assert req is not None and req.feedback_due is not None
        rate_at = self.later(plan, when, self.rng.uniform(5, 1100), office=True)
        if rate_at >= req.feedback_due:
            rate_at = req.feedback_due - timedelta(minutes=self.rng.randint(5, 120))
        self.at(max(rate_at, when + timedelta(minutes=2)), lambda t: self.rated(plan, t))

    def rated(self, plan: _Plan, when: datetime) -> None:
        from tickets.services.feedback import feedback_submit

        rng = self.rng
        rating = plan.rating
        assert rating is not None and plan.req is not None
        low = rating <= settings.SERVICEDESK["LOW_RATING"]
        if low:
            comment = rng.choice(LOW_COMMENTS[ServiceLine(plan.category.service_line)])
        elif rating == 3:
            comment = rng.choice(SO_SO_COMMENTS)
        else:
            comment = rng.choice(GOOD_COMMENTS) if rng.random() < 0.2 else ""
        feedback = feedback_submit(
            service_request=plan.req, actor=plan.requester, rating=rating, comment=comment, now=when
        )
        if not low:
            return
        plan.complaint = Complaint.objects.filter(feedback=feedback).first()
        supervisor = self.supervisors[plan.category.service_line]
        self.at(
            self.later(plan, when, rng.uniform(20, 90), office=True),
            lambda t: self.called_back(
                plan, supervisor, t, "已电话回访报修人，督促服务商返工并限时办结。", close=False
            ),
        )
        # The contractor comes back: accept, go there again, fix it properly; then the requester confirms.
        self.at(self.later(plan, when, rng.uniform(10, 60)), lambda t: self.rework(plan, t))

    def called_back(self, plan: _Plan, supervisor: User, when: datetime, note: str, *, close: bool) -> None:
        from tickets.services.feedback import complaint_callback

        if plan.complaint is not None and plan.complaint.state != Complaint.State.CLOSED:
            plan.complaint = complaint_callback(
                complaint=plan.complaint, actor=supervisor, note=note, close=close, now=when
            )

    def rework(self, plan: _Plan, when: datetime) -> None:
        self.act(plan, "accept", plan.worker, when)
        if plan.category.service_line == ServiceLine.CANTEEN:
            self.at(self.later(plan, when, self.rng.uniform(30, 240)), lambda t: self.reworked(plan, t))
        else:
            self.at(self.later(plan, when, self.rng.uniform(10, 60)), lambda t: self.rework_started(plan, t))

    def rework_started(self, plan: _Plan, when: datetime) -> None:
        self.act(plan, "start", plan.worker, when)
        self.at(self.later(plan, when, self.rng.uniform(30, 240)), lambda t: self.reworked(plan, t))

    def reworked(self, plan: _Plan, when: datetime) -> None:
        rng = self.rng
        self.act(plan, "resolve", plan.worker, when, note="返工：" + plan.resolution_note)
        supervisor = self.supervisors[plan.category.service_line]
        confirm_at = self.later(plan, when, rng.uniform(30, 600), office=True)
        self.at(confirm_at, lambda t: self.act(plan, "confirm", plan.requester, t))
        self.at(
            confirm_at + timedelta(minutes=rng.randint(20, 90)),
            lambda t: self.called_back(
                plan, supervisor, t, "返工后再次回访，报修人表示问题已解决，投诉办结。", close=True
            ),
        )
