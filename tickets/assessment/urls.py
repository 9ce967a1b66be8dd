"""Assessment pages. Mounted at "reports/" (beside the SLA report pages), so their addresses stay as they were."""

from django.urls import path

from tickets.assessment import views

app_name = "assessment"

urlpatterns = [
    path("scorecards/", views.scorecards_page, name="scorecards-page"),
    path("scorecards/<id:pk>/", views.scorecard_page, name="scorecard-page"),
    path("scorecards/<id:pk>/do/<slug:action>/", views.scorecard_action, name="scorecard-action"),
    path("scorecards/appeals/<id:pk>/answer/", views.appeal_answer, name="appeal-answer"),
    path("scorecards/contracts/<id:pk>/rollup/", views.rollup_page, name="rollup-page"),
    path("scorecards/contracts/<id:pk>/rollup.xlsx", views.rollup_xlsx, name="rollup-xlsx"),
    path("inspections/", views.inspection_list, name="inspections-page"),
    path("inspections/new/", views.inspection_new, name="inspection-new"),
    path("inspections/<id:pk>/", views.inspection_page, name="inspection-page"),
    path("inspections/photos/<id:pk>/", views.inspection_photo, name="inspection-photo"),
]
