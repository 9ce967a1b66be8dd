"""A request's own pages: my requests, the request with its timeline, the actions on it, comments, photos."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets import selectors
from tickets.downloads import private_download
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import Attachment, ServiceRequest, Status
from tickets.pagination import CappedPaginator
from tickets.querysets import own_q
from tickets.registry import find_kind
from tickets.services import comments, feedback
from tickets.services.permissions import Party, parties_of, sees_internal
from tickets.services.transitions import allowed_actions, transition
from tickets.web import deadline_notes
from tickets.web import forms as f
from tickets.web.common import ACTION_TEXT, decorate, errors_to_form, page
from tickets.web.rows import request_cards

# Actions that need input, and the form that takes it. The rest are one button.
ACTION_FORMS: dict[str, type] = {
    "assign": f.AssignForm,
    "hold": f.HoldForm,
    "resolve": f.ResolveForm,
    "reopen": f.ReopenForm,
    "reject": f.RejectForm,
    "cancel": f.CancelForm,
    "reassign": f.ReassignForm,
    "rate": f.FeedbackForm,
}
DANGER = {"cancel", "reject"}
# The requester confirms by rating; a bare confirm button would skip the satisfaction record.
HIDDEN = {"confirm"}


def _form_for(action: str, req: ServiceRequest, data: Any = None, files: Any = None) -> Any:
    cls = ACTION_FORMS[action]
    kwargs: dict[str, Any] = {}
    if cls is f.AssignForm:
        kwargs["contractor_id"] = req.contractor_id
    if cls is f.ReassignForm:
        kwargs["service_line"] = req.service_line
    return cls(data, files, prefix=action, **kwargs)


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = selectors.request_page_rows(user=user).filter(own_q(user))  # type: ignore[arg-type]
    state = request.GET.get("state", "open")
    if state == "open":
        qs = qs.exclude(status__in=[Status.CLOSED, Status.CANCELLED, Status.REJECTED])
    elif state == "done":
        qs = qs.filter(status__in=[Status.CLOSED, Status.CANCELLED, Status.REJECTED])
    paginator = CappedPaginator(qs.order_by("-created_at", "-id"), 30)
    page_obj = paginator.get_page(request.GET.get("page"))
    return page(
        request,
        "tickets/request_list.html",
        {"page_obj": page_obj, "rows": request_cards(decorate(page_obj.object_list)), "state": state},
    )


def _detail_context(request: HttpRequest, req: ServiceRequest, bound: tuple[str, Any] | None = None) -> dict[str, Any]:
    user = request.user
    staff = sees_internal(user, req)  # type: ignore[arg-type]
    actions = [a for a in allowed_actions(req, user) if a not in HIDDEN]  # type: ignore[arg-type]
    parties = parties_of(user, req)  # type: ignore[arg-type]
    can_rate = req.status == Status.RESOLVED and Party.REQUESTER in parties
    buttons, forms_ = [], []
    for action in actions:
        if action in ACTION_FORMS:
            form = bound[1] if bound and bound[0] == action else _form_for(action, req)
            forms_.append({"action": action, "label": ACTION_TEXT[action], "form": form, "danger": action in DANGER})
        else:
            buttons.append({"action": action, "label": ACTION_TEXT[action], "danger": action in DANGER})
    if can_rate:
        form = bound[1] if bound and bound[0] == "rate" else _form_for("rate", req)
        forms_.insert(0, {"action": "rate", "label": _("确认并评价"), "form": form, "danger": False})
    events = [e for e in req.events.all() if staff or not e.changes.get("internal")]
    kind = find_kind(req.kind)
    step_labels = kind.step_labels if kind is not None else {}
    for e in events:
        # A core action's label, or the label the request's kind gives its module's own step.
        label = ACTION_TEXT.get(e.action) or step_labels.get(e.changes.get("step") or e.action, "")
        e.action_label = label  # type: ignore[attr-defined]
        e.deadline_words = deadline_notes.describe(e.changes.get("deadline_notes"))  # type: ignore[attr-defined]
    module_url = ""
    try:
        name = kind.detail_url_name if kind is not None else ""
        module_url = reverse(name, args=[req.pk]) if name else ""
    except NoReverseMatch:
        module_url = ""
    comment_form = bound[1] if bound and bound[0] == "comment" else f.CommentForm(prefix="comment")
    if not staff:
        comment_form.fields.pop("internal", None)
    return {
        "req": decorate([req])[0],
        "events": events,
        "comments": [c for c in req.comments.all() if staff or not c.internal],
        "attachments": list(req.attachments.all()),
        "buttons": buttons,
        "action_forms": forms_,
        "comment_form": comment_form,
        "module_url": module_url,
        "staff": staff,
    }


def _visible(request: HttpRequest, pk: int) -> ServiceRequest:
    # A request the user may not see answers 404: its very existence is private.
    return get_object_or_404(selectors.request_detail_queryset(user=request.user), pk=pk)  # type: ignore[arg-type]


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _visible(request, pk)
    return page(request, "tickets/request_detail.html", _detail_context(request, req))


def _rerender(request: HttpRequest, pk: int, action: str, form: Any) -> HttpResponse:
    req = _visible(request, pk)
    messages.error(request, _("请按提示修改后重新提交。"))
    return page(request, "tickets/request_detail.html", _detail_context(request, req, (action, form)), status=400)


def _conflict(request: HttpRequest, pk: int, exc: TransitionNotAllowed) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return HttpResponse(format_html('<p class="msg msg-error">{}</p>', exc.message), status=409)
    messages.error(request, exc.message)
    return redirect("request-detail", pk=pk)


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every button on a request page posts here; the transition gate decides, the page only reports."""
    req = _visible(request, pk)
    user = request.user
    if action != "rate" and action not in ACTION_TEXT:
        raise Http404
    form = _form_for(action, req, request.POST, request.FILES) if action in ACTION_FORMS else None
    if form is not None and not form.is_valid():
        return _rerender(request, pk, action, form)
    data = form.cleaned_data if form is not None else {}
    try:
        with transaction.atomic():
            if action == "rate":
                feedback.feedback_submit(
                    service_request=req,
                    actor=user,  # type: ignore[arg-type]
                    rating=data["rating"],
                    comment=data["comment"],
                )
            else:
                kwargs = {k: data[k] for k in ("note", "hold_reason", "assignee", "contract") if k in data}
                transition(service_request=req, action=action, actor=user, **kwargs)  # type: ignore[arg-type]
                for photo in data.get("photos", []):
                    comments.attachment_add(service_request=req, actor=user, upload=photo)  # type: ignore[arg-type]
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except TransitionNotAllowed as exc:
        return _conflict(request, pk, exc)
    except ValidationError as exc:
        form = form or _form_for(action, req) if action in ACTION_FORMS else None
        if form is None:
            messages.error(request, " ".join(exc.messages))
            return redirect("request-detail", pk=pk)
        errors_to_form(form, exc)
        return _rerender(request, pk, action, form)
    done = _("已评价，谢谢！") if action == "rate" else _("已完成：%(action)s。") % {"action": ACTION_TEXT[action]}
    if request.headers.get("HX-Request") and request.POST.get("row"):
        from tickets.web.workbench import queue_row

        return queue_row(request, pk, message=done)
    messages.success(request, done)
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("request-detail", args=[pk])  # redirect() would read "²" or "home" as a view's name
    return redirect(back)


@login_required
@require_POST
def request_comment(request: HttpRequest, pk: int) -> HttpResponse:
    req = _visible(request, pk)
    form = f.CommentForm(request.POST, prefix="comment")
    if form.is_valid():
        try:
            comments.comment_add(
                service_request=req,
                actor=request.user,  # type: ignore[arg-type]
                body=form.cleaned_data["body"],
                internal=form.cleaned_data.get("internal", False),
            )
        except ActionForbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except TransitionNotAllowed as exc:
            return _conflict(request, pk, exc)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("留言已发送。"))
            return redirect(reverse("request-detail", args=[pk]) + "#comments")
    return _rerender(request, pk, "comment", form)


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A photo of a request, shown only to those who may see the request. Types were sniffed on upload."""
    item = get_object_or_404(Attachment, pk=pk)
    if not selectors.visible_requests(user=request.user).filter(pk=item.request_id).exists():  # type: ignore[arg-type]
        raise Http404
    return private_download(item.file, filename=item.original_name, content_type=item.content_type)
