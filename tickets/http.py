"""Typed requests for the views only a signed-in user reaches, so ``request.user`` is a ``User`` (not ``User |
AnonymousUser``) without a cast in every view. Annotations only: Django and DRF pass their own request objects;
the decorators and permission classes (``login_required``, ``IsAuthenticated``) are what make the type true."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from tickets.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a page behind ``login_required`` (or ``role_required``)."""

    user: User


class AuthenticatedRequest(Request):
    """The request of an API view whose permission classes require authentication (the API's default)."""

    user: User
