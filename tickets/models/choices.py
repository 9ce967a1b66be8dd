from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceLine(models.TextChoices):
    PROPERTY = "property", _("物业")
    CANTEEN = "canteen", _("餐饮")
    VEHICLES = "vehicles", _("公务用车")
    OFFICE_SPACE = "office_space", _("办公用房")


class Role(models.TextChoices):
    REQUESTER = "requester", _("报修人/申请人")
    UNIT_APPROVER = "unit_approver", _("单位审核人")
    DISPATCHER = "dispatcher", _("服务商调度")
    WORKER = "worker", _("一线人员")
    SUPERVISOR = "supervisor", _("管理处室")
    ADMIN = "admin", _("局领导/管理员")


class Urgency(models.TextChoices):
    CRITICAL = "critical", _("特急")
    URGENT = "urgent", _("紧急")
    NORMAL = "normal", _("一般")
    SCHEDULED = "scheduled", _("预约")


class Status(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("待审批")
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    IN_PROGRESS = "in_progress", _("处理中")
    ON_HOLD = "on_hold", _("挂起")
    RESOLVED = "resolved", _("已办结")
    REOPENED = "reopened", _("已重开")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已取消")
    REJECTED = "rejected", _("已驳回")


OPEN_STATUSES = (
    Status.PENDING_APPROVAL,
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.IN_PROGRESS,
    Status.ON_HOLD,
    Status.REOPENED,
)
FINAL_STATUSES = (Status.CLOSED, Status.CANCELLED, Status.REJECTED)


class HoldReason(models.TextChoices):
    """Why work is on hold. Only waiting for the requester or the bureau stops the contractor's clock."""

    AWAITING_REQUESTER = "awaiting_requester", _("等待报修人")
    AWAITING_BUREAU = "awaiting_bureau", _("等待机关事务局")
    AWAITING_PARTS = "awaiting_parts", _("等待配件")
    OTHER = "other", _("其他")


CLOCK_STOPPING_HOLDS = (HoldReason.AWAITING_REQUESTER, HoldReason.AWAITING_BUREAU)


class SlaTarget(models.TextChoices):
    RESPONSE = "response", _("受理")
    ARRIVAL = "arrival", _("到场")
    RESOLUTION = "resolution", _("办结")
