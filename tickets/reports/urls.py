"""Reports: pages under /reports/, the API under /reports/api/ (the root URLconf includes this at "reports/")."""

from django.urls import path

from tickets.reports import api, assessment_views, views

app_name = "reports"

urlpatterns = [
    # pages
    path("", views.sla_page, name="sla-page"),
    path("sla/requests/", views.drill_page, name="sla-requests-page"),
    path("exports/<int:pk>/", views.export_page, name="export-page"),
    path("monthly/", views.monthly_page, name="monthly-page"),
    path("scorecards/", views.scorecards_page, name="scorecards-page"),
    path("scorecards/<int:pk>/", assessment_views.scorecard_page, name="scorecard-page"),
    path("scorecards/<int:pk>/do/<slug:action>/", assessment_views.scorecard_action, name="scorecard-action"),
    path("scorecards/appeals/<int:pk>/answer/", assessment_views.appeal_answer, name="appeal-answer"),
    path("scorecards/contracts/<int:pk>/rollup/", assessment_views.rollup_page, name="rollup-page"),
    path("scorecards/contracts/<int:pk>/rollup.xlsx", assessment_views.rollup_xlsx, name="rollup-xlsx"),
    path("inspections/", assessment_views.inspection_list, name="inspections-page"),
    path("inspections/new/", assessment_views.inspection_new, name="inspection-new"),
    path("inspections/<int:pk>/", assessment_views.inspection_page, name="inspection-page"),
    path("inspections/photos/<int:pk>/", assessment_views.inspection_photo, name="inspection-photo"),
    # API
    path("api/sla/", api.SlaReportView.as_view(), name="api-sla"),
    path("api/sla/requests/", api.SlaDrillView.as_view(), name="api-sla-requests"),
    path("api/sla/export.csv", api.SlaCsvView.as_view(), name="api-sla-csv"),
    path("api/sla/export.xlsx", api.SlaXlsxView.as_view(), name="api-sla-xlsx"),
    path("api/exports/", api.ExportListView.as_view(), name="api-exports"),
    path("api/exports/<int:pk>/", api.ExportDetailView.as_view(), name="api-export"),
    path("api/exports/<int:pk>/download/", api.ExportDownloadView.as_view(), name="api-export-download"),
    path("api/monthly/", api.MonthlyListView.as_view(), name="api-monthly"),
    path("api/monthly/<int:pk>/download/", api.MonthlyDownloadView.as_view(), name="api-monthly-download"),
    path("api/checklists/", api.ChecklistListView.as_view(), name="api-checklists"),
    path("api/inspections/", api.InspectionListView.as_view(), name="api-inspections"),
    path("api/inspections/<int:pk>/", api.InspectionDetailView.as_view(), name="api-inspection"),
    path("api/scorecards/", api.ScorecardListView.as_view(), name="api-scorecards"),
    path("api/scorecards/<int:pk>/", api.ScorecardDetailView.as_view(), name="api-scorecard"),
    path("api/scorecards/<int:pk>/export.xlsx", api.ScorecardXlsxView.as_view(), name="api-scorecard-xlsx"),
    path("api/scorecards/<int:pk>/<str:action>/", api.ScorecardActionView.as_view(), name="api-scorecard-action"),
    path("api/appeals/<int:pk>/answer/", api.AppealAnswerView.as_view(), name="api-appeal-answer"),
    path("api/contracts/<int:pk>/scheme/", api.SchemeView.as_view(), name="api-scheme"),
    path("api/contracts/<int:pk>/rollup/", api.RollupView.as_view(), name="api-rollup"),
    path("api/penalties/", api.PenaltyView.as_view(), name="api-penalties"),
]
