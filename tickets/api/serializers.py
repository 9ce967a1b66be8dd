"""API serializers: separate input and output shapes; no business logic here."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tickets.models import (
    Attachment,
    Building,
    Category,
    Comment,
    Complaint,
    Compound,
    Contract,
    Event,
    HoldReason,
    Notification,
    Room,
    ServiceRequest,
    Urgency,
    User,
)
from tickets.services.transitions import allowed_actions


def sla_state(req: ServiceRequest, now: Any = None) -> str:
    """green / yellow / red for the pages and the API, from the stored columns (no query)."""
    if req.response_breached or req.arrival_breached or req.resolution_breached:
        return "red"
    now = now or timezone.now()
    for target, met in (("response", req.responded_at), ("arrival", req.arrived_at), ("resolution", req.resolved_at)):
        due, warn = getattr(req, f"{target}_due"), getattr(req, f"{target}_warn_at")
        if met is None and due is not None:
            if now >= due:
                return "red"
            if warn is not None and now >= warn:
                return "yellow"
    return "green"


class UserBriefSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "name", "role"]

    def get_name(self, obj: User) -> str:
        return str(obj)


class RequestListSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    urgency_display = serializers.CharField(source="get_urgency_display", read_only=True)
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


class EventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
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
        user = self.context["request"].user
        return user.is_contractor_staff or user.is_bureau

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
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(active=True), label=_("服务分类"))
    title = serializers.CharField(max_length=200, label=_("标题"))
    description = serializers.CharField(required=False, allow_blank=True, default="", label=_("描述"))
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, label=_("紧急程度"))
    compound = serializers.PrimaryKeyRelatedField(queryset=Compound.objects.all(), required=False, label=_("院区"))
    building = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), required=False, label=_("楼栋"))
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.select_related("floor__building__compound"), required=False, label=_("房间")
    )
    location_detail = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    idempotency_key = serializers.CharField(required=False, max_length=64, label=_("防重复提交键"))


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
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, label=_("处理人"))
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
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)


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
