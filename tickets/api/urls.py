from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tickets.api import views

router = DefaultRouter()
router.register("requests", views.ServiceRequestViewSet, basename="request")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("compounds", views.CompoundViewSet, basename="compound")
router.register("buildings", views.BuildingViewSet, basename="building")
router.register("rooms", views.RoomViewSet, basename="room")
router.register("complaints", views.ComplaintViewSet, basename="complaint")

urlpatterns = [
    path("", include(router.urls)),
    path("attachments/<int:pk>/download/", views.AttachmentDownloadView.as_view(), name="attachment-download"),
]
