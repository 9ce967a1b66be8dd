"""Planned-maintenance pages, mounted at /maintenance/."""

from django.urls import path

from tickets.maintenance import views

app_name = "maintenance"

urlpatterns = [
    path("equipment/", views.equipment_list, name="equipment-list"),
    path("equipment/new/", views.equipment_new, name="equipment-new"),
    path("equipment/<id:pk>/", views.equipment_detail, name="equipment"),
    path("equipment/<id:pk>/edit/", views.equipment_edit, name="equipment-edit"),
    path("equipment/<id:pk>/label/", views.equipment_label, name="equipment-label"),
    path("equipment/<id:pk>/repair/", views.equipment_repair, name="equipment-repair"),
    path("works/<id:pk>/cost/", views.work_cost, name="work-cost"),
    path("orders/<id:pk>/", views.work_order, name="work-order"),
    path("orders/by-request/<id:pk>/", views.work_order_by_request, name="work-order-by-request"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("compliance/", views.compliance_page, name="compliance"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("plans/<id:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("equipment/report/", views.equipment_report_page, name="equipment-report"),
]
