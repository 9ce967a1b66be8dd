from django.urls import include, path
from rest_framework.routers import DefaultRouter

from fleet import api

router = DefaultRouter()
router.register("trips", api.TripViewSet, basename="fleet-trip")
router.register("vehicles", api.VehicleViewSet, basename="fleet-vehicle")
router.register("drivers", api.DriverViewSet, basename="fleet-driver")
router.register("alerts", api.AlertViewSet, basename="fleet-alert")

urlpatterns = [
    path("", include(router.urls)),
    path("board/", api.BoardView.as_view(), name="fleet-api-board"),
    path("reports/", api.ReportView.as_view(), name="fleet-api-report"),
    path("reports/export.xlsx", api.ReportExportView.as_view(), name="fleet-api-report-export"),
]
