from tickets.models.calendars import BusinessCalendar, CalendarDay, HolidayYear
from tickets.models.catalogue import Category, Contract, SlaPolicy, SlaPolicyVersion, SlaTargetRow
from tickets.models.choices import (
    CLOCK_STOPPING_HOLDS,
    FINAL_STATUSES,
    OPEN_STATUSES,
    HoldReason,
    Role,
    ServiceLine,
    SlaTarget,
    Status,
    Urgency,
)
from tickets.models.events import Event, EventKind
from tickets.models.feedback import (
    Attachment,
    Comment,
    Complaint,
    Feedback,
    Notification,
    WebhookDelivery,
    WebhookEndpoint,
)
from tickets.models.org import Contractor, OrganLevel, Unit, User
from tickets.models.places import Building, Compound, Floor, Room, RoomFunction
from tickets.models.requests import Pause, ServiceRequest

__all__ = [
    "CLOCK_STOPPING_HOLDS",
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "Attachment",
    "Building",
    "BusinessCalendar",
    "CalendarDay",
    "Category",
    "Comment",
    "Complaint",
    "Compound",
    "Contract",
    "Contractor",
    "Event",
    "EventKind",
    "Feedback",
    "Floor",
    "HoldReason",
    "HolidayYear",
    "Notification",
    "OrganLevel",
    "Pause",
    "Role",
    "Room",
    "RoomFunction",
    "ServiceLine",
    "ServiceRequest",
    "SlaPolicy",
    "SlaPolicyVersion",
    "SlaTarget",
    "SlaTargetRow",
    "Status",
    "Unit",
    "Urgency",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
