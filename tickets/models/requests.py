from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tickets.models.choices import HoldReason, ServiceLine, Status, Urgency
from tickets.querysets import BREACH_FLAGS, BREACHED_Q, OPEN_Q, ServiceRequestQuerySet

#: Where a request without deadlines sorts in a queue ordered by `queue_due`: after every real deadline.
QUEUE_END = datetime(9999, 12, 31, tzinfo=UTC)


class ServiceRequest(models.Model):
    """Every request of every module: one number series, one status machine, one SLA clock.

    Status and the SLA columns change only in tickets.services.transitions.transition().
    """

    kind = models.CharField(_("业务类型"), max_length=30, db_index=True)
    category = models.ForeignKey("tickets.Category", on_delete=models.PROTECT, verbose_name=_("服务分类"))
    service_line = models.CharField(_("服务条线"), max_length=20, choices=ServiceLine.choices, db_index=True)
    urgency = models.CharField(_("紧急程度"), max_length=20, choices=Urgency.choices)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"), blank=True)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requests", verbose_name=_("申请人")
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    unit = models.ForeignKey("tickets.Unit", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("单位"))
    compound = models.ForeignKey("tickets.Compound", on_delete=models.PROTECT, verbose_name=_("院区"))
    building = models.ForeignKey(
        "tickets.Building", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("楼栋")
    )
    room = models.ForeignKey("tickets.Room", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("房间"))
    location_detail = models.CharField(_("位置说明"), max_length=200, blank=True)

    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, db_index=True)
    approval_stage = models.PositiveSmallIntegerField(_("审批环节"), default=0)
    hold_reason = models.CharField(_("挂起原因"), max_length=30, choices=HoldReason.choices, blank=True)
    contract = models.ForeignKey(
        "tickets.Contract", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("合同")
    )
    contractor = models.ForeignKey(
        "tickets.Contractor", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("服务商")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
        verbose_name=_("处理人"),
    )

    # SLA snapshot: the policy version and calendar this request was opened under.
    policy_version = models.ForeignKey(
        "tickets.SlaPolicyVersion", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("SLA策略版本")
    )
    calendar = models.ForeignKey(
        "tickets.BusinessCalendar", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("工作日历")
    )
    calendar_version = models.ForeignKey(
        "tickets.CalendarVersion", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("工作日历版本")
    )
    clock_started_at = models.DateTimeField(_("计时开始"), null=True, blank=True)
    # The resolution clock restarts when a request is reopened; response and arrival keep the first start.
    resolution_clock_from = models.DateTimeField(_("办结计时开始"), null=True, blank=True)
    calendar_incomplete = models.BooleanField(_("日历不完整"), default=False)
    response_due = models.DateTimeField(_("受理时限"), null=True, blank=True, db_index=True)
    arrival_due = models.DateTimeField(_("到场时限"), null=True, blank=True, db_index=True)
    resolution_due = models.DateTimeField(_("办结时限"), null=True, blank=True, db_index=True)
    response_warn_at = models.DateTimeField(null=True, blank=True)
    arrival_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    # The earliest pending warning or breach moment: the sweeper's index.
    next_sla_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    response_breached = models.BooleanField(_("受理超时"), default=False)
    arrival_breached = models.BooleanField(_("到场超时"), default=False)
    resolution_breached = models.BooleanField(_("办结超时"), default=False)

    responded_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停计时于"), null=True, blank=True)
    # Business minutes from clock start to response/resolution, net of pauses: the report's durations.
    response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    feedback_due = models.DateTimeField(_("评价截止"), null=True, blank=True, db_index=True)
    reopen_count = models.PositiveSmallIntegerField(_("重开次数"), default=0)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)

    # Kept by the database from the status, so it never disagrees with it. The open queues are ordered by deadline
    # across several open states; a single column lets one index serve that order.
    is_open = models.GeneratedField(
        # Django takes a Q as a boolean expression here; the stubs ask for an Expression.
        expression=OPEN_Q,  # type: ignore[arg-type]
        output_field=models.BooleanField(_("未结")),
        db_persist=True,
        editable=False,
    )

    # The moment the contractor must act next (respond, then arrive, then resolve), kept by the database, so the
    # queues sorted by it walk an index instead of sorting every open request by a computed expression (SQLite
    # scanned the whole table for a supervisor's workbench). A request without deadlines sorts last: QUEUE_END.
    queue_due = models.GeneratedField(
        expression=Coalesce(
            Case(
                When(responded_at__isnull=True, then=F("response_due")),
                When(Q(arrived_at__isnull=True, arrival_due__isnull=False), then=F("arrival_due")),
                default=F("resolution_due"),
            ),
            Value(QUEUE_END),
        ),
        output_field=models.DateTimeField(_("下一时限")),
        db_persist=True,
        editable=False,
    )

    created_at = models.DateTimeField(_("提交时间"), db_index=True)
    updated_at = models.DateTimeField(_("更新时间"))
    # A filer's own key (no ":") is unique per filer; a key with ":" is the system's ("inspection:12:3"), unique
    # across the table. Users cannot write ":" (IDEMPOTENCY_KEY_VALIDATOR), so no one can take a system key, and
    # two filers choosing the same key do not collide.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    # The words of the title and description, space-separated, for the full-text index (tickets/search.py).
    search_tokens = models.TextField(blank=True, default="", editable=False)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务请求")
        verbose_name_plural = _("服务请求")
        ordering = ["-created_at", "-id"]
        # The request list's shapes (bench/core_bench.py measures each at 100k requests). The columns a bureau
        # supervisor's visibility reads (service line, requester, filer) ride along in three of them, so counting a
        # status, the open backlog or the breached never visits the table. The partial index repeats the exact
        # condition of the `breached` filter, which is what lets SQLite and PostgreSQL use it.
        indexes = [
            models.Index(fields=["contractor", "status"], name="request_contractor_status"),
            models.Index(fields=["requester", "-created_at"], name="request_requester_created"),
            models.Index(fields=["status", "resolution_due"], name="request_status_due"),
            models.Index(fields=["status", "building", "urgency", "created_at"], name="request_status_place"),
            models.Index(
                fields=["status", "created_at", "service_line", "requester", "filed_by", "contractor"],
                name="request_status_created",
            ),
            models.Index(
                fields=["contractor", "is_open", "resolution_due", "status"], name="request_contractor_open_due"
            ),
            models.Index(
                fields=["is_open", "resolution_due", "service_line", "requester", "filed_by"], name="request_open_due"
            ),
            # The queues by next deadline (workbench, my tasks, the console's "due within the hour"): the bureau's
            # with the columns a supervisor's visibility reads, a contractor's, a worker's.
            models.Index(
                fields=[
                    *("is_open", "queue_due", "created_at", "service_line", "requester", "filed_by"),
                    *("status", "contractor"),
                ],
                name="request_queue",
            ),
            # The status rides along so that counting a queue (all open but those awaiting approval) reads no rows.
            models.Index(
                fields=["contractor", "is_open", "queue_due", "created_at", "status"], name="request_contractor_queue"
            ),
            models.Index(
                fields=["assignee", "is_open", "queue_due", "created_at", "contractor", "status"],
                name="request_assignee_queue",
            ),
            # Open requests no contract covers (the console's "to route" list), a handful among the open ones.
            models.Index(
                fields=["created_at", "service_line"],
                condition=Q(is_open=True, contractor__isnull=True),
                name="request_unrouted",
            ),
            # The report's backlog at a moment (`reports.selectors.open_at_q`): the unfinished by creation time, and
            # those finished after the moment by when they were resolved or closed, instead of the whole table.
            models.Index(
                fields=["created_at"],
                condition=Q(resolved_at__isnull=True, closed_at__isnull=True),
                name="request_unfinished_created",
            ),
            models.Index(fields=["resolved_at"], name="request_resolved_at"),
            models.Index(fields=["closed_at"], name="request_closed_at"),
            models.Index(
                # The flags themselves too: with the query's values bound as parameters, SQLite re-checks them.
                fields=["created_at", "service_line", "requester", "filed_by", *BREACH_FLAGS],
                condition=BREACHED_Q,
                name="request_breached_created",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="request_rating_range",
            ),
            models.UniqueConstraint(
                fields=["filed_by", "idempotency_key"],
                condition=~models.Q(idempotency_key__contains=":"),
                name="request_key_per_filer",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=models.Q(idempotency_key__contains=":"),
                name="request_system_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"SD{self.pk:07d}" if self.pk else ""


class Pause(models.Model):
    """A span in which the contractor's clock stops: waiting for the requester or a bureau approval."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="pauses")
    reason = models.CharField(_("原因"), max_length=30, choices=HoldReason.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("开始"))
    ended_at = models.DateTimeField(_("结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("暂停计时")
        verbose_name_plural = _("暂停计时")
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=models.Q(ended_at__isnull=True), name="one_open_pause_per_request"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.started_at:%Y-%m-%d %H:%M}"
