from django.urls import path

from canteen import api

urlpatterns = [
    path("canteens/", api.CanteenList.as_view(), name="canteen-api-canteens"),
    path("week/", api.WeekView.as_view(), name="canteen-api-week"),
    path("bookings/", api.BookingCreate.as_view(), name="canteen-api-book"),
    path("bookings/week/", api.BookingWeek.as_view(), name="canteen-api-book-week"),
    path("bookings/guests/", api.GuestBooking.as_view(), name="canteen-api-guests"),
    path("menus/", api.MenuList.as_view(), name="canteen-api-menus"),
    path("menus/<id:pk>/", api.MenuDetail.as_view(), name="canteen-api-menu"),
    path("menus/<id:pk>/dishes/", api.DishCreate.as_view(), name="canteen-api-dish-add"),
    *[
        path(f"menus/<id:pk>/{action}/", view.as_view(), name=f"canteen-api-menu-{action}")
        for action, view in api.MENU_STEP_VIEWS.items()
    ],
    path("dishes/<id:pk>/", api.DishDetail.as_view(), name="canteen-api-dish"),
    path("dishes/<id:pk>/withdraw/", api.DishWithdraw.as_view(), name="canteen-api-dish-withdraw"),
    path("head-counts/", api.HeadCountList.as_view(), name="canteen-api-head-counts"),
    path("head-counts/<id:pk>/served/", api.HeadCountServed.as_view(), name="canteen-api-served"),
    path("ratings/", api.RatingCreate.as_view(), name="canteen-api-rate"),
    path("samples/", api.SampleList.as_view(), name="canteen-api-samples"),
    path("samples/<id:pk>/dispose/", api.SampleDispose.as_view(), name="canteen-api-sample-dispose"),
    path("samples/<id:pk>/rectify/", api.SampleRectify.as_view(), name="canteen-api-sample-rectify"),
    path("waste/", api.WasteList.as_view(), name="canteen-api-waste"),
    path("complaints/", api.ComplaintCreate.as_view(), name="canteen-api-complaint"),
    path("reports/", api.ReportView.as_view(), name="canteen-api-report"),
    path("log-inspections/", api.LogInspectionList.as_view(), name="canteen-api-log-inspections"),
    path("reports/anti-waste.xlsx", api.AntiWasteExport.as_view(), name="canteen-api-anti-waste"),
]
