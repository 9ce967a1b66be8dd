"""API error mapping: domain errors become JSON answers with field messages in the caller's language."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tickets.exceptions import ActionForbidden, TransitionNotAllowed


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, TransitionNotAllowed):
        return Response(
            {"detail": exc.message, "code": "transition_not_allowed", "action": exc.action, "status": exc.status},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ActionForbidden):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, IntegrityError):
        return Response({"detail": str(_conflict_message()), "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


def _conflict_message() -> str:
    from django.utils.translation import gettext

    return gettext("操作与其他人的同时操作冲突，请刷新后重试。")
