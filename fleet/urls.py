from django.urls import path

from fleet import views

app_name = "fleet"

urlpatterns = [
    path("", views.trip_list, name="trip-list"),
    path("apply/", views.trip_apply, name="trip-apply"),
    path("trips/<id:pk>/", views.trip_detail, name="trip-detail"),
    path("requests/<id:pk>/", views.trip_of_request, name="trip-of-request"),
    path("trips/<id:pk>/do/<slug:step>/", views.trip_step, name="trip-step"),
    path("trips/<id:pk>/note/", views.dispatch_note, name="dispatch-note"),
    path("approvals/", views.approvals, name="approvals"),
    path("board/", views.board, name="board"),
    path("driver/", views.driver_home, name="driver"),
    path("vehicles/", views.vehicle_list, name="vehicle-list"),
    path("vehicles/<id:pk>/", views.vehicle_detail, name="vehicle-detail"),
    path("reports/", views.report, name="report"),
]
