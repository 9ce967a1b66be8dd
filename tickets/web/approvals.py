"""待审批: the requests waiting for the user's approval, of every kind that needs one, and the header's count."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from tickets.http import AuthenticatedHttpRequest
from tickets.models import Unit
from tickets.registry import find_kind
from tickets.selectors import awaiting_approval
from tickets.web.common import decorate, page
from tickets.web.rows import request_cards


def _detail_href(kind_key: str, pk: int) -> str | None:
    """The kind's own page for the request (a trip's slot and passengers), when its module declares one."""
    kind = find_kind(kind_key)
    if kind is None or not kind.detail_url_name:
        return None
    try:
        return reverse(kind.detail_url_name, args=[pk])
    except NoReverseMatch:
        return None


@login_required
def awaiting_approval_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    unit_name = Subquery(Unit.objects.filter(pk=OuterRef("unit_id")).order_by().values("name")[:1])
    qs = awaiting_approval(user=request.user).with_page_columns().annotate(unit_name=unit_name)
    page_obj = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = decorate(page_obj.object_list)
    hrefs = {r.pk: _detail_href(r.kind, r.pk) for r in rows}
    return page(
        request,
        "tickets/awaiting_approval.html",
        {"page_obj": page_obj, "rows": request_cards(rows, href_of=hrefs.get, with_requester=True)},
    )


@login_required
def awaiting_approval_badge(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = awaiting_approval(user=request.user).order_by().count()
    return render(request, "tickets/_approval_badge.html", {"waiting_count": count})
