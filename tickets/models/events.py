from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.choices import Status


class EventKind(models.TextChoices):
    CREATED = "created", _("提交")
    TRANSITION = "transition", _("状态变更")
    ASSIGNED = "assigned", _("派单")
    REASSIGNED = "reassigned", _("改派")
    COMMENT = "comment", _("留言")
    ATTACHMENT = "attachment", _("附件")
    DEADLINE = "deadline", _("时限调整")
    SLA_WARNING = "sla_warning", _("即将超时")
    SLA_BREACH = "sla_breach", _("已超时")
    FEEDBACK = "feedback", _("评价")
    COMPLAINT = "complaint", _("投诉")
    CALLBACK = "callback", _("回访")
    UPDATED = "updated", _("修改")


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("events are append-only")


class Event(models.Model):
    """The append-only log of a request. On PostgreSQL a trigger refuses UPDATE and DELETE as well."""

    request = models.ForeignKey(
        "tickets.ServiceRequest", on_delete=models.PROTECT, related_name="events", verbose_name=_("请求")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
        help_text=_("为空表示系统"),
    )
    on_behalf_of = models.CharField(
        _("代表"), max_length=100, blank=True, help_text=_("操作人代表的一方：服务商、单位或机关事务局")
    )
    action = models.CharField(_("动作"), max_length=30, blank=True)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    # Events that must happen once (a breach of one target) carry a key the database keeps unique.
    dedupe_key = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["created_at", "id"]
        # Breaches by day (the console's chart, "breached today"): the few breach events of a period, not all events.
        indexes = [models.Index(fields=["kind", "created_at"], name="event_kind_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("events are append-only")
