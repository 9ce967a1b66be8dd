"""In-app notifications: the list, the header badge, opening one (marks it read), marking all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets.pagination import CappedPaginator
from tickets.selectors import notifications_for
from tickets.services.notifications import mark_read
from tickets.web.common import page


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = notifications_for(user=request.user).select_related("request")  # type: ignore[arg-type]
    page_obj = CappedPaginator(qs, 30).get_page(request.GET.get("page"))
    return page(request, "tickets/notifications.html", {"page_obj": page_obj})


@login_required
def notification_badge(request: HttpRequest) -> HttpResponse:
    count = notifications_for(user=request.user).filter(read_at__isnull=True).count()  # type: ignore[arg-type]
    return render(request, "tickets/_badge.html", {"unread_count": count})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(notifications_for(user=request.user), pk=pk)  # type: ignore[arg-type]
    mark_read(user=request.user, ids=[note.pk])  # type: ignore[arg-type]
    return redirect("request-detail", pk=note.request_id)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_read(user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("已将%(n)d条通知标为已读。") % {"n": count})
    return redirect("notifications")
