"""Assessment API under /api/v1/assessment/: one view per action, input and output serializers, no rules here.

Errors come from servicedesk.api.exception_handler: bad input → 400 with field messages, a party that may not
act → 403, a frozen scorecard, a second appeal or an answered appeal → 409. What the caller may not see → 404.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from tickets.assessment import inspections, schemes, scorecards, selectors
from tickets.assessment import serializers as s
from tickets.assessment.models import ChecklistTemplate, PenaltyEvent, Scorecard, ScorecardAppeal, ScoringScheme
from tickets.assessment.permissions import (
    is_bureau_staff,
    may_appeal,
    may_assess,
    may_list_inspections,
    may_see_contract,
)
from tickets.exceptions import ActionForbidden
from tickets.http import AuthenticatedRequest
from tickets.models import Contract, Role
from tickets.reports.api import ReportAPIView
from tickets.reports.params import ReportForbidden, report_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _valid(serializer_class: Any, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _card_out(card: Scorecard, code: int = status.HTTP_200_OK) -> Response:
    card = Scorecard.objects.select_related("contract__contractor", "signed_by").get(pk=card.pk)
    return Response(s.ScorecardDetailOut(card).data, status=code)


# --- inspections -------------------------------------------------------------------------------------------


class ChecklistListView(ReportAPIView):
    @extend_schema(
        operation_id="assessment_checklists", summary="Active checklists (bureau)", responses=s.ChecklistOut(many=True)
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        if not is_bureau_staff(request.user):
            raise ActionForbidden(_("只有机关事务局人员可以访问。"))
        qs = ChecklistTemplate.objects.filter(active=True).prefetch_related("items")
        if request.user.role == Role.SUPERVISOR:
            qs = qs.filter(service_line=request.user.service_line)
        return Response(s.ChecklistOut(qs, many=True).data)


def _inspections(user: Any) -> Any:
    return selectors.inspections_visible_to(user).prefetch_related("results__rectification", "photos")


class InspectionListView(ReportAPIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="assessment_inspections",
        summary="Inspections (newest first, at most 200)",
        parameters=[s.InspectionListQuery],
        responses=s.InspectionOut(many=True),
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        if not may_list_inspections(request.user):
            raise ActionForbidden(_("您无权查看检查记录。"))
        query = _valid(s.InspectionListQuery, request.query_params)
        qs = _inspections(request.user)
        if "contract" in query:
            qs = qs.filter(contract_id=query["contract"])
        return Response(s.InspectionOut(qs[:200], many=True).data)

    @extend_schema(
        operation_id="assessment_inspection_record",
        summary="Record an inspection; each failed item files a rectification request",
        request={"application/json": s.InspectionIn, "multipart/form-data": s.InspectionMultipartIn},
        responses={201: s.InspectionOut},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        if not is_bureau_staff(request.user):
            raise ActionForbidden(_("只有管理处室可以登记检查。"))
        photos: list[Any] = []
        if request.content_type.startswith("multipart/"):
            outer = _valid(s.InspectionMultipartIn, request.data)
            v, photos = outer["payload"], outer["photos"]
        else:
            v = _valid(s.InspectionIn, request.data)
        results = [
            inspections.ItemInput(
                item=r["item"],
                passed=r["passed"],
                score=r["score"],
                measured=r["measured"],
                note=r["note"],
                photo_indexes=tuple(r["photos"]),
            )
            for r in v["results"]
        ]
        inspection = inspections.inspection_record(
            actor=request.user,
            template=v["template"],
            contract=v["contract"],
            compound=v["compound"],
            building=v.get("building"),
            results=results,
            note=v["note"],
            inspected_at=v.get("inspected_at"),
            photos=photos,
        )
        return Response(
            s.InspectionOut(selectors.visible_or_404(_inspections(request.user), inspection.pk)).data, status=201
        )


class InspectionDetailView(ReportAPIView):
    @extend_schema(operation_id="assessment_inspection", summary="One inspection", responses=s.InspectionOut)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.InspectionOut(selectors.visible_or_404(_inspections(request.user), pk)).data)


# --- scorecards --------------------------------------------------------------------------------------------


class ScorecardListView(ReportAPIView):
    @extend_schema(
        operation_id="assessment_scorecards",
        summary="Scorecards the caller may see (the contractor: its signed ones)",
        parameters=[s.ScorecardListQuery],
        responses=s.ScorecardOut(many=True),
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        report_scope(request.user)  # requesters and workers: 403
        query = _valid(s.ScorecardListQuery, request.query_params)
        qs = selectors.scorecards_visible_to(request.user)
        if "contract" in query:
            contract = Contract.objects.filter(pk=query["contract"]).first()
            if contract is None:
                from django.core.exceptions import ValidationError

                raise ValidationError({"contract": [_("合同不存在。")]})
            if not may_see_contract(request.user, contract):
                raise ReportForbidden({"contract": _("您无权查看该合同的评分表。")})
            qs = qs.filter(contract=contract)
        if "month" in query:
            qs = qs.filter(month=query["month"])
        return Response(s.ScorecardOut(qs[:500], many=True).data)


def _card(request: Request, pk: int) -> Scorecard:
    return selectors.visible_or_404(selectors.scorecards_visible_to(request.user), pk)  # type: ignore[arg-type]


def _assessed_card(request: AuthenticatedRequest, pk: int) -> Scorecard:
    """A scorecard the caller assesses; the party is checked before the input is read."""
    card = _card(request, pk)
    if not may_assess(request.user, card.contract):
        raise ActionForbidden(_("只有负责该服务条线的管理处室可以进行考核。"))
    return card


class ScorecardDetailView(ReportAPIView):
    @extend_schema(operation_id="assessment_scorecard", summary="One scorecard with its lines and appeals",
                   responses=s.ScorecardDetailOut)  # fmt: skip
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _card_out(_card(request, pk))


class ScorecardAdjustView(ReportAPIView):
    @extend_schema(
        operation_id="assessment_scorecard_adjust",
        summary="Change one line of a draft, with a reason",
        request=s.AdjustIn,
        responses=s.ScorecardDetailOut,
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        card = _assessed_card(request, pk)
        v = _valid(s.AdjustIn, request.data)
        card = scorecards.scorecard_adjust(
            scorecard=card,
            line=v["line"],
            points=v["points"],
            reason=v["reason"],
            actor=request.user,
        )
        return _card_out(card)


class ScorecardSignView(ReportAPIView):
    @extend_schema(
        operation_id="assessment_scorecard_sign",
        summary="Sign a draft: it is frozen from now on",
        request=None,
        responses=s.ScorecardDetailOut,
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        card = scorecards.scorecard_sign(scorecard=_assessed_card(request, pk), actor=request.user)
        return _card_out(card)


class ScorecardReviseView(ReportAPIView):
    @extend_schema(
        operation_id="assessment_scorecard_revise",
        summary="A new draft revision of a signed month, with a reason",
        request=s.ReasonIn,
        responses={201: s.ScorecardDetailOut},
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        card = _assessed_card(request, pk)
        v = _valid(s.ReasonIn, request.data)
        revision = scorecards.scorecard_revise(scorecard=card, actor=request.user, reason=v["reason"])
        return _card_out(revision, status.HTTP_201_CREATED)


class ScorecardAppealView(ReportAPIView):
    @extend_schema(
        operation_id="assessment_scorecard_appeal",
        summary="The contractor appeals a signed month, once, within the appeal days",
        request=s.AppealIn,
        responses=s.ScorecardDetailOut,
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        card = _card(request, pk)
        if not may_appeal(request.user, card):
            raise ActionForbidden(_("只有该合同服务商的调度人员可以申诉。"))
        v = _valid(s.AppealIn, request.data)
        scorecards.appeal_submit(scorecard=card, actor=request.user, text=v["text"])
        return _card_out(card)


class ScorecardXlsxView(ReportAPIView):
    @extend_schema(
        operation_id="assessment_scorecard_xlsx",
        summary="The scorecard as XLSX",
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="file")},
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> FileResponse:
        from tickets.assessment.xlsx import write_scorecard

        card = _card(request, pk)
        tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
        write_scorecard(tmp, card)
        tmp.seek(0)
        name = f"scorecard-{card.contract.code}-{card.month:%Y-%m}-v{card.revision}.xlsx"
        return FileResponse(tmp, as_attachment=True, filename=name, content_type=XLSX)


class AppealAnswerView(ReportAPIView):
    @extend_schema(
        operation_id="assessment_appeal_answer", summary="Answer an appeal", request=s.AnswerIn, responses=s.AppealOut
    )
    def post(self, request: Request, pk: int) -> Response:
        appeal = selectors.visible_or_404(ScorecardAppeal.objects.select_related("contract"), pk)
        # Only who may see the month's scorecards learns that the appeal exists.
        user: Any = request.user
        if (
            not selectors.scorecards_visible_to(user)
            .filter(contract_id=appeal.contract_id, month=appeal.month)
            .exists()
        ):
            raise Http404
        if not may_assess(request.user, appeal.contract):
            raise ActionForbidden(_("只有负责该服务条线的管理处室可以答复申诉。"))
        v = _valid(s.AnswerIn, request.data)
        appeal = scorecards.appeal_answer(appeal=appeal, actor=user, answer=v["answer"])
        return Response(s.AppealOut(appeal).data)


# --- schemes, roll-ups, penalties --------------------------------------------------------------------------


def _contract(request: Request, pk: int) -> Contract:
    contract = selectors.visible_or_404(Contract.objects.select_related("contractor"), pk)
    if not may_see_contract(request.user, contract):
        raise ActionForbidden(_("您无权查看该合同。"))
    return contract


class SchemeView(ReportAPIView):
    parser_classes = [JSONParser]

    @extend_schema(operation_id="assessment_scheme", summary="The contract's scoring scheme", responses=s.SchemeOut)
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        scheme = ScoringScheme.objects.filter(contract=_contract(request, pk)).first()
        if scheme is None:
            raise Http404(_("该合同尚未设置考核方案。"))
        return Response(s.SchemeOut(schemes.scheme_snapshot(scheme)).data)

    @extend_schema(
        operation_id="assessment_scheme_save",
        summary="Set the contract's scoring scheme (weights of the weighted indicators add up to 100)",
        request=s.SchemeIn,
        responses=s.SchemeOut,
    )
    def put(self, request: AuthenticatedRequest, pk: int) -> Response:
        contract = selectors.visible_or_404(Contract.objects.all(), pk)
        if not may_assess(request.user, contract):
            raise ActionForbidden(_("您不负责该合同的服务条线。"))
        v = _valid(s.SchemeIn, request.data)
        scheme = schemes.scheme_save(actor=request.user, contract=contract, **v)
        return Response(s.SchemeOut(schemes.scheme_snapshot(scheme)).data)


class RollupView(ReportAPIView):
    @extend_schema(
        operation_id="assessment_rollup",
        summary="A contract's quarter or year of signed months",
        parameters=[s.RollupQuery],
        responses=s.RollupOut,
    )
    def get(self, request: Request, pk: int) -> Response:
        report_scope(request.user)  # type: ignore[arg-type]
        contract = selectors.visible_or_404(Contract.objects.all(), pk)
        if not may_see_contract(request.user, contract):
            raise ReportForbidden({"contract": _("您无权查看该合同的评分表。")})
        from django.utils import timezone

        v = _valid(s.RollupQuery, request.query_params)
        year = v.get("year", timezone.localdate().year)
        return Response(s.RollupOut(selectors.rollup(contract, year, v.get("quarter"))).data)


class PenaltyView(ReportAPIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        operation_id="assessment_penalty_record",
        summary="Record a fixed penalty for a contract's month",
        request=s.PenaltyIn,
        responses={201: s.PenaltyOut},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        if not is_bureau_staff(request.user):
            raise ActionForbidden(_("只有管理处室可以进行考核。"))
        v = _valid(s.PenaltyIn, request.data)
        event = scorecards.penalty_record(
            actor=request.user,
            contract=v["contract"],
            month=v["month"],
            severity=v["severity"],
            description=v["description"],
            compound=v.get("compound"),
        )
        return Response(s.PenaltyOut(event).data, status=status.HTTP_201_CREATED)


class PenaltyWithdrawView(ReportAPIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        operation_id="assessment_penalty_withdraw",
        summary="Withdraw a fixed penalty, with a reason; the month's draft is settled again",
        request=s.WithdrawIn,
        responses=s.PenaltyOut,
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        penalty = selectors.visible_or_404(PenaltyEvent.objects.select_related("contract"), pk)
        # Who may not read the contract's scorecards does not learn that the penalty exists.
        if not may_see_contract(request.user, penalty.contract):
            raise Http404
        if not may_assess(request.user, penalty.contract):
            raise ActionForbidden(_("只有负责该服务条线的管理处室可以撤销扣款。"))
        v = _valid(s.WithdrawIn, request.data)
        event = scorecards.penalty_withdraw(penalty=penalty, actor=request.user, reason=v["reason"])
        return Response(s.PenaltyOut(event).data)
