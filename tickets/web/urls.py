"""The web pages. Names are global (no namespace) because settings refer to "login" and "home"."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tickets.web import account, approvals, console, filing, notices, pages, qr, workbench

urlpatterns = [
    path("", filing.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # requester
    path("requests/new/", filing.request_new, name="request-new"),
    path("requests/", pages.request_list, name="request-list"),
    path("requests/<id:pk>/", pages.request_detail, name="request-detail"),
    path("requests/<id:pk>/do/<slug:action>/", pages.request_action, name="request-action"),
    path("requests/<id:pk>/comment/", pages.request_comment, name="request-comment"),
    path("attachments/<id:pk>/", pages.attachment, name="attachment"),
    # QR codes on rooms
    path("qr/", qr.qr_index, name="qr-index"),
    path("qr/buildings/<id:pk>/", qr.qr_sheet, name="qr-sheet"),
    path("qr/r/<str:token>/", filing.qr_entry, name="qr-entry"),
    # approvers (unit and bureau)
    path("approvals/", approvals.awaiting_approval_list, name="awaiting-approval"),
    path("approvals/badge/", approvals.awaiting_approval_badge, name="awaiting-approval-badge"),
    # contractor
    path("workbench/", workbench.workbench, name="workbench"),
    path("workbench/mine/", workbench.workbench, {"mine": True}, name="my-tasks"),
    # bureau
    path("console/", console.console, name="console"),
    path("console/complaints/", console.complaints, name="complaints"),
    path("console/complaints/<id:pk>/callback/", console.complaint_callback_view, name="complaint-callback"),
    # one's own settings
    path("account/api-token/", account.api_token, name="api-token"),
    path("account/api-token/new/", account.api_token_issue, name="api-token-issue"),
    path("account/api-token/revoke/", account.api_token_revoke, name="api-token-revoke"),
    # notifications
    path("notifications/", notices.notification_list, name="notifications"),
    path("notifications/badge/", notices.notification_badge, name="notifications-badge"),
    path("notifications/read/", notices.notification_read_all, name="notifications-read"),
    path("notifications/<id:pk>/", notices.notification_open, name="notification-open"),
]
