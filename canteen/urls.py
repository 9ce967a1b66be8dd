from django.urls import path

from canteen import views

app_name = "canteen"

urlpatterns = [
    path("", views.book, name="book"),
    path("book/meal/", views.book_meal, name="book-meal"),
    path("book/week/", views.book_week, name="book-week"),
    path("book/guests/", views.book_guests, name="book-guests"),
    path("rate/", views.rate, name="rate"),
    path("complaint/", views.complaint, name="complaint"),
    path("day/", views.day_view, name="day"),
    path("head-counts/<id:pk>/served/", views.served, name="served"),
    path("samples/", views.sample_add, name="sample-add"),
    path("samples/<id:pk>/dispose/", views.sample_dispose, name="sample-dispose"),
    path("samples/<id:pk>/rectify/", views.sample_rectify, name="sample-rectify"),
    path("waste/", views.waste_add, name="waste-add"),
    path("menus/", views.menu_list, name="menus"),
    path("menus/<id:pk>/", views.menu_detail, name="menu"),
    path("menus/<id:pk>/dishes/", views.dish_add, name="dish-add"),
    path("dishes/<id:pk>/withdraw/", views.dish_withdraw, name="dish-withdraw"),
    path("menus/<id:pk>/do/<slug:action>/", views.menu_step, name="menu-step"),
    path("reports/", views.reports_page, name="reports"),
    path("log-inspections/", views.log_inspection_add, name="log-inspection-add"),
    path("reports/anti-waste.xlsx", views.anti_waste_xlsx, name="anti-waste-xlsx"),
]
