from typing import Any

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import APIRootView, DefaultRouter

from tickets.api import views


class Root(APIRootView):
    """The API's index. DRF's own reverses each list by URL name, and "request-list" is also the name of the
    web page of one's requests, so it linked ``requests`` to that page: link each list by its path instead."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        base = request.build_absolute_uri(request.path)
        return Response({prefix: f"{base}{prefix}/" for prefix in self.api_root_dict or {}})


class Router(DefaultRouter):
    APIRootView = Root


router = Router()
router.register("requests", views.ServiceRequestViewSet, basename="request")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("compounds", views.CompoundViewSet, basename="compound")
router.register("buildings", views.BuildingViewSet, basename="building")
router.register("rooms", views.RoomViewSet, basename="room")
router.register("complaints", views.ComplaintViewSet, basename="complaint")

urlpatterns = [
    path("", include(router.urls)),
    path("attachments/<id:pk>/download/", views.AttachmentDownloadView.as_view(), name="attachment-download"),
]
