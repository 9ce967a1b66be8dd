"""Log-in protection and API tokens.

django-axes counts failed log-ins in the database (``AxesDatabaseHandler``), which every web process shares, and
locks a *user name from one address* after ``AXES_FAILURE_LIMIT`` failures: a stranger elsewhere cannot lock a
user out, and eight guesses spread over four gunicorn workers count as eight. On top of it, ``SprayGuardBackend``
refuses log-ins from an address that failed ``LOGIN_ADDRESS_FAILURE_LIMIT`` times across any accounts within the
cool-off, so one guess each across many accounts is slowed too (the limit is high enough for a unit's staff
behind one NAT address).

The client address is ``REMOTE_ADDR``, or, when the request comes from a trusted proxy on the loopback (gunicorn
is bound to 127.0.0.1 behind the HTTPS proxy), the address that proxy appended to ``X-Forwarded-For``.

API tokens (DRF's ``Token``) are deleted when their user's password changes (``revoke_tokens_on_password_change``,
connected in ``tickets.apps``) and stop working ``API_TOKEN_MAX_AGE_DAYS`` after they were created.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


def login_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The user name a log-in tried, as django-axes records it: cut to its 255-character column. The log-in form
    does not check the length before authenticating, and PostgreSQL refused a 300-character name (a 500)."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    value = credentials.get(field) if credentials else request.POST.get(field)
    return value[:255] if isinstance(value, str) else value


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in settings.TRUSTED_PROXIES:
        # The right-most entry is the one our own proxy appended; anything left of it the client could have sent.
        candidate = forwarded.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            return remote
    return remote


def address_failures(ip: str, *, now=None) -> int:
    """Failed log-ins from ``ip`` across all user names within the cool-off, from axes' shared table."""
    from axes.models import AccessAttempt

    if not ip:
        return 0
    since = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


class SprayGuardBackend(ModelBackend):
    """The model backend, refusing any log-in from an address that sprayed failures across accounts."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if request is not None and address_failures(client_ip(request)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            if request is not None:
                request.axes_locked_out = True  # type: ignore[attr-defined]  # AxesMiddleware answers 429
            raise PermissionDenied("too many failed log-ins from this address")
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """429: the log-in form again with the reason, or JSON for the API."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("登录失败次数过多，请 %(minutes)d 分钟后再试。") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    from django.contrib.auth.forms import AuthenticationForm

    form = AuthenticationForm(request)
    return render(request, "registration/login.html", {"form": form, "locked_out": message}, status=429)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token auth, refusing a token older than ``API_TOKEN_MAX_AGE_DAYS`` (0: tokens never expire)."""

    def authenticate_credentials(self, key: str):
        user, token = super().authenticate_credentials(key)
        max_age = settings.API_TOKEN_MAX_AGE_DAYS
        if max_age and token.created < timezone.now() - timedelta(days=max_age):
            raise AuthenticationFailed(_("API 令牌已过期，请重新申请。"))
        return user, token


def revoke_tokens_on_password_change(sender, instance, update_fields=None, **kwargs) -> None:
    """pre_save of the user model: a changed password hash deletes the user's API tokens (sessions are already
    ended by Django's session hash)."""
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    old = type(instance)._base_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        from rest_framework.authtoken.models import Token

        Token.objects.filter(user_id=instance.pk).delete()
