"""Requests refused before any view reads them, with a 400 in the caller's language (JSON under /api/, the
product's 400 page elsewhere):

- a body larger than the cap, judged from its declared length before a byte of it is read (Django never reads
  past ``Content-Length``, so a body without one is read as empty);
- a file larger than ``UPLOAD_MAX_BYTES`` inside a multipart body: ``CappedUploadHandler`` stops receiving it
  at the cap instead of taking the whole file and refusing it afterwards;
- a NUL byte in the address, a query parameter or a form field (PostgreSQL cannot store one, and no user types
  one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class UploadTooLarge(MultiPartParserError):
    """A file in a multipart body passed the cap while it was being received."""

    def __init__(self, field_name: str) -> None:
        super().__init__(file_too_large_message())
        self.field_name = field_name


def file_too_large_message() -> str:
    return _("文件不能超过%(mb)d MB。") % {"mb": max(1, settings.UPLOAD_MAX_BYTES // (1024 * 1024))}


def body_cap(request: HttpRequest) -> int:
    """Multipart bodies may carry up to ``UPLOAD_MAX_FILES`` files of ``UPLOAD_MAX_BYTES`` each; any other body
    is read into memory, so it may not pass ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    if request.content_type == "multipart/form-data":
        return settings.REQUEST_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_message(cap: int) -> str:
    return _("提交的内容超过 %(mb)d MB 的上限，未被接收。") % {"mb": max(1, cap // (1024 * 1024))}


def is_api(request: HttpRequest) -> bool:
    return "/api/" in request.path


def bad_request(request: HttpRequest, message: str, *, code: str = "bad_request", field: str = "") -> HttpResponse:
    if is_api(request):
        return JsonResponse({**({field: [message]} if field else {}), "detail": message, "code": code}, status=400)
    ensure_user(request)
    return render(request, "400.html", {"message": message}, status=400)


def ensure_user(request: HttpRequest) -> None:
    """The page's header shows who is signed in; a request refused before the authentication middleware ran
    (a forged host) has no user yet."""
    if not hasattr(request, "user"):
        request.user = SimpleLazyObject(lambda: get_user(request))  # type: ignore[assignment]


def _has_nul(values: Any) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vals if isinstance(v, str)) for key, vals in values.lists())


class RequestGuardMiddleware:
    """Last in MIDDLEWARE: the user and the language are known, and no view has read the body yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self.refuse(request)
        return refused if refused is not None else self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return bad_request(request, _("请求的长度无效。"))
        cap = body_cap(request)
        if length > cap:
            return bad_request(request, too_large_message(cap), code="too_large")
        nul = _("地址、参数或表单中含有不允许的控制字符（NUL）。")
        if "\x00" in request.path or _has_nul(request.GET):
            return bad_request(request, nul, code="nul_byte")
        if request.method == "POST" and request.content_type in FORM_TYPES:
            try:
                has_nul = _has_nul(request.POST)
            except UploadTooLarge as exc:
                return bad_request(request, str(exc), code="too_large", field=exc.field_name)
            except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
                return bad_request(request, too_large_message(cap), code="too_large")
            except MultiPartParserError:
                return bad_request(request, _("表单数据格式错误。"))
            if has_nul:
                return bad_request(request, nul, code="nul_byte")
        return None


class CappedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts each file's bytes as they arrive and stops at the cap."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            raise UploadTooLarge(self.field_name or "file")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
