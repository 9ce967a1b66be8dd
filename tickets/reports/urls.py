"""SLA report pages under /reports/ (the API is under /api/v1/reports/, tickets/reports/api_urls.py)."""

from django.urls import path

from tickets.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.sla_page, name="sla-page"),
    path("sla/requests/", views.drill_page, name="sla-requests-page"),
    path("exports/<id:pk>/", views.export_page, name="export-page"),
    path("monthly/", views.monthly_page, name="monthly-page"),
]
