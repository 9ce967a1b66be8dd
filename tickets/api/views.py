"""REST API views: thin, they parse input, call one service and shape the output."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets import selectors
from tickets.api import serializers as s
from tickets.api.filters import ServiceRequestFilter
from tickets.downloads import private_download
from tickets.http import AuthenticatedRequest
from tickets.models import Attachment, Building, Category, Complaint, Compound, Notification, Room, ServiceRequest
from tickets.services import comments, feedback, notifications, requests
from tickets.services.transitions import MOVES, transition


def _known(qs: Any, rows: list[Any]) -> Any:
    """A queryset whose rows are already known, as prefetch_related leaves it (no query when read)."""
    qs._result_cache, qs._prefetch_done = rows, True
    return qs


class ServiceRequestViewSet(viewsets.GenericViewSet):
    request: AuthenticatedRequest
    lookup_value_regex = r"\d+"
    filterset_class = ServiceRequestFilter
    ordering_fields = ["created_at", "resolution_due", "response_due", "urgency", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ServiceRequest.objects.none()
        if self.action == "retrieve":
            return selectors.request_detail_queryset(user=self.request.user)
        return selectors.visible_requests(user=self.request.user)

    def get_serializer_class(self) -> Any:
        return s.RequestDetailSerializer if self.action == "retrieve" else s.RequestListSerializer

    def _visible(self, pk: Any) -> ServiceRequest:
        # What a user may not see answers 404: its existence is private.
        return get_object_or_404(selectors.visible_requests(user=self.request.user), pk=pk)

    def _detail(self, pk: int) -> Response:
        obj = selectors.request_detail_queryset(user=self.request.user).get(pk=pk)
        return Response(s.RequestDetailSerializer(obj, context={"request": self.request}).data)

    @extend_schema(responses=s.RequestListSerializer(many=True))
    def list(self, request: AuthenticatedRequest) -> Response:
        qs = self.filter_queryset(self.get_queryset())
        rows = selectors.RequestRows(qs, s.RequestListSerializer.ROW_COLUMNS)
        # RequestRows is what the capped paginator needs (count_upto() and slices), not a QuerySet: the stubs ask
        # for one.
        page: list[dict[str, Any]] | None = self.paginate_queryset(rows)  # type: ignore[arg-type]
        assert page is not None  # the list is always paginated (DEFAULT_PAGINATION_CLASS)
        return self.get_paginated_response(s.RequestListSerializer.rows(page))

    @extend_schema(responses=s.RequestDetailSerializer)
    def retrieve(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(s.RequestDetailSerializer(obj, context={"request": request}).data)

    @extend_schema(request=s.RequestCreateSerializer, responses={201: s.RequestDetailSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        data = s.RequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        req = requests.request_create(actor=request.user, **data.validated_data)
        event = getattr(req, "filing_event", None)
        if event is None:  # a repeated idempotency key: the request as it is now
            return Response(self._detail(req.pk).data, status=status.HTTP_201_CREATED)
        # Just filed: its one event, no comments or photos yet, all known without reading them back.
        req._prefetched_objects_cache = {  # type: ignore[attr-defined]  # Django's prefetch cache, not in the stubs
            name: _known(getattr(req, name).all(), rows)
            for name, rows in (("events", [event]), ("comments", []), ("attachments", []))
        }
        body = s.RequestDetailSerializer(req, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PreviewInputSerializer, responses=s.PreviewOutputSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request: AuthenticatedRequest) -> Response:
        data = s.PreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        place = requests.resolve_place(compound=v.get("compound"), building=v.get("building"), room=v.get("room"))
        urgency = v.get("urgency") or v["category"].default_urgency
        p = requests.sla_preview(category=v["category"], place=place, urgency=urgency, start=v.get("start"))
        return Response(
            s.PreviewOutputSerializer(
                {
                    "contractor": p.contract.contractor.name if p.contract else None,
                    "contract": p.contract.pk if p.contract else None,
                    "policy_version": str(p.policy_version) if p.policy_version else None,
                    "needs_approval": p.needs_approval,
                    "calendar_incomplete": p.calendar_incomplete,
                    "response_due": p.deadlines.get("response"),
                    "arrival_due": p.deadlines.get("arrival"),
                    "resolution_due": p.deadlines.get("resolution"),
                }
            ).data
        )

    def _transition(self, request: AuthenticatedRequest, pk: Any, name: str) -> Response:
        req = self._visible(pk)
        data = s.TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transition(service_request=req, action=name, actor=request.user, **data.validated_data)
        return self._detail(req.pk)

    @extend_schema(request=s.FeedbackInputSerializer, responses=s.RequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        req = self._visible(pk)
        data = s.FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback.feedback_submit(service_request=req, actor=request.user, **data.validated_data)
        return self._detail(req.pk)

    @extend_schema(request=s.CommentInputSerializer, responses={201: s.CommentSerializer})
    @action(detail=True, methods=["post"])
    def comments(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        req = self._visible(pk)
        data = s.CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comments.comment_add(service_request=req, actor=request.user, **data.validated_data)
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": s.AttachmentInputSerializer}, responses={201: s.AttachmentSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        req = self._visible(pk)
        data = s.AttachmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = comments.attachment_add(
            service_request=req, actor=request.user, upload=data.validated_data["file"]
        )
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


def _make_transition_action(name: str) -> Any:
    def view(self: ServiceRequestViewSet, request: AuthenticatedRequest, pk: Any = None) -> Response:
        return self._transition(request, pk, name)

    view.__name__ = f"do_{name}"
    view.__doc__ = f"Take the '{name}' step (409 when the current status does not allow it)."
    view = extend_schema(request=s.TransitionInputSerializer, responses=s.RequestDetailSerializer)(view)
    return action(detail=True, methods=["post"], url_path=name, url_name=name, parser_classes=[JSONParser, FormParser])(
        view
    )


for _name in MOVES:
    setattr(ServiceRequestViewSet, f"do_{_name}", _make_transition_action(_name))


class AttachmentDownloadView(APIView):
    """Files are served only to people who may see the request, always as a download."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: AuthenticatedRequest, pk: int) -> FileResponse:
        attachment = get_object_or_404(Attachment.objects.select_related("request"), pk=pk)
        if not selectors.visible_requests(user=request.user).filter(pk=attachment.request_id).exists():
            raise Http404
        name, kind = attachment.original_name, attachment.content_type
        return private_download(attachment.file, filename=name, content_type=kind)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    request: AuthenticatedRequest
    serializer_class = s.NotificationSerializer
    filterset_fields: list[str] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notifications_for(user=self.request.user)

    @extend_schema(responses={200: {"type": "object", "properties": {"unread": {"type": "integer"}}}})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: AuthenticatedRequest) -> Response:
        return Response({"unread": self.get_queryset().filter(read_at__isnull=True).count()})

    @extend_schema(request=s.MarkReadSerializer, responses={200: {"type": "object"}})
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request: AuthenticatedRequest) -> Response:
        data = s.MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = notifications.mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": count})


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.CategorySerializer
    queryset = Category.objects.filter(active=True)
    filterset_fields = ["service_line", "parent", "kind"]
    pagination_class = None


class CompoundViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.CompoundSerializer
    queryset = Compound.objects.all()
    pagination_class = None


class BuildingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.BuildingSerializer
    queryset = Building.objects.all()
    filterset_fields = ["compound"]
    pagination_class = None


class RoomViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"\d+"
    serializer_class = s.RoomSerializer
    queryset = Room.objects.select_related("floor")
    filterset_fields = {"floor__building": ["exact"], "floor": ["exact"]}

    @action(detail=False, methods=["get"], url_path=r"by-qr/(?P<token>[\w-]+)")
    def by_qr(self, request: AuthenticatedRequest, token: str) -> Response:
        room = get_object_or_404(self.get_queryset(), qr_token=token)
        return Response(self.get_serializer(room).data)


class ComplaintViewSet(viewsets.ReadOnlyModelViewSet):
    request: AuthenticatedRequest
    lookup_value_regex = r"\d+"
    serializer_class = s.ComplaintSerializer
    filterset_fields = ["state", "service_line"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        return selectors.complaints_for(user=self.request.user)

    @extend_schema(request=s.CallbackInputSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def callback(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        complaint = self.get_object()
        data = s.CallbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = feedback.complaint_callback(complaint=complaint, actor=request.user, **data.validated_data)
        return Response(s.ComplaintSerializer(done).data)
