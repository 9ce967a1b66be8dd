"""Planned-maintenance pages, mounted at /maintenance/."""

from django.urls import path

from tickets.maintenance import views

app_name = "maintenance"

urlpatterns = [
    path("equipment/", views.equipment_list, name="equipment-list"),
    path("equipment/new/", views.equipment_new, name="equipment-new"),
    path("equipment/<int:pk>/", views.equipment_detail, name="equipment"),
    path("equipment/<int:pk>/edit/", views.equipment_edit, name="equipment-edit"),
    path("equipment/<int:pk>/label/", views.equipment_label, name="equipment-label"),
    path("equipment/<int:pk>/repair/", views.equipment_repair, name="equipment-repair"),
    path("works/<int:pk>/cost/", views.work_cost, name="work-cost"),
    path("orders/<int:pk>/", views.work_order, name="work-order"),
    path("orders/by-request/<int:pk>/", views.work_order_by_request, name="work-order-by-request"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("compliance/", views.compliance_page, name="compliance"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("equipment/report/", views.equipment_report_page, name="equipment-report"),
]
