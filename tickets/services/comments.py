"""Comments and attachments on a request."""

from __future__ import annotations

import secrets
import warnings
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import FINAL_STATUSES, Attachment, Comment, EventKind, ServiceRequest, Status, User
from tickets.services import notifications
from tickets.services.common import MAX_TEXT, now_or, record_event
from tickets.services.permissions import Party, parties_of

IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


def comment_add(
    *, service_request: ServiceRequest, actor: User, body: str, internal: bool = False, now: datetime | None = None
) -> Comment:
    now = now_or(now)
    if not body.strip():
        raise ValidationError({"body": [_("请填写留言内容。")]})
    if len(body) > MAX_TEXT:
        raise ValidationError({"body": [_("留言不能超过%(n)d个字。") % {"n": MAX_TEXT}]})
    parties = parties_of(actor, service_request)
    if internal and not parties & {Party.CONTRACTOR, Party.BUREAU}:
        raise ActionForbidden(_("只有服务商和管理处室可以添加内部备注。"))
    with transaction.atomic():
        status = ServiceRequest.objects.select_for_update().values_list("status", flat=True).get(pk=service_request.pk)
        if status in FINAL_STATUSES:
            # A finished request takes no more words: a complaint or a new request is where they go.
            raise TransitionNotAllowed(
                _("请求已%(status)s，不能再留言；如有问题请提出投诉或新的请求。") % {"status": Status(status).label},
                action="comment",
                status=status,
            )
        comment = Comment.objects.create(
            request=service_request, author=actor, body=body, internal=internal, created_at=now
        )
        event = record_event(
            service_request=service_request,
            kind=EventKind.COMMENT,
            actor=actor,
            at=now,
            changes={"comment": comment.pk, "internal": internal},
            note="" if internal else body[:500],
        )
        assert event is not None
        notifications.notify_for_event(event)
    return comment


MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel photo is larger than any phone takes
MAX_IMAGE_SIDE = 20_000


def sniff_upload(upload: UploadedFile) -> tuple[str, str]:
    """The real type of an upload, from its content; the name and the browser's claim are not trusted."""
    if upload.size is None or upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            {"file": [_("文件不能超过%(mb)d MB。") % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}]}
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "application/pdf", "pdf"
    try:
        with warnings.catch_warnings():
            # Pillow warns beyond MAX_IMAGE_PIXELS and raises beyond twice that; we refuse beyond our own limit
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                image.verify()
                fmt = image.format or ""
    except Image.DecompressionBombError:
        width = height = MAX_IMAGE_SIDE + 1
        fmt = ""
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        width = height = 0
        fmt = ""
    finally:
        upload.seek(0)
    if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
        # a small file that unpacks to gigabytes (a decompression bomb) when a thumbnail or a viewer opens it
        raise ValidationError(
            {"file": [_("图片尺寸过大（最多 %(mp)d 百万像素）。") % {"mp": MAX_IMAGE_PIXELS // 1_000_000}]}
        )
    if fmt not in IMAGE_TYPES:
        raise ValidationError({"file": [_("只能上传 JPEG、PNG、WebP 图片或 PDF 文件。")]})
    return IMAGE_TYPES[fmt]


EXTENSION_ALIASES = {"jpg": {"jpg", "jpeg"}}


def safe_name(name: str, *, ext: str | None = None) -> str:
    """A printable base name without path or shell-hostile characters; with `ext` (the type sniffed from the
    content), its extension is that type's: `report.html` holding a PDF becomes `report.pdf`."""
    keep = "".join(ch for ch in name.replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable() and ch not in '<>:"|?*')
    keep = keep.strip(". ")[:200] or "file"
    if ext is None:
        return keep
    stem, dot, current = keep.rpartition(".")
    if dot and current.lower() in EXTENSION_ALIASES.get(ext, {ext}):
        return keep
    stem = (stem if dot else keep).strip(". ") or "file"
    return f"{stem[: 199 - len(ext)]}.{ext}"


def attachment_add(
    *, service_request: ServiceRequest, actor: User, upload: UploadedFile, now: datetime | None = None
) -> Attachment:
    now = now_or(now)
    if not parties_of(actor, service_request) & {Party.REQUESTER, Party.CONTRACTOR, Party.BUREAU, Party.APPROVER}:
        raise ActionForbidden(_("您无权为该请求上传附件。"))
    content_type, ext = sniff_upload(upload)
    with transaction.atomic():
        attachment = Attachment(
            request=service_request,
            uploaded_by=actor,
            stored_name=f"{secrets.token_hex(16)}.{ext}",
            original_name=safe_name(upload.name or "file", ext=ext),
            content_type=content_type,
            size=upload.size or 0,
            created_at=now,
        )
        attachment.file.save(attachment.stored_name, upload, save=False)
        try:
            attachment.save()
            record_event(
                service_request=service_request,
                kind=EventKind.ATTACHMENT,
                actor=actor,
                at=now,
                changes={"attachment": attachment.pk, "name": attachment.original_name},
            )
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment
