"""Input and output shapes of the assessment API (/api/v1/assessment/). Numbers are finite and bounded, ids
fit in 64 bits, months are YYYY-MM within 2000–2100; the services then apply the rules of assessment."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets.api.fields import MAX_ID, IdField, MonthField
from tickets.assessment.models import (
    ChecklistItem,
    ChecklistTemplate,
    Indicator,
    Inspection,
    InspectionPhoto,
    InspectionResult,
    PaymentRule,
    PenaltyEvent,
    PenaltySeverity,
    SchemeIndicator,
    Scorecard,
    ScorecardAppeal,
    ScorecardLine,
)
from tickets.assessment.selectors import scorecard_sites
from tickets.models import Building, Compound, Contract

YEARS = (2000, 2100)


class BoundedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id beyond 64 bits is "does not exist", never an overflow in the database driver."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        text = str(data).strip()
        if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
            self.fail("does_not_exist", pk_value=text[:30])
        return super().to_internal_value(int(text))


def _decimal(digits: int, places: int, **kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=digits, decimal_places=places, **kwargs)


# --- input ------------------------------------------------------------------------------------------------------


class ResultIn(serializers.Serializer):
    item = IdField(label=_("检查项"))
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    score = _decimal(8, 2, required=False, allow_null=True, default=None)
    measured = _decimal(10, 3, required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    photos = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=99), required=False, default=list, max_length=20
    )


class InspectionIn(serializers.Serializer):
    template = BoundedPrimaryKeyRelatedField(queryset=ChecklistTemplate.objects.all())
    contract = BoundedPrimaryKeyRelatedField(queryset=Contract.objects.all())
    compound = BoundedPrimaryKeyRelatedField(queryset=Compound.objects.all())
    building = BoundedPrimaryKeyRelatedField(queryset=Building.objects.all(), required=False, allow_null=True)
    inspected_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    results = ResultIn(many=True, max_length=200)  # type: ignore[call-arg]


class InspectionMultipartIn(serializers.Serializer):
    """The same inspection as multipart: the JSON in `payload`, the photos as files (a result's `photos` are
    indexes into them)."""

    payload = serializers.CharField(help_text=_("InspectionIn 的 JSON"), max_length=200_000)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=20)

    def validate_payload(self, value: str) -> dict[str, Any]:
        try:
            data = json.loads(value)
        except (ValueError, RecursionError):
            raise serializers.ValidationError(_("payload 不是有效的 JSON。")) from None
        inner = InspectionIn(data=data)
        if not inner.is_valid():
            raise serializers.ValidationError(inner.errors)
        return dict(inner.validated_data)


class InspectionListQuery(serializers.Serializer):
    contract = IdField(required=False, label=_("合同"))


class ScorecardListQuery(serializers.Serializer):
    contract = IdField(required=False, label=_("合同"))
    month = MonthField(required=False, label=_("考核月份"))


class RollupQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=YEARS[0], max_value=YEARS[1], label=_("年份"))
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4, label=_("季度"))


class AdjustIn(serializers.Serializer):
    line = IdField(label=_("评分项"))
    points = _decimal(6, 2, label=_("调整后得分"))
    reason = serializers.CharField(allow_blank=True, max_length=2000, label=_("调整理由"))


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000, label=_("修订原因"))


class AppealIn(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=5000, label=_("申诉理由"))


class AnswerIn(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, max_length=5000, label=_("答复"))


class IndicatorIn(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=Indicator.choices)
    method = serializers.ChoiceField(choices=SchemeIndicator.Method.choices)
    weight = _decimal(5, 2, required=False, allow_null=True, min_value=0, max_value=100)
    target = _decimal(6, 2, required=False, allow_null=True, min_value=0, max_value=1000)
    per_unit = _decimal(6, 2, required=False, allow_null=True, min_value=0, max_value=100)
    allowance = _decimal(6, 2, required=False, allow_null=True, min_value=0)
    cap = _decimal(6, 2, required=False, allow_null=True, min_value=0, max_value=100)


class SchemeIn(serializers.Serializer):
    indicators = IndicatorIn(many=True, max_length=len(Indicator.values))  # type: ignore[call-arg]
    lowest_site_rule = serializers.BooleanField(required=False, default=False)
    payment_rule = serializers.ChoiceField(choices=PaymentRule.choices, required=False, default=PaymentRule.THRESHOLD)
    pass_score = _decimal(5, 2, required=False, default=85, min_value=0, max_value=100)
    base_percent = _decimal(5, 2, required=False, default=15, min_value=0, max_value=100)
    pool_percent = _decimal(5, 2, required=False, default=5, min_value=0, max_value=100)
    penalty_amounts = serializers.DictField(
        child=_decimal(10, 2, min_value=0, max_value=10_000_000), required=False, default=dict
    )
    appeal_days = serializers.IntegerField(required=False, default=5, min_value=1, max_value=60)

    def validate_penalty_amounts(self, value: dict[str, Any]) -> dict[str, Any]:
        unknown = [k for k in value if k not in PenaltySeverity.values]
        if unknown:
            raise serializers.ValidationError(_("未知的扣款等级：%(v)s。") % {"v": ", ".join(unknown)[:100]})
        return value


class PenaltyIn(serializers.Serializer):
    contract = BoundedPrimaryKeyRelatedField(queryset=Contract.objects.all(), label=_("合同"))
    month = MonthField(label=_("考核月份"))
    severity = serializers.ChoiceField(choices=PenaltySeverity.choices, label=_("等级"))
    description = serializers.CharField(allow_blank=True, max_length=300, label=_("事由"))
    compound = BoundedPrimaryKeyRelatedField(
        queryset=Compound.objects.all(), required=False, allow_null=True, label=_("院区")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        compound = attrs.get("compound")
        if compound is not None and not attrs["contract"].compounds.filter(pk=compound.pk).exists():
            raise serializers.ValidationError({"compound": [_("该院区不在合同服务范围内。")]})
        return attrs


# --- output -----------------------------------------------------------------------------------------------------


class ChecklistItemOut(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "text", "kind", "points", "pass_mark", "unit", "limit"]


class ChecklistOut(serializers.ModelSerializer):
    items = ChecklistItemOut(many=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "name", "service_line", "items"]


class ResultOut(serializers.ModelSerializer):
    """The item as it was checked (text, kind, points, unit, limit), whatever the checklist says today."""

    item = serializers.IntegerField(source="item_id")
    text = serializers.CharField(source="item_text")
    kind = serializers.CharField(source="item_kind")
    points = serializers.DecimalField(source="item_points", max_digits=6, decimal_places=2)
    unit = serializers.CharField(source="item_unit")
    limit = serializers.DecimalField(source="item_limit", max_digits=10, decimal_places=3, allow_null=True)
    rectification = serializers.IntegerField(source="rectification_id", allow_null=True)
    rectification_number = serializers.CharField(source="rectification.number", default=None, allow_null=True)
    rectification_status = serializers.CharField(source="rectification.status", default=None, allow_null=True)

    class Meta:
        model = InspectionResult
        fields = [
            "item",
            "text",
            "kind",
            "points",
            "passed",
            "score",
            "measured",
            "unit",
            "limit",
            "note",
            "rectification",
            "rectification_number",
            "rectification_status",
        ]


class PhotoOut(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    result = serializers.IntegerField(source="result_id", allow_null=True)

    class Meta:
        model = InspectionPhoto
        fields = ["id", "name", "result"]


class InspectionOut(serializers.ModelSerializer):
    template = serializers.CharField(source="template.name")
    contract = serializers.IntegerField(source="contract_id")
    contractor = serializers.CharField(source="contract.contractor.name")
    compound = serializers.CharField(source="compound.name")
    building = serializers.CharField(source="building.name", default=None, allow_null=True)
    inspector = serializers.CharField(source="inspector.__str__")
    results = ResultOut(many=True)
    photos = PhotoOut(many=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "template",
            "contract",
            "contractor",
            "compound",
            "building",
            "inspector",
            "inspected_at",
            "score",
            "failed_items",
            "note",
            "results",
            "photos",
        ]


class ScorecardOut(serializers.ModelSerializer):
    contract = serializers.IntegerField(source="contract_id")
    contract_name = serializers.CharField(source="contract.name")
    contractor = serializers.CharField(source="contract.contractor.name")
    month = MonthField()
    site_scores = serializers.DictField(child=serializers.CharField())
    signed_by = serializers.CharField(source="signed_by.__str__", default=None, allow_null=True)
    page = serializers.SerializerMethodField()

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "contract",
            "contract_name",
            "contractor",
            "month",
            "revision",
            "state",
            "score",
            "site_scores",
            "monthly_fee",
            "fee_payable",
            "penalty_total",
            "amount_payable",
            "reason",
            "signed_at",
            "signed_by",
            "page",
        ]

    def get_page(self, obj: Scorecard) -> str:
        return reverse("assessment:scorecard-page", args=[obj.pk])


class LineOut(serializers.ModelSerializer):
    compound = serializers.IntegerField(source="compound_id", allow_null=True)
    indicator_label = serializers.CharField(source="get_indicator_display")

    class Meta:
        model = ScorecardLine
        fields = [
            "id",
            "compound",
            "indicator",
            "indicator_label",
            "method",
            "value",
            "computed_points",
            "points",
            "adjust_reason",
        ]


class AppealOut(serializers.ModelSerializer):
    class Meta:
        model = ScorecardAppeal
        fields = ["id", "text", "state", "answer", "submitted_at", "answered_at"]


class SiteOut(serializers.Serializer):
    compound = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    score = serializers.CharField()
    counts = serializers.BooleanField(help_text="the lowest site, whose subtotal is the month's score")


class PenaltyOut(serializers.ModelSerializer):
    withdrawn_by = serializers.CharField(source="withdrawn_by.__str__", default=None, allow_null=True)

    class Meta:
        model = PenaltyEvent
        fields = [
            "id",
            "contract",
            "month",
            "compound",
            "severity",
            "amount",
            "description",
            "occurred_at",
            "withdrawn_at",
            "withdrawn_by",
            "withdraw_reason",
        ]


def _site_ids(card: Scorecard) -> list[int]:
    return [int(k) for k in card.site_scores if k.isdigit()]


class ScorecardDetailOut(ScorecardOut):
    lines = LineOut(many=True)
    sites = serializers.SerializerMethodField()
    penalties = serializers.SerializerMethodField()
    appeals = serializers.SerializerMethodField()

    class Meta(ScorecardOut.Meta):
        fields = [*ScorecardOut.Meta.fields, "sites", "lines", "penalties", "appeals"]

    @extend_schema_field(SiteOut(many=True))
    def get_sites(self, obj: Scorecard) -> Any:
        names: dict[int | None, str] = dict(Compound.objects.filter(pk__in=_site_ids(obj)).values_list("pk", "name"))
        return SiteOut(scorecard_sites(obj, names), many=True).data

    @extend_schema_field(PenaltyOut(many=True))
    def get_penalties(self, obj: Scorecard) -> Any:
        penalties = PenaltyEvent.objects.filter(contract_id=obj.contract_id, month=obj.month).select_related(
            "withdrawn_by"
        )
        return PenaltyOut(penalties.order_by("occurred_at", "id"), many=True).data

    @extend_schema_field(AppealOut(many=True))
    def get_appeals(self, obj: Scorecard) -> Any:
        appeals = ScorecardAppeal.objects.filter(contract_id=obj.contract_id, month=obj.month)
        return AppealOut(appeals, many=True).data


class IndicatorOut(serializers.Serializer):
    indicator = serializers.CharField()
    method = serializers.CharField()
    weight = serializers.CharField()
    target = serializers.CharField(allow_null=True)
    per_unit = serializers.CharField()
    allowance = serializers.CharField()
    cap = serializers.CharField(allow_null=True)


class SchemeOut(serializers.Serializer):
    """The scheme as schemes.scheme_snapshot gives it: decimals as text, penalty amounts in yuan."""

    lowest_site_rule = serializers.BooleanField()
    payment_rule = serializers.CharField()
    pass_score = serializers.CharField()
    base_percent = serializers.CharField()
    pool_percent = serializers.CharField()
    appeal_days = serializers.IntegerField()
    penalty_amounts = serializers.DictField(child=serializers.FloatField())
    indicators = IndicatorOut(many=True)


class RollupMonthOut(serializers.Serializer):
    month = serializers.CharField()
    signed = serializers.BooleanField()
    scorecard = serializers.IntegerField(allow_null=True)
    revision = serializers.IntegerField(allow_null=True)
    score = serializers.CharField(allow_null=True)
    monthly_fee = serializers.CharField(allow_null=True)
    fee_payable = serializers.CharField(allow_null=True)
    penalty_total = serializers.CharField(allow_null=True)
    amount_payable = serializers.CharField(allow_null=True)


class RollupOut(serializers.Serializer):
    contract = serializers.IntegerField()
    contract_name = serializers.CharField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True)
    months = RollupMonthOut(many=True)
    signed_months = serializers.IntegerField()
    mean_score = serializers.CharField(allow_null=True)
    lowest_score = serializers.CharField(allow_null=True)
    fee_total = serializers.CharField()
    payable_total = serializers.CharField()
    penalty_total = serializers.CharField()


class WithdrawIn(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=300, label=_("撤销理由"))
