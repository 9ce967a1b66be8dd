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


ERROR_SCHEMA = {
    "type": "object",
    "description": "detail (and code) for 401/403/404/409; for 400, a list of messages per field",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": True,
}
ERROR_ANSWERS = {
    "400": "输入无效 / invalid input (messages per field)",
    "401": "未登录 / not authenticated",
    "403": "无权操作 / not allowed",
    "404": "不存在或不可见 / not found or not visible",
    "409": "当前状态不允许 / not allowed in the current state",
}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular hook: every operation documents the error answers of exception_handler above."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "401", "403", "404"] + (["409"] if method in ("post", "put", "patch") else [])
            for code in codes:
                operation["responses"].setdefault(
                    code, {"description": ERROR_ANSWERS[code], "content": {"application/json": {"schema": ref}}}
                )
    return result


def handler404(request: Any, exception: Exception) -> Any:
    """API paths answer JSON even when no route matches; pages get the product's 404 page."""
    from django.http import JsonResponse
    from django.utils.translation import gettext
    from django.views.defaults import page_not_found

    if "/api/" in request.path:
        return JsonResponse({"detail": gettext("未找到。"), "code": "not_found"}, status=404)
    return page_not_found(request, exception)


def handler400(request: Any, exception: Exception) -> Any:
    """Bad input that reached no form: JSON under /api/, the product's 400 page elsewhere. Only the messages of
    typed page parameters are shown; other refusals (a forged host, a broken upload) say nothing internal."""
    from django.utils.translation import gettext

    from servicedesk.guard import bad_request
    from tickets.web.params import BadParams

    if isinstance(exception, BadParams):
        if "/api/" in request.path:
            from django.http import JsonResponse

            return JsonResponse({**exception.errors, "code": "invalid"}, status=400)
        from django.shortcuts import render

        from servicedesk.guard import ensure_user

        ensure_user(request)
        return render(request, "400.html", {"errors": exception.errors}, status=400)
    return bad_request(request, gettext("请求中有无法处理的内容，请检查后重试。"))
