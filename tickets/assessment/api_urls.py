"""The assessment API, mounted at /api/v1/assessment/."""

from django.urls import path

from tickets.assessment import api

app_name = "assessment-api"

urlpatterns = [
    path("checklists/", api.ChecklistListView.as_view(), name="checklists"),
    path("inspections/", api.InspectionListView.as_view(), name="inspections"),
    path("inspections/<id:pk>/", api.InspectionDetailView.as_view(), name="inspection"),
    path("scorecards/", api.ScorecardListView.as_view(), name="scorecards"),
    path("scorecards/<id:pk>/", api.ScorecardDetailView.as_view(), name="scorecard"),
    path("scorecards/<id:pk>/export.xlsx", api.ScorecardXlsxView.as_view(), name="scorecard-xlsx"),
    path("scorecards/<id:pk>/adjust/", api.ScorecardAdjustView.as_view(), name="scorecard-adjust"),
    path("scorecards/<id:pk>/sign/", api.ScorecardSignView.as_view(), name="scorecard-sign"),
    path("scorecards/<id:pk>/revise/", api.ScorecardReviseView.as_view(), name="scorecard-revise"),
    path("scorecards/<id:pk>/appeal/", api.ScorecardAppealView.as_view(), name="scorecard-appeal"),
    path("appeals/<id:pk>/answer/", api.AppealAnswerView.as_view(), name="appeal-answer"),
    path("contracts/<id:pk>/scheme/", api.SchemeView.as_view(), name="scheme"),
    path("contracts/<id:pk>/rollup/", api.RollupView.as_view(), name="rollup"),
    path("penalties/", api.PenaltyView.as_view(), name="penalties"),
    path("penalties/<id:pk>/withdraw/", api.PenaltyWithdrawView.as_view(), name="penalty-withdraw"),
]
