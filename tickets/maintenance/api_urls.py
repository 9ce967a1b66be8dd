"""The planned-maintenance API, mounted at /api/v1/maintenance/."""

from django.urls import path

from tickets.maintenance import api

app_name = "maintenance-api"

urlpatterns = [
    path("plans/", api.PlanListView.as_view(), name="plans"),
    path("plans/<id:pk>/", api.PlanDetailView.as_view(), name="plan"),
    path("equipment/", api.EquipmentListView.as_view(), name="equipment-list"),
    path("equipment/<id:pk>/", api.EquipmentDetailView.as_view(), name="equipment"),
    path("equipment/<id:pk>/history/", api.EquipmentHistoryView.as_view(), name="equipment-history"),
    path("equipment/<id:pk>/repair/", api.EquipmentRepairView.as_view(), name="equipment-repair"),
    path("works/<id:pk>/cost/", api.WorkCostView.as_view(), name="work-cost"),
    path("occurrences/", api.OccurrenceListView.as_view(), name="occurrences"),
    path("occurrences/<id:pk>/", api.OccurrenceDetailView.as_view(), name="occurrence"),
    path("occurrences/<id:pk>/complete/", api.OccurrenceCompleteView.as_view(), name="occurrence-complete"),
    path("compliance/", api.ComplianceView.as_view(), name="compliance"),
    path("equipment-report/", api.EquipmentReportView.as_view(), name="equipment-report"),
]
