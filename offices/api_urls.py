from django.urls import path

from offices import api

urlpatterns = [
    path("floors/", api.FloorListView.as_view(), name="offices-api-floors"),
    path("floors/<id:pk>/", api.FloorView.as_view(), name="offices-api-floor"),
    path("allocations/", api.AllocationListView.as_view(), name="offices-api-allocations"),
    path("allocations/<id:pk>/end/", api.AllocationEndView.as_view(), name="offices-api-allocation-end"),
    path("space-requests/", api.SpaceRequestListView.as_view(), name="offices-api-requests"),
    path("space-requests/<id:pk>/", api.SpaceRequestDetailView.as_view(), name="offices-api-request"),
    *(
        path(f"space-requests/<id:pk>/{step}/", view.as_view(), name=f"offices-api-request-{step}")
        for step, view in api.STEP_VIEWS.items()
    ),
    path("norms/", api.NormListView.as_view(), name="offices-api-norms"),
    path("checks/", api.CheckListView.as_view(), name="offices-api-checks"),
    path("checks/<id:pk>/", api.CheckView.as_view(), name="offices-api-check"),
    path("over-standard/", api.OverStandardView.as_view(), name="offices-api-over-standard"),
    path("vacating/", api.VacatingListView.as_view(), name="offices-api-vacating"),
    path("vacating/<id:pk>/close/", api.VacatingCloseView.as_view(), name="offices-api-vacating-close"),
    path("usage/", api.UsageView.as_view(), name="offices-api-usage"),
    path("imports/<slug:kind>/", api.ImportView.as_view(), name="offices-api-import"),
]
