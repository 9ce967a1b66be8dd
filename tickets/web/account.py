"""A person's own settings: the API token they use from a script or another system."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from tickets.services import tokens
from tickets.web.common import page


@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    existing = Token.objects.filter(user=user).first()
    return page(request, "tickets/api_token.html", {"token": existing, "new_key": ""})


@login_required
@require_POST
def api_token_issue(request: HttpRequest) -> HttpResponse:
    token = tokens.api_token_issue(actor=request.user)  # type: ignore[arg-type]
    # Shown on this answer only, never stored in a message or the session.
    response = page(request, "tickets/api_token.html", {"token": token, "new_key": token.key})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    if tokens.api_token_revoke(actor=request.user):  # type: ignore[arg-type]
        messages.success(request, _("API 令牌已作废，使用它的程序将无法再访问。"))
    return redirect("api-token")
