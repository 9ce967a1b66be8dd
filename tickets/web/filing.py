"""The requester's side: the home page, filing in three steps (category, place, description), the QR entry."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.http import AuthenticatedHttpRequest
from tickets.models import Category, Room, ServiceLine, Urgency, User
from tickets.registry import Entry, find_kind, home_tiles_for
from tickets.services import comments, requests
from tickets.services.drafts import MAX_PHOTOS, PhotoDrafts
from tickets.web.common import errors_to_form, is_bureau, is_contractor, page
from tickets.web.forms import FileRequestForm, LocationForm
from tickets.web.params import id_field, param


def home_tiles(user: User) -> list[Entry]:
    """The tiles every registered kind declares for this user (the core's own kind declares repair, cleaning and
    complaints; each module its own)."""
    return home_tiles_for(user)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if is_contractor(user):
        return redirect("my-tasks" if user.role == "worker" else "workbench")
    if is_bureau(user):
        return redirect("console")  # the bureau manages: its home is the console, filing is a link there
    return page(request, "tickets/home.html", {"tiles": home_tiles(user), "show_console": is_bureau(user)})  # type: ignore[arg-type]


def category_label(category: Category) -> str:
    if get_language() == "en" and category.name_en:
        return category.name_en
    return category.name


def _leaf_categories(line: str, root: str) -> tuple[list[tuple[str, list[Category]]], bool]:
    """Leaf categories to offer, grouped under their top-level parent; False when `root` matched nothing."""
    cats = list(Category.objects.filter(active=True))
    by_id = {c.pk: c for c in cats}
    parents = {c.parent_id for c in cats if c.parent_id}

    def top(c: Category) -> Category:
        while c.parent_id and c.parent_id in by_id:
            c = by_id[c.parent_id]
        return c

    leaves = [c for c in cats if c.pk not in parents and (not line or c.service_line == line) and _filed_here(c)]
    root_found = bool(root) and any(top(c).code == root or c.code == root for c in leaves)
    if root_found:
        leaves = [c for c in leaves if top(c).code == root or c.code == root]
    groups: dict[int, tuple[str, list[Category]]] = {}
    for c in sorted(leaves, key=lambda c: (top(c).sort, top(c).code, c.sort, c.code)):
        t = top(c)
        c.label = category_label(c)  # type: ignore[attr-defined]
        groups.setdefault(t.pk, (category_label(t), []))[1].append(c)
    return list(groups.values()), root_found


def _filed_here(category: Category) -> bool:
    """Categories of a kind whose module files its own requests (it owns "create") are not offered here."""
    kind = find_kind(category.kind)
    return kind is None or not kind.owns("create")


PLACE_PARAMS = ("compound", "building", "floor", "room", "scan")


def _place_params(request: AuthenticatedHttpRequest) -> dict[str, str]:
    return {k: request.GET[k] for k in PLACE_PARAMS if request.GET.get(k)}


@login_required
def request_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 1 picks a category, step 2 the place (skipped when a QR code gave the room), step 3 describes.

    A scanned code arrives as ``scan=<room>``; ``room`` is the picker's own field, so choosing a room in step 2
    only narrows the picker and the requester moves on with "下一步" (``step=3``)."""
    line = request.GET.get("line", "")
    if line not in ServiceLine.values:
        line = ""
    root = request.GET.get("root", "")
    scan = None
    if (scan_id := param(request, "scan", id_field())) is not None:
        scan = Room.objects.select_related("floor__building__compound").filter(pk=scan_id).first()
    base: dict[str, Any] = {"line": line, "scan": scan, "line_label": ServiceLine(line).label if line else ""}

    category_id = param(request, "category", id_field())
    category = None
    if category_id is not None:
        category = Category.objects.filter(pk=category_id, active=True, children__isnull=True).first()
        if category is not None and not _filed_here(category):
            category = None
    if category is None:
        groups, root_found = _leaf_categories(line, root)
        keep = urlencode(_place_params(request))
        return page(
            request,
            "tickets/file_category.html",
            {**base, "step": 1, "groups": groups, "keep": keep, "root": root, "root_found": root_found},
        )
    category.label = category_label(category)  # type: ignore[attr-defined]
    needs_room = "room" in (category.required_fields or [])
    base["needs_room"] = needs_room

    if scan is None and request.GET.get("step") != "3":
        return _step_place(request, category, base, LocationForm(request.GET.dict(), bound=False))
    location = LocationForm(request.GET.dict()) if scan is None else None
    if location is not None and not location.is_valid():
        return _step_place(request, category, base, location)
    try:
        if location is not None:
            data = location.cleaned_data
            place = requests.resolve_place(
                compound=data["compound"], building=data["building"], floor=data["floor"], room=data["room"]
            )
        else:
            place = requests.resolve_place(compound=None, building=None, room=scan)
        if needs_room and place.room is None:
            # Said here, in the step that picks the room, not after the requester has described and photographed.
            raise ValidationError({"room": [_("该类请求需要选择房间。")]})
    except ValidationError as exc:
        location = LocationForm(request.GET.dict())
        location.is_valid()
        errors_to_form(location, exc)
        return _step_place(request, category, base, location)
    return _step_describe(request, category, place, base)


def _step_place(
    request: AuthenticatedHttpRequest, category: Category, base: dict[str, Any], form: LocationForm
) -> HttpResponse:
    return page(request, "tickets/file_place.html", {**base, "step": 2, "category": category, "form": form})


def _step_describe(
    request: AuthenticatedHttpRequest, category: Category, place: requests.Placement, base: dict[str, Any]
) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        drafts = PhotoDrafts(user.pk, request.POST.get("idempotency_key", ""))
        kept = drafts.names()
        form = FileRequestForm(request.POST, request.FILES, min_photos=max(0, category.min_photos - len(kept)))
        if form.is_valid() and len(kept) + len(form.cleaned_data["photos"]) > MAX_PHOTOS:
            form.add_error("photos", _("最多上传%(n)d张照片。") % {"n": MAX_PHOTOS})
        if form.is_valid():
            key = form.cleaned_data["idempotency_key"]
            already = requests.already_filed(key, user)  # type: ignore[arg-type]
            if already is not None:  # a double submit: show the request the first submit filed
                return redirect("request-detail", pk=already.pk)
            try:
                with transaction.atomic():
                    req = requests.request_create(
                        actor=user,
                        category=category,
                        title=form.cleaned_data["title"],
                        description=form.cleaned_data["description"],
                        urgency=form.cleaned_data["urgency"],
                        compound=place.compound,
                        building=place.building,
                        room=place.room,
                        location_detail=_location_detail(place, form.cleaned_data["location_detail"]),
                        idempotency_key=key,
                    )
                    for photo in [*drafts.files(), *form.cleaned_data["photos"]]:
                        comments.attachment_add(service_request=req, actor=user, upload=photo)
            except ValidationError as exc:
                errors_to_form(form, exc)
            except (TransitionNotAllowed, ActionForbidden) as exc:  # the kind's guard refused the filing
                form.add_error(None, exc.message)
            else:
                drafts.clear()
                messages.success(request, _("已提交，编号 %(number)s。") % {"number": req.number})
                return redirect("request-detail", pk=req.pk)
        if "photos" not in form.errors:
            # The browser forgets chosen files when the page comes back with an error: keep them here instead.
            kept = drafts.keep(request.FILES.getlist("photos"))
        status = 400
    else:
        form = FileRequestForm(
            initial={"urgency": category.default_urgency, "idempotency_key": secrets.token_urlsafe(24)},
            min_photos=category.min_photos,
        )
        kept = []
        status = 200
    chosen = form.data.get("urgency") or request.GET.get("urgency")
    urgency = chosen if chosen in Urgency.values else category.default_urgency
    # A change of urgency asks this page again and swaps only the preview (#preview); the chosen photos stay.
    form.fields["urgency"].widget.attrs.update(
        {
            "hx-get": request.get_full_path(),
            "hx-trigger": "change",
            "hx-select": "#preview",
            "hx-target": "#preview",
            "hx-swap": "outerHTML",
        }
    )
    preview = requests.sla_preview(category=category, place=place, urgency=urgency)
    return page(
        request,
        "tickets/file_describe.html",
        {**base, "step": 3, "category": category, "place": place, "form": form, "preview": preview, "kept": kept},
        status=status,
    )


def _location_detail(place: requests.Placement, detail: str) -> str:
    """A request has no floor column: a floor chosen without a room is kept in the location's words."""
    if place.room is not None or place.floor is None:
        return detail
    floor = place.floor.name or f"{place.floor.level}F"
    return f"{floor} {detail}".strip()[:200]


@login_required
def qr_entry(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """A scanned room code: the filing form with the room filled in (log-in comes first)."""
    room = get_object_or_404(Room, qr_token=token)
    return redirect(f"{reverse('request-new')}?{urlencode({'line': 'property', 'scan': room.pk})}")
