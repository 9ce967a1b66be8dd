from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_weekly_hours() -> dict[str, list[list[str]]]:
    day = [["08:30", "12:00"], ["13:30", "17:30"]]
    return {str(weekday): day for weekday in range(5)}


class BusinessCalendar(models.Model):
    """Working hours of a contract: weekly hours with breaks, or 24×7; public holidays and 调休 on top."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    always_open = models.BooleanField(_("7×24小时"), default=False)
    weekly_hours = models.JSONField(
        _("每周工作时段"),
        default=default_weekly_hours,
        help_text=_('键为星期(0=周一)，值为时段列表，如 {"0": [["08:30","12:00"],["13:30","17:30"]]}'),
    )
    observes_public_holidays = models.BooleanField(
        _("执行法定节假日与调休"), default=True, help_text=_("食堂、应急维修等可不执行")
    )

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")

    def __str__(self) -> str:
        return self.name


class CalendarVersion(models.Model):
    """One immutable version of a calendar's hours, as SlaPolicyVersion is of a policy: a request keeps the
    version it was opened under, so editing a calendar changes the deadlines of requests opened afterwards only.
    Written by ``tickets.services.deadlines.current_calendar_version`` when the calendar differs from its latest
    version (on an admin save, or when a request is opened)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="versions", verbose_name=_("工作日历")
    )
    number = models.PositiveIntegerField(_("版本号"))
    always_open = models.BooleanField(_("7×24小时"))
    weekly_hours = models.JSONField(_("每周工作时段"))
    observes_public_holidays = models.BooleanField(_("执行法定节假日与调休"))
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("工作日历版本")
        verbose_name_plural = _("工作日历版本")
        ordering = ["calendar_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["calendar", "number"], name="calendar_version_unique")]

    def __str__(self) -> str:
        return f"{self.calendar.name} v{self.number}"

    def matches(self, calendar: BusinessCalendar) -> bool:
        return (self.always_open, self.weekly_hours, self.observes_public_holidays) == (
            calendar.always_open,
            calendar.weekly_hours,
            calendar.observes_public_holidays,
        )

    def as_calendar(self) -> BusinessCalendar:
        """An unsaved calendar with this version's hours, for the clock (``load_work_calendar``)."""
        return BusinessCalendar(
            name=f"{self.calendar_id}#v{self.number}",
            always_open=self.always_open,
            weekly_hours=self.weekly_hours,
            observes_public_holidays=self.observes_public_holidays,
        )


class HolidayYear(models.Model):
    """A year whose State Council holiday notice has been entered. Deadlines in other years are flagged."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("预置")
        ADMIN = "admin", _("后台录入")
        UPLOAD = "upload", _("文件导入")

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    notice = models.CharField(_("通知文号"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.ADMIN)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("录入人")
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A public holiday or a weekend working day (调休) from the State Council notice."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日/调休日")
        verbose_name_plural = _("节假日/调休日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
