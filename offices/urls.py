from django.urls import path

from offices import views

app_name = "offices"

urlpatterns = [
    path("", views.home, name="home"),
    path("floors/<id:pk>/", views.floor, name="floor"),
    path("rooms/<id:pk>/", views.room, name="room"),
    path("rooms/<id:pk>/do/<slug:action>/", views.room_action, name="room-action"),
    path("seats/<id:pk>/do/<slug:action>/", views.seat_action, name="seat-action"),
    path("allocations/<id:pk>/certificate/", views.certificate, name="certificate"),
    path("requests/", views.requests, name="requests"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/<id:pk>/", views.request_detail, name="request-detail"),
    path("requests/<id:pk>/do/<slug:step>/", views.request_step, name="request-step"),
    path("by-request/<id:pk>/", views.request_detail_by_core, name="request-detail-by-core"),
    path("ledger/", views.ledger, name="ledger"),
    path("vacating/<id:pk>/do/<slug:step>/", views.vacating_step, name="vacating-step"),
    path("scan/", views.scan, name="scan"),
    path("checks/<id:pk>/", views.check, name="check"),
    path("units/<id:pk>/notice/", views.notice, name="notice"),
    path("leaders/", views.leaders, name="leaders"),
    path("norms/", views.norms_page, name="norms"),
    path("import/", views.import_page, name="import"),
    path("import/template/<slug:kind>.xlsx", views.import_template, name="import-template"),
]
