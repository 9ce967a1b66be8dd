from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.choices import ServiceLine


class Comment(models.Model):
    request = models.ForeignKey("tickets.ServiceRequest", on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("作者"))
    body = models.TextField(_("内容"))
    internal = models.BooleanField(_("内部备注"), default=False, help_text=_("内部备注对报修人不可见"))
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("留言")
        verbose_name_plural = _("留言")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:30]}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"requests/{instance.request_id}/{instance.stored_name}"


class Attachment(models.Model):
    request = models.ForeignKey("tickets.ServiceRequest", on_delete=models.PROTECT, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("上传人"))
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    stored_name = models.CharField(max_length=100, editable=False)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Feedback(models.Model):
    """A requester's rating, attributed to the contractor, category and location at the time it was given."""

    request = models.OneToOneField("tickets.ServiceRequest", on_delete=models.PROTECT, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("评分"))
    comment = models.TextField(_("评价"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("评价人"))
    contractor = models.ForeignKey("tickets.Contractor", null=True, blank=True, on_delete=models.PROTECT)
    category = models.ForeignKey("tickets.Category", on_delete=models.PROTECT)
    compound = models.ForeignKey("tickets.Compound", on_delete=models.PROTECT)
    building = models.ForeignKey("tickets.Building", null=True, blank=True, on_delete=models.PROTECT)
    # The request's line, kept here so that a supervisor's satisfaction figures read one index of the ratings
    # instead of joining every rating of six months to its request (1.2 s at 1M requests).
    service_line = models.CharField(_("服务条线"), max_length=20, choices=ServiceLine.choices)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        indexes = [
            # Both hold the rating, so the console's satisfaction figures are read from the index alone.
            models.Index(fields=["created_at", "rating"], name="feedback_created_rating"),
            models.Index(fields=["service_line", "created_at", "rating"], name="feedback_line_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_range"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} ★{self.rating}"


class Complaint(models.Model):
    """A complaint for the bureau supervisor, with a callback (回访) due within one working day."""

    class Source(models.TextChoices):
        LOW_RATING = "low_rating", _("差评")
        DIRECT = "direct", _("直接投诉")

    class State(models.TextChoices):
        OPEN = "open", _("待回访")
        CALLED_BACK = "called_back", _("已回访")
        CLOSED = "closed", _("已办结")

    request = models.ForeignKey("tickets.ServiceRequest", on_delete=models.PROTECT, related_name="complaints")
    feedback = models.OneToOneField(Feedback, null=True, blank=True, on_delete=models.PROTECT)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN, db_index=True)
    service_line = models.CharField(_("服务条线"), max_length=20, choices=ServiceLine.choices)
    contractor = models.ForeignKey("tickets.Contractor", null=True, blank=True, on_delete=models.PROTECT)
    summary = models.TextField(_("内容"))
    callback_due = models.DateTimeField(_("回访时限"), db_index=True)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    callback_note = models.TextField(_("回访记录"), blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["callback_due"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.request_id}"


class Notification(models.Model):
    """One in-app message per event and recipient; e-mail is sent from it at most once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey("tickets.Event", on_delete=models.PROTECT, related_name="notifications")
    request = models.ForeignKey("tickets.ServiceRequest", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="notification_once_per_event_recipient"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class WebhookEndpoint(models.Model):
    """A signed JSON POST target (e.g. a WeCom or DingTalk bot relay)."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("地址"))
    secret = models.CharField(_("签名密钥"), max_length=100)
    service_line = models.CharField(_("服务条线"), max_length=20, choices=ServiceLine.choices, blank=True)
    event_kinds = models.JSONField(_("事件类型"), default=list, blank=True, help_text=_("为空表示全部"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("Webhook")
        verbose_name_plural = _("Webhook")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("tickets.Event", on_delete=models.PROTECT, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("Webhook投递")
        verbose_name_plural = _("Webhook投递")
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")]

    def __str__(self) -> str:
        return f"{self.endpoint_id}→{self.event_id}"
