"""Assessment pages (考核): inspections and the scorecard sign-off, appeals and answers.

Thin views over tickets.assessment services and selectors. What a user may not see answers
404; a role that may see but not act gets 403 before its input is read; a denial of the service (a second or
late appeal, a frozen scorecard) is shown on the page with the form, not as an error page.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models.functions import ExtractYear
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets.assessment import forms as rf
from tickets.assessment import inspections, scorecards, selectors
from tickets.assessment.permissions import is_bureau_staff, may_appeal, may_assess, may_list_inspections
from tickets.assessment.scoring import counted_site
from tickets.downloads import private_download
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import (
    Compound,
    InspectionPhoto,
    PenaltyEvent,
    Role,
    Scorecard,
    ScorecardAppeal,
    User,
)
from tickets.web.common import errors_to_form, page

# --- inspections --------------------------------------------------------------------------------------------


def _may_record(user: User) -> bool:
    return bool(user.is_superuser or user.role in (Role.ADMIN, Role.SUPERVISOR))


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not may_list_inspections(user):
        raise PermissionDenied(_("检查记录仅供管理处室和服务商调度查看。"))
    qs = selectors.inspections_visible_to(user)
    failed = request.GET.get("failed") == "1"
    if failed:
        qs = qs.filter(failed_items__gt=0)
    page_obj = Paginator(qs, 30).get_page(request.GET.get("page"))
    return page(
        request,
        "tickets/assessment/inspections.html",
        {"page_obj": page_obj, "failed": failed, "can_record": _may_record(user)},
    )


@login_required
def inspection_new(request: HttpRequest) -> HttpResponse:
    """Step one (GET ?contract=&template=) picks the contract and checklist; step two is the checklist itself,
    posted to the same address."""
    user: Any = request.user
    if not _may_record(user):
        raise PermissionDenied(_("只有管理处室可以登记检查。"))
    start = rf.InspectionStartForm(request.GET if "contract" in request.GET else None, user=user)
    if not start.is_bound or not start.is_valid():
        return page(request, "tickets/assessment/inspection_new.html", {"start": start, "form": None})
    contract, template = start.cleaned_data["contract"], start.cleaned_data["template"]
    if request.method != "POST":
        form = rf.InspectionForm(contract=contract, template=template)
        return page(request, "tickets/assessment/inspection_new.html", _new_context(start, form))
    form = rf.InspectionForm(request.POST, request.FILES, contract=contract, template=template)
    if form.is_valid():
        data = form.cleaned_data
        photos, results = list(data["photos"]), []
        for item in form.items:
            mine = data[f"item_{item.pk}_photos"]
            indexes = tuple(range(len(photos), len(photos) + len(mine)))
            photos.extend(mine)
            answer = data[f"item_{item.pk}"]
            results.append(
                inspections.ItemInput(
                    item=item.pk,
                    passed=(answer == "pass") if item.kind == "pass_fail" else None,
                    score=answer if item.kind == "score" else None,
                    measured=answer if item.kind == "measure" else None,
                    note=data[f"item_{item.pk}_note"],
                    photo_indexes=indexes,
                )
            )
        try:
            inspection = inspections.inspection_record(
                actor=user,
                template=template,
                contract=contract,
                compound=data["compound"],
                building=data.get("building"),
                results=results,
                note=data["note"],
                photos=photos,
                inspected_at=data.get("inspected_at"),
            )
        except ActionForbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            if inspection.failed_items:
                messages.success(
                    request,
                    _("检查已登记：得分%(score)s，%(n)d项不合格，已向服务商发出整改请求。")
                    % {"score": inspection.score, "n": inspection.failed_items},
                )
            else:
                messages.success(request, _("检查已登记：得分%(score)s，全部合格。") % {"score": inspection.score})
            return redirect("assessment:inspection-page", pk=inspection.pk)
    messages.error(request, _("请按提示修改后重新提交。"))
    return page(request, "tickets/assessment/inspection_new.html", _new_context(start, form), status=400)


def _new_context(start: rf.InspectionStartForm, form: rf.InspectionForm) -> dict[str, Any]:
    return {
        "start": start,
        "form": form,
        "contract": form.contract,
        "template": form.template,
        "rows": form.item_rows(),
    }


def _service_errors(form: rf.InspectionForm, exc: ValidationError) -> None:
    """The service keys its messages results.<item id> and photos.<n>; put each next to its field."""
    if not hasattr(exc, "error_dict"):
        errors_to_form(form, exc)
        return
    for key, errors in exc.message_dict.items():
        field: str | None = key if key in form.fields else None
        if key.startswith("results.") and f"item_{key.split('.', 1)[1]}" in form.fields:
            field = f"item_{key.split('.', 1)[1]}"
        elif key.startswith("photos."):
            field = "photos"
        for message in errors:
            form.add_error(field, message)


@login_required
def inspection_page(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.visible_or_404(selectors.inspections_visible_to(request.user), pk)  # type: ignore[arg-type]
    results = list(inspection.results.select_related("rectification"))
    photos = list(inspection.photos.all())
    for r in results:
        r.photo_list = [p for p in photos if p.result_id == r.pk]  # type: ignore[attr-defined]
        r.measured_text = rf.plain(r.measured) if r.measured is not None else ""  # type: ignore[attr-defined]
        r.limit_text = rf.plain(r.item_limit) if r.item_limit is not None else ""  # type: ignore[attr-defined]
    return page(
        request,
        "tickets/assessment/inspection.html",
        {
            "inspection": inspection,
            "results": results,
            "general_photos": [p for p in photos if p.result_id is None],
            "rectifications": [r for r in results if r.rectification_id],
        },
    )


@login_required
def inspection_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A photo of an inspection, to those who may see the inspection; types were sniffed on upload."""
    photo = selectors.visible_or_404(InspectionPhoto.objects.all(), pk)
    if not selectors.inspections_visible_to(request.user).filter(pk=photo.inspection_id).exists():  # type: ignore[arg-type]
        raise Http404
    return private_download(photo.file, filename=photo.original_name, content_type=photo.content_type)


# --- scorecards ---------------------------------------------------------------------------------------------


@login_required
def scorecards_page(request: HttpRequest) -> HttpResponse:
    """The scorecards the user may see, and a roll-up row per contract and year that has one."""
    user: Any = request.user
    if not (is_bureau_staff(user) or user.role == Role.DISPATCHER):
        raise PermissionDenied(_("您无权查看报表。"))
    visible = selectors.scorecards_visible_to(user)
    rollups = (
        visible.annotate(year=ExtractYear("month"))
        .values("contract_id", "contract__name", "contract__contractor__name", "year")
        .distinct()
        .order_by("contract__name", "contract_id", "-year")
    )
    return page(
        request,
        "tickets/assessment/scorecards.html",
        {
            "cards": visible[:300],
            "rollups": list(rollups),
            "quarters": [(q, _("第%(q)d季度") % {"q": q}) for q in QUARTERS],
        },
    )


SCORECARD_ACTIONS = ("adjust", "penalty", "withdraw", "sign", "revise", "appeal")


def _visible_card(request: HttpRequest, pk: int) -> Scorecard:
    return selectors.visible_or_404(selectors.scorecards_visible_to(request.user), pk)  # type: ignore[arg-type]


def _line_choices(card: Scorecard, names: dict[int | None, str]) -> list[tuple[int, str]]:
    out = []
    for line in card.lines.all():
        site = names.get(line.compound_id, "") if line.compound_id else ""
        label = f"{site} · {line.get_indicator_display()}" if site else str(line.get_indicator_display())
        out.append((line.pk, _("%(line)s（当前%(points)s分）") % {"line": label, "points": line.points}))
    return out


def _month_penalties(card: Scorecard) -> list[PenaltyEvent]:
    return list(
        PenaltyEvent.objects.filter(contract_id=card.contract_id, month=card.month)
        .select_related("compound", "recorded_by", "withdrawn_by")
        .order_by("occurred_at", "id")
    )


def _penalty_choices(penalties: list[PenaltyEvent], *, withdrawn: bool = False) -> list[tuple[int, str]]:
    """The month's penalties still counting; a posted form also accepts a withdrawn one, so a second withdrawal
    (two tabs, two supervisors) reaches the service and reads "already withdrawn" (409)."""
    return [
        (
            p.pk,
            _("%(severity)s %(amount)s元 · %(description)s")
            % {"severity": p.get_severity_display(), "amount": p.amount, "description": p.description[:40]},
        )
        for p in penalties
        if withdrawn or p.withdrawn_at is None
    ]


def _history(card: Scorecard, penalties: list[PenaltyEvent]) -> list[dict[str, Any]]:
    """What the bureau changed on the month, oldest first: line adjustments (with the site's subtotal they moved)
    and penalties recorded and withdrawn."""
    entries: list[dict[str, Any]] = [
        {"kind": "adjust", "at": a.created_at, "item": a} for a in card.adjustments.select_related("line", "actor")
    ]
    for p in penalties:
        entries.append({"kind": "penalty", "at": p.occurred_at, "item": p})
        if p.withdrawn_at is not None:
            entries.append({"kind": "withdraw", "at": p.withdrawn_at, "item": p})
    return sorted(entries, key=lambda e: e["at"])


def _scorecard_context(
    request: HttpRequest, card: Scorecard, bound: tuple[str, Any] | None = None, error: str = ""
) -> dict[str, Any]:
    user: Any = request.user
    names: dict[int | None, str] = dict(Compound.objects.values_list("pk", "name"))
    card_lines = list(card.lines.all())
    lines = [{"line": line, "site": names.get(line.compound_id, _("全合同"))} for line in card_lines]
    sites = selectors.scorecard_sites(card, names)
    groups = [
        {
            "site": site,
            "lines": [
                {"line": line, "site": site["name"]} for line in card_lines if line.compound_id == site["compound"]
            ],
        }
        for site in sites
    ]
    penalties = _month_penalties(card)
    appeals = list(ScorecardAppeal.objects.filter(contract_id=card.contract_id, month=card.month))
    deadline = (
        card.signed_at + timedelta(days=int(card.scheme_snapshot.get("appeal_days", 5))) if card.signed_at else None
    )
    revisions = list(
        selectors.scorecards_visible_to(user)
        .filter(contract_id=card.contract_id, month=card.month)
        .order_by("revision")
    )
    latest = Scorecard.objects.filter(contract_id=card.contract_id, month=card.month).order_by("-revision").first()
    can_assess = may_assess(user, card.contract)
    draft = card.state == Scorecard.State.DRAFT
    signed = card.state == Scorecard.State.SIGNED

    def form(action: str, make: Any) -> Any:
        return bound[1] if bound and bound[0] == action else make()

    forms_: dict[str, Any] = {}
    if can_assess and draft:
        forms_["adjust"] = form("adjust", lambda: rf.AdjustForm(lines=_line_choices(card, names), prefix="adjust"))
        forms_["penalty"] = form("penalty", lambda: rf.PenaltyForm(card=card, prefix="penalty"))
        if any(p.withdrawn_at is None for p in penalties) or (bound and bound[0] == "withdraw"):
            forms_["withdraw"] = form(
                "withdraw", lambda: rf.WithdrawPenaltyForm(penalties=_penalty_choices(penalties), prefix="withdraw")
            )
        forms_["sign"] = True
    if can_assess and signed and latest is not None and latest.pk == card.pk:
        forms_["revise"] = form("revise", lambda: rf.ReviseForm(prefix="revise"))
    open_appeal = next((a for a in appeals if a.state == ScorecardAppeal.State.OPEN), None)
    if can_assess and open_appeal is not None:
        forms_["answer"] = form("answer", lambda: rf.AnswerForm(prefix="answer"))
    appeal_closed = ""
    if may_appeal(user, card) and signed:
        if appeals:
            appeal_closed = _("该月评分已申诉过，每月只能申诉一次。")
        elif deadline is not None and timezone.now() > deadline:
            appeal_closed = _("申诉期限已过。")
        if not appeal_closed or (bound and bound[0] == "appeal"):
            forms_["appeal"] = form("appeal", lambda: rf.AppealForm(prefix="appeal"))
    return {
        "card": card,
        "lines": lines,
        "appeals": appeals,
        "open_appeal": open_appeal,
        "appeal_deadline": deadline,
        "appeal_closed": appeal_closed,
        "sites": sites,
        "groups": groups,
        "by_site": len(sites) > 1,
        "counted": next((site for site in sites if site["counts"]), None),
        "history": _history(card, penalties),
        "penalties": penalties,
        "revisions": revisions,
        "latest": latest,
        "can_assess": can_assess,
        "forms": forms_,
        "bound_action": bound[0] if bound else "",
        "error": error,
    }


@login_required
def scorecard_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable scorecard, with the sign-off forms for its supervisor and the appeal for its contractor."""
    card = _visible_card(request, pk)
    return page(request, "tickets/assessment/scorecard.html", _scorecard_context(request, card))


def _rerender(request: HttpRequest, card: Scorecard, action: str, form: Any, status: int, error: str = "") -> Any:
    if status == 400:
        messages.error(request, _("请按提示修改后重新提交。"))
    context = _scorecard_context(request, card, (action, form), error=error)
    if not error and form is not None and action not in context["forms"]:
        # The card moved on (signed, answered) since the form was loaded: its messages go on top of the page.
        context["error"] = " ".join(m for errors in form.errors.values() for m in errors)
    return page(request, "tickets/assessment/scorecard.html", context, status=status)


def _adjusted_message(card: Scorecard, line_pk: int, before: dict[str, str], names: dict[int | None, str]) -> str:
    """On a card scored by site, say what the change did to its site and why the month's score may not move."""
    if len(card.site_scores) < 2:
        return _("评分已调整。")
    compound_id = card.lines.filter(pk=line_pk).values_list("compound_id", flat=True).first()
    key = str(compound_id)
    counted = counted_site(card.site_scores)
    return _("评分已调整：%(site)s小计 %(old)s → %(new)s；本月得分按最低院区（%(lowest)s）计为 %(score)s。") % {
        "site": names.get(compound_id, ""),
        "old": before.get(key, ""),
        "new": card.site_scores.get(key, ""),
        "lowest": names.get(int(counted), "") if counted and counted.isdigit() else "",
        "score": card.score,
    }


@login_required
@require_POST
def scorecard_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in SCORECARD_ACTIONS:
        raise Http404
    card = _visible_card(request, pk)
    user: Any = request.user
    # The party is checked before the input is read, so a contractor never learns more than "not yours".
    if action == "appeal":
        if not may_appeal(user, card):
            raise PermissionDenied(_("只有该合同服务商的调度人员可以申诉。"))
    elif not may_assess(user, card.contract):
        raise PermissionDenied(_("只有负责该服务条线的管理处室可以进行考核。"))
    names: dict[int | None, str] = dict(Compound.objects.values_list("pk", "name"))
    form: Any = None
    if action == "adjust":
        form = rf.AdjustForm(request.POST, lines=_line_choices(card, names), prefix="adjust")
    elif action == "penalty":
        form = rf.PenaltyForm(request.POST, card=card, prefix="penalty")
    elif action == "withdraw":
        form = rf.WithdrawPenaltyForm(
            request.POST, penalties=_penalty_choices(_month_penalties(card), withdrawn=True), prefix="withdraw"
        )
    elif action == "revise":
        form = rf.ReviseForm(request.POST, prefix="revise")
    elif action == "appeal":
        form = rf.AppealForm(request.POST, prefix="appeal")
    if form is not None and not form.is_valid():
        return _rerender(request, card, action, form, 400)
    data = form.cleaned_data if form is not None else {}
    target = card
    try:
        if action == "adjust":
            before = dict(card.site_scores)
            card = scorecards.scorecard_adjust(
                scorecard=card, line=data["line"], points=data["points"], reason=data["reason"], actor=user
            )
            done = _adjusted_message(card, data["line"], before, names)
        elif action == "withdraw":
            event = scorecards.penalty_withdraw(
                penalty=PenaltyEvent.objects.get(pk=data["penalty"]), actor=user, reason=data["reason"]
            )
            done = _("已撤销定额扣款%(amount)s元。") % {"amount": f"{event.amount:.2f}"}
        elif action == "penalty":
            event = scorecards.penalty_record(
                actor=user,
                contract=card.contract,
                month=card.month,
                severity=data["severity"],
                description=data["description"],
                compound=data.get("compound"),
            )
            done = _("已登记定额扣款%(amount)s元。") % {"amount": f"{event.amount:.2f}"}
        elif action == "sign":
            scorecards.scorecard_sign(scorecard=card, actor=user)
            done = _("评分表已签发，此后不能修改。")
        elif action == "revise":
            target = scorecards.scorecard_revise(scorecard=card, actor=user, reason=data["reason"])
            done = _("已新建修订版 v%(n)d，可调整后重新签发。") % {"n": target.revision}
        else:
            scorecards.appeal_submit(scorecard=card, actor=user, text=data["text"])
            done = _("申诉已提交，请等待管理处室答复。")
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except TransitionNotAllowed as exc:
        card.refresh_from_db()
        return _rerender(request, card, action, form, 409, error=exc.message)
    except ValidationError as exc:
        if form is None:
            return _rerender(request, card, action, form, 409, error=" ".join(exc.messages))
        errors_to_form(form, exc)
        return _rerender(request, card, action, form, 400)
    messages.success(request, done)
    return redirect("assessment:scorecard-page", pk=target.pk)


@login_required
@require_POST
def appeal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.visible_or_404(ScorecardAppeal.objects.select_related("contract", "scorecard"), pk)
    user: Any = request.user
    card = (
        selectors.scorecards_visible_to(user)
        .filter(contract_id=appeal.contract_id, month=appeal.month)
        .order_by("-revision")
        .first()
    )
    if card is None:
        raise Http404
    if not may_assess(user, appeal.contract):
        raise PermissionDenied(_("只有负责该服务条线的管理处室可以答复申诉。"))
    form = rf.AnswerForm(request.POST, prefix="answer")
    back = appeal.scorecard
    if not form.is_valid():
        return _rerender(request, back, "answer", form, 400)
    try:
        scorecards.appeal_answer(appeal=appeal, actor=user, answer=form.cleaned_data["answer"])
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except TransitionNotAllowed as exc:
        return _rerender(request, back, "answer", form, 409, error=exc.message)
    except ValidationError as exc:
        errors_to_form(form, exc)
        return _rerender(request, back, "answer", form, 400)
    messages.success(request, _("已答复申诉。"))
    return redirect(reverse("assessment:scorecard-page", args=[back.pk]) + "#appeals")


# --- quarterly and yearly roll-ups ---------------------------------------------------------------------------


def _period_label(year: int, quarter: int | None) -> str:
    if quarter is None:
        return _("%(year)d年度") % {"year": year}
    return _("%(year)d年第%(quarter)d季度") % {"year": year, "quarter": quarter}


def _quarter_label(quarter: int) -> str:
    return _("第%(q)d季度") % {"q": quarter}


QUARTERS = (1, 2, 3, 4)


def _period_links(url: str, year: int, quarter: int | None) -> dict[str, Any]:
    """The same contract's other periods: the year's quarters, the whole year, the period before and after."""

    def href(y: int, q: int | None) -> str:
        return f"{url}?year={y}" + (f"&quarter={q}" if q else "")

    before: tuple[int, int | None]
    after: tuple[int, int | None]
    if quarter is None:
        before, after = (year - 1, None), (year + 1, None)
    else:
        before = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        after = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
    return {
        "periods": [
            {"label": _("第%(q)d季度") % {"q": q}, "href": href(year, q), "current": q == quarter} for q in (1, 2, 3, 4)
        ]
        + [{"label": _("全年"), "href": href(year, None), "current": quarter is None}],
        "before": {"label": _period_label(*before), "href": href(*before)} if before[0] >= 2000 else None,
        "after": {"label": _period_label(*after), "href": href(*after)} if after[0] <= 2100 else None,
    }


def _rollup_for(request: HttpRequest, pk: int) -> tuple[Any, int, int | None, dict[str, Any]]:
    """The contract (404 unless the user may read its scorecards), the period asked for, and the service's
    roll-up of its signed months. Bad periods raise ValidationError."""
    contract = selectors.visible_or_404(selectors.assessed_contracts_visible_to(request.user), pk)  # type: ignore[arg-type]
    year, quarter = selectors.rollup_period(
        request.GET.get("year"), request.GET.get("quarter"), today=timezone.localdate()
    )
    return contract, year, quarter, selectors.rollup(contract, year, quarter)


@login_required
def rollup_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A contract's quarter or year: each month's signed score and payment, and the period's figures; printable.
    Read-only for everyone; the months link to their scorecards (drafts only for the bureau, who can see them)."""
    try:
        contract, year, quarter, data = _rollup_for(request, pk)
    except ValidationError as exc:
        contract = selectors.visible_or_404(selectors.assessed_contracts_visible_to(request.user), pk)  # type: ignore[arg-type]
        return page(
            request,
            "tickets/assessment/rollup.html",
            {
                "contract": contract,
                "errors": exc.messages,
                "year": request.GET.get("year", ""),
                "quarter": request.GET.get("quarter", ""),
                "quarters": [(str(q), _quarter_label(q)) for q in QUARTERS],
            },
            status=400,
        )
    unsigned = [date.fromisoformat(f"{row['month']}-01") for row in data["months"] if not row["signed"]]
    # The bureau sees the drafts of the months not yet signed (the contractor sees signed scorecards only).
    drafts: dict[str, Scorecard] = {}
    if unsigned:
        for card in (
            selectors.scorecards_visible_to(request.user)  # type: ignore[arg-type]
            .filter(contract=contract, month__in=unsigned)
            .order_by("month", "revision")
        ):
            drafts[card.month.strftime("%Y-%m")] = card
    rows = [{**row, "draft": drafts.get(row["month"])} for row in data["months"]]
    query = f"?year={year}" + (f"&quarter={quarter}" if quarter else "")
    return page(
        request,
        "tickets/assessment/rollup.html",
        {
            "contract": contract,
            "data": data,
            "rows": rows,
            "year": year,
            "quarter": str(quarter or ""),
            "quarters": [(str(q), _quarter_label(q)) for q in QUARTERS],
            "period": _period_label(year, quarter),
            "xlsx_url": reverse("assessment:rollup-xlsx", args=[contract.pk]) + query,
            **_period_links(request.path, year, quarter),
        },
    )


@login_required
def rollup_xlsx(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    import tempfile

    from tickets.assessment.xlsx import write_rollup

    try:
        contract, year, quarter, data = _rollup_for(request, pk)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    write_rollup(tmp, data, contract=contract, period=_period_label(year, quarter))
    tmp.seek(0)
    name = f"rollup-{contract.code}-{year}" + (f"-Q{quarter}" if quarter else "") + ".xlsx"
    return FileResponse(tmp, as_attachment=True, filename=name)  # type: ignore[return-value]
