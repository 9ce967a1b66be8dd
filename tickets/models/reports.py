"""Stored report output: long exports run in Celery and the monthly SLA report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Export(models.Model):
    """A long export that runs in Celery; only its owner may poll and download it."""

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports")
    kind = models.CharField(_("导出内容"), max_length=30, default="sla_requests")
    format = models.CharField(_("格式"), max_length=10, choices=Format.choices, default=Format.XLSX)
    params = models.JSONField(_("参数"), default=dict)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已完成行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/", max_length=300, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="export_progress_range")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class MonthlyReport(models.Model):
    """The stored monthly SLA report (generated on the 1st for the month before), one per month."""

    month = models.DateField(_("月份"), unique=True, help_text=_("该月第一天"))
    summary = models.JSONField(_("汇总"), default=dict)
    file = models.FileField(_("XLSX文件"), upload_to="monthly/", max_length=300, blank=True)
    generated_at = models.DateTimeField(_("生成时间"))
    emailed_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    recipients = models.JSONField(_("收件人"), default=list, blank=True)

    class Meta:
        verbose_name = _("月度报告")
        verbose_name_plural = _("月度报告")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
