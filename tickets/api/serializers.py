"""API serializers: separate input and output shapes; no business logic here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tickets.api.fields import IdField
from tickets.models import (
    Attachment,
    Building,
    Category,
    Comment,
    Complaint,
    Compound,
    Contract,
    Event,
    EventKind,
    HoldReason,
    Notification,
    Room,
    ServiceRequest,
    Status,
    Urgency,
    User,
)
from tickets.services.permissions import sees_internal
from tickets.services.requests import IDEMPOTENCY_KEY_VALIDATOR, leaf_check_categories
from tickets.services.transitions import allowed_actions


def sla_state(req: Any, now: Any = None) -> str:
    """green / yellow / red for the pages and the API, from the stored columns (no query). `req` is a request or a
    row of its columns."""
    get = req.get if isinstance(req, dict) else req.__getattribute__
    if get("response_breached") or get("arrival_breached") or get("resolution_breached"):
        return "red"
    now = now or timezone.now()
    for target, met in (("response", "responded_at"), ("arrival", "arrived_at"), ("resolution", "resolved_at")):
        due, warn = get(f"{target}_due"), get(f"{target}_warn_at")
        if get(met) is None and due is not None:
            if now >= due:
                return "red"
            if warn is not None and now >= warn:
                return "yellow"
    return "green"


class LabelField(serializers.CharField):
    """A choice's label in the caller's language.

    `source="get_status_display"` costs a rebuilt choice map and a signature inspection per row; a list page of 50
    spent a quarter of its time there. This field maps the stored value through a dict built once per serializer.
    """

    def __init__(self, choices: type[models.Choices], **kwargs: Any) -> None:
        self.choices = choices
        self._labels: dict[str, str] | None = None
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        if self._labels is None:
            self._labels = {str(c.value): str(c.label) for c in self.choices}
        return self._labels.get(value, str(value))


class UserBriefSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "name", "role"]

    def get_name(self, obj: User) -> str:
        return str(obj)


class RequestListSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    status_display = LabelField(Status, source="status")
    urgency_display = LabelField(Urgency, source="urgency")
    category_name = serializers.CharField(source="category.name", read_only=True)
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    building_name = serializers.CharField(source="building.name", read_only=True, default=None)
    room_number = serializers.CharField(source="room.number", read_only=True, default=None)
    contractor_name = serializers.CharField(source="contractor.name", read_only=True, default=None)
    assignee_name = serializers.SerializerMethodField()
    requester_name = serializers.SerializerMethodField()
    sla_state = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "number",
            "kind",
            "title",
            "status",
            "status_display",
            "urgency",
            "urgency_display",
            "service_line",
            "category",
            "category_name",
            "compound",
            "compound_name",
            "building",
            "building_name",
            "room",
            "room_number",
            "contractor",
            "contractor_name",
            "assignee",
            "assignee_name",
            "requester",
            "requester_name",
            "created_at",
            "response_due",
            "arrival_due",
            "resolution_due",
            "responded_at",
            "arrived_at",
            "resolved_at",
            "closed_at",
            "response_breached",
            "arrival_breached",
            "resolution_breached",
            "calendar_incomplete",
            "rating",
            "reopen_count",
            "sla_state",
        ]

    def get_assignee_name(self, obj: ServiceRequest) -> str | None:
        return str(obj.assignee) if obj.assignee_id else None

    def get_requester_name(self, obj: ServiceRequest) -> str:
        return str(obj.requester)

    def get_sla_state(self, obj: ServiceRequest) -> str:
        return sla_state(obj)

    # The list endpoint reads its page as rows of ROW_COLUMNS plus the names selectors.list_names() looks up, and
    # shapes them with rows(): the output of to_representation (tests/tickets/test_list_rows.py compares the two
    # field by field) without building eight model instances and 38 serializer fields per row, which were 12 of
    # the 18 ms a page of 50 took.
    ROW_COLUMNS = (
        *("id", "kind", "title", "status", "urgency", "service_line", "category", "compound", "building", "room"),
        *("contractor", "assignee", "requester", "created_at", "response_due", "arrival_due", "resolution_due"),
        *("response_warn_at", "arrival_warn_at", "resolution_warn_at", "responded_at", "arrived_at"),
        *("resolved_at", "closed_at", "response_breached", "arrival_breached", "resolution_breached"),
        *("calendar_incomplete", "rating", "reopen_count", "category__name", "compound__name", "building__name"),
    )
    ROW_TIMES = (
        *("created_at", "response_due", "arrival_due", "resolution_due"),
        *("responded_at", "arrived_at", "resolved_at", "closed_at"),
    )
    ROW_COPIED = (
        *("id", "kind", "title", "status", "urgency", "service_line", "category", "compound", "building"),
        *("room", "contractor", "assignee", "requester", "response_breached", "arrival_breached"),
        *("resolution_breached", "calendar_incomplete", "rating", "reopen_count", "room_number"),
        *("contractor_name", "assignee_name", "requester_name"),
    )

    @classmethod
    def rows(cls, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        statuses = {str(c.value): str(c.label) for c in Status}
        urgencies = {str(c.value): str(c.label) for c in Urgency}
        tz, now = timezone.get_current_timezone(), timezone.now()

        def when(value: datetime | None) -> str | None:
            if value is None:
                return None
            text = value.astimezone(tz).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        out = []
        for r in rows:
            item = {name: r[name] for name in cls.ROW_COPIED}
            item.update({name: when(r[name]) for name in cls.ROW_TIMES})
            item.update(
                number=f"SD{r['id']:07d}",
                status_display=statuses.get(r["status"], r["status"]),
                urgency_display=urgencies.get(r["urgency"], r["urgency"]),
                category_name=r["category__name"],
                compound_name=r["compound__name"],
                building_name=r["building__name"],
                sla_state=sla_state(r, now),
            )
            out.append({name: item[name] for name in cls.Meta.fields})
        return out


class EventSerializer(serializers.ModelSerializer):
    kind_display = LabelField(EventKind, source="kind")
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "kind",
            "kind_display",
            "action",
            "actor",
            "actor_name",
            "on_behalf_of",
            "from_status",
            "to_status",
            "changes",
            "note",
            "created_at",
        ]

    def get_actor_name(self, obj: Event) -> str:
        return str(obj.actor) if obj.actor_id else str(_("系统"))


class CommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "author_name", "body", "internal", "created_at"]

    def get_author_name(self, obj: Comment) -> str:
        return str(obj.author)


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "created_at", "url"]

    def get_url(self, obj: Attachment) -> str:
        return f"/api/v1/attachments/{obj.pk}/download/"


class RequestDetailSerializer(RequestListSerializer):
    timeline = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    policy = serializers.SerializerMethodField()

    class Meta(RequestListSerializer.Meta):
        fields = [
            *RequestListSerializer.Meta.fields,
            "description",
            "location_detail",
            "hold_reason",
            "approval_stage",
            "policy",
            "feedback_due",
            "timeline",
            "comments",
            "attachments",
            "allowed_actions",
        ]

    def _show_internal(self, obj: ServiceRequest) -> bool:
        return sees_internal(self.context["request"].user, obj)

    def get_timeline(self, obj: ServiceRequest) -> list[dict[str, Any]]:
        events = [e for e in obj.events.all() if self._show_internal(obj) or not e.changes.get("internal")]
        return EventSerializer(events, many=True).data  # type: ignore[return-value]

    def get_comments(self, obj: ServiceRequest) -> list[dict[str, Any]]:
        comments = [c for c in obj.comments.all() if self._show_internal(obj) or not c.internal]
        return CommentSerializer(comments, many=True).data  # type: ignore[return-value]

    def get_allowed_actions(self, obj: ServiceRequest) -> list[str]:
        return allowed_actions(obj, self.context["request"].user)

    def get_policy(self, obj: ServiceRequest) -> dict[str, Any] | None:
        if obj.policy_version_id is None:
            return None
        return {"id": obj.policy_version_id, "name": str(obj.policy_version)}


class RequestCreateSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(
        queryset=leaf_check_categories().filter(active=True), label=_("服务分类")
    )
    title = serializers.CharField(max_length=200, label=_("标题"))
    description = serializers.CharField(required=False, allow_blank=True, default="", label=_("描述"))
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, label=_("紧急程度"))
    compound = serializers.PrimaryKeyRelatedField(queryset=Compound.objects.all(), required=False, label=_("院区"))
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), required=False, label=_("楼栋"))
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.select_related("floor__building__compound"), required=False, label=_("房间")
    )
    location_detail = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    idempotency_key = serializers.CharField(
        required=False, max_length=64, label=_("防重复提交键"), validators=[IDEMPOTENCY_KEY_VALIDATOR]
    )


class PreviewInputSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(active=True), label=_("服务分类"))
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, label=_("紧急程度"))
    compound = serializers.PrimaryKeyRelatedField(queryset=Compound.objects.all(), required=False)
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), required=False)
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.select_related("floor__building__compound"), required=False
    )
    start = serializers.DateTimeField(required=False)


class PreviewOutputSerializer(serializers.Serializer):
    contractor = serializers.CharField(allow_null=True)
    contract = serializers.IntegerField(allow_null=True)
    policy_version = serializers.CharField(allow_null=True)
    needs_approval = serializers.BooleanField()
    calendar_incomplete = serializers.BooleanField()
    response_due = serializers.DateTimeField(allow_null=True)
    arrival_due = serializers.DateTimeField(allow_null=True)
    resolution_due = serializers.DateTimeField(allow_null=True)


class TransitionInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", label=_("说明"))
    hold_reason = serializers.ChoiceField(choices=HoldReason.choices, required=False, label=_("挂起原因"))
    # An unknown id answers as an ineligible one does (the gate's message), so ids cannot be probed.
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        label=_("处理人"),
        error_messages={"does_not_exist": _("处理人必须是承接该请求的服务商人员。")},
    )
    contract = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.select_related("sla_policy", "calendar"), required=False, label=_("合同")
    )


class FeedbackInputSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, label=_("评分"))
    comment = serializers.CharField(required=False, allow_blank=True, default="", label=_("评价"))


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(label=_("内容"))
    internal = serializers.BooleanField(required=False, default=False, label=_("内部备注"))


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(label=_("文件"))


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "request", "created_at", "read_at"]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=IdField(), required=False, max_length=1000)


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = [
            "id",
            "parent",
            "code",
            "name",
            "name_en",
            "kind",
            "service_line",
            "default_urgency",
            "needs_approval",
            "required_fields",
            "min_photos",
        ]


class CompoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Compound
        fields = ["id", "code", "name"]


class BuildingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "compound", "code", "name"]


class RoomSerializer(serializers.ModelSerializer):
    building = serializers.IntegerField(source="floor.building_id", read_only=True)
    floor_level = serializers.IntegerField(source="floor.level", read_only=True)

    class Meta:
        model = Room
        fields = ["id", "building", "floor", "floor_level", "number", "function", "usable_area"]


class ComplaintSerializer(serializers.ModelSerializer):
    request_number = serializers.CharField(source="request.number", read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "request",
            "request_number",
            "source",
            "state",
            "service_line",
            "contractor",
            "summary",
            "callback_due",
            "callback_at",
            "callback_note",
            "created_at",
        ]


class CallbackInputSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("回访记录"))
    close = serializers.BooleanField(required=False, default=False)
