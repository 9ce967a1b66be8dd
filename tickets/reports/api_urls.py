"""The SLA report API, mounted at /api/v1/reports/."""

from django.urls import path

from tickets.reports import api

app_name = "reports-api"

urlpatterns = [
    path("sla/", api.SlaReportView.as_view(), name="sla"),
    path("sla/requests/", api.SlaDrillView.as_view(), name="sla-requests"),
    path("sla/export.csv", api.SlaCsvView.as_view(), name="sla-csv"),
    path("sla/export.xlsx", api.SlaXlsxView.as_view(), name="sla-xlsx"),
    path("exports/", api.ExportListView.as_view(), name="exports"),
    path("exports/<id:pk>/", api.ExportDetailView.as_view(), name="export"),
    path("exports/<id:pk>/download/", api.ExportDownloadView.as_view(), name="export-download"),
    path("monthly/", api.MonthlyListView.as_view(), name="monthly"),
    path("monthly/<id:pk>/download/", api.MonthlyDownloadView.as_view(), name="monthly-download"),
]
