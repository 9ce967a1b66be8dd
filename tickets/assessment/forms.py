"""Forms of the inspection and scorecard pages. They only shape the input; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.assessment.models import DEFAULT_PENALTY_AMOUNTS
from tickets.models import (
    Building,
    ChecklistItem,
    ChecklistTemplate,
    Compound,
    Contract,
    PenaltySeverity,
    Role,
    Scorecard,
    User,
)
from tickets.web.common import choice_field, model_choice_field
from tickets.web.forms import LabelledChoiceField, PhotosField, WebForm

PASS_CHOICES = [("pass", _("合格")), ("fail", _("不合格"))]


def inspectable_contracts(user: User) -> Any:
    """The active contracts of the service lines the user supervises."""
    qs = Contract.objects.filter(active=True).select_related("contractor").order_by("service_line", "code")
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    return qs.filter(service_line=user.service_line or "-")


class InspectionStartForm(WebForm):
    """Step one: which contract is inspected, with which checklist of its service line."""

    contract = LabelledChoiceField(
        Contract.objects.none(),
        label=_("合同"),
        empty_label=_("请选择合同"),
        label_of=lambda c: f"{c.contractor.name} · {c.name}",
    )
    template = forms.ModelChoiceField(
        ChecklistTemplate.objects.none(), label=_("检查表"), empty_label=_("请选择检查表")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "contract").queryset = inspectable_contracts(user)
        templates = ChecklistTemplate.objects.filter(active=True)
        if not (user.is_superuser or user.role == Role.ADMIN):
            templates = templates.filter(service_line=user.service_line or "-")
        model_choice_field(self, "template").queryset = templates

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        contract, template = data.get("contract"), data.get("template")
        if contract and template and contract.service_line != template.service_line:
            self.add_error("template", _("检查表与合同的服务条线不一致。"))
        return data


def item_field(item: ChecklistItem) -> forms.Field:
    if item.kind == ChecklistItem.Kind.PASS_FAIL:
        return forms.ChoiceField(
            label=item.text,
            choices=PASS_CHOICES,
            widget=forms.RadioSelect,
            error_messages={"required": _("请选择合格或不合格。")},
        )
    if item.kind == ChecklistItem.Kind.SCORE:
        mark = item.pass_mark if item.pass_mark is not None else item.points * Decimal("0.6")
        return forms.DecimalField(
            label=item.text,
            min_value=Decimal(0),
            max_value=item.points,
            decimal_places=2,
            error_messages={"required": _("请填写得分。"), "invalid": _("请填写数字。")},
            help_text=_("满分%(points)s分，低于%(mark)s分为不合格")
            % {"points": plain(item.points), "mark": plain(mark)},
            widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
        )
    return forms.DecimalField(
        label=item.text,
        min_value=Decimal(0),
        decimal_places=3,
        error_messages={
            "required": _("请填写实测值（%(unit)s）。") % {"unit": item.unit},
            "invalid": _("请填写数字。"),
        },
        help_text=_("实测值（%(unit)s），不得超过%(limit)s %(unit)s")
        % {"unit": item.unit, "limit": plain(item.limit or Decimal(0))},
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


class InspectionForm(WebForm):
    """Step two: the site, then one answer per checklist item, each with an optional note and photos."""

    compound = forms.ModelChoiceField(Compound.objects.none(), label=_("院区"), empty_label=_("请选择院区"))
    building = LabelledChoiceField(
        Building.objects.none(),
        label=_("楼栋"),
        required=False,
        empty_label=_("整个院区"),
        label_of=lambda b: f"{b.compound.name} · {b.name}",
    )
    inspected_at = forms.DateTimeField(
        label=_("检查时间"),
        required=False,
        help_text=_("不填为当前时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotosField(label=_("现场照片"), help_text=_("可选，最多6张，每张不超过10 MB"))

    def __init__(self, *args: Any, contract: Contract, template: ChecklistTemplate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contract, self.template = contract, template
        compounds = contract.compounds.all()
        model_choice_field(self, "compound").queryset = compounds
        buildings = Building.objects.filter(compound__in=compounds).select_related("compound")
        model_choice_field(self, "building").queryset = buildings
        self.items = list(template.items.all())
        for item in self.items:
            self.fields[f"item_{item.pk}"] = item_field(item)
            self.fields[f"item_{item.pk}_note"] = forms.CharField(
                label=_("说明"), required=False, max_length=300, widget=forms.TextInput(attrs={"autocomplete": "off"})
            )
            self.fields[f"item_{item.pk}_photos"] = PhotosField(label=_("照片"))

    def item_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "item": item,
                "points": plain(item.points),
                "answer": self[f"item_{item.pk}"],
                "note": self[f"item_{item.pk}_note"],
                "photos": self[f"item_{item.pk}_photos"],
            }
            for item in self.items
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        compound, building = data.get("compound"), data.get("building")
        if compound and building and building.compound_id != compound.pk:
            self.add_error("building", _("楼栋不在所选院区内。"))
        return data


class AdjustForm(WebForm):
    line = forms.TypedChoiceField(label=_("评分项"), coerce=int, choices=())
    points = forms.DecimalField(
        label=_("调整后得分"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    reason = forms.CharField(
        label=_("调整理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("调整评分必须写明理由。")},
    )

    def __init__(self, *args: Any, lines: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "line").choices = [("", _("请选择评分项")), *lines]


class PenaltyForm(WebForm):
    severity = forms.ChoiceField(label=_("等级"), choices=())
    compound = forms.ModelChoiceField(Compound.objects.none(), label=_("院区"), required=False, empty_label=_("全合同"))
    description = forms.CharField(
        label=_("事由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写扣款事由。")},
    )

    def __init__(self, *args: Any, card: Scorecard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        amounts = {**DEFAULT_PENALTY_AMOUNTS, **(card.scheme_snapshot.get("penalty_amounts") or {})}
        choice_field(self, "severity").choices = [("", _("请选择等级"))] + [
            (value, _("%(label)s（%(amount)s元）") % {"label": label, "amount": plain(Decimal(str(amounts[value])))})
            for value, label in PenaltySeverity.choices
        ]
        model_choice_field(self, "compound").queryset = card.contract.compounds.all()


class WithdrawPenaltyForm(WebForm):
    penalty = forms.TypedChoiceField(
        label=_("定额扣款"), coerce=int, choices=(), error_messages={"required": _("请选择要撤销的扣款。")}
    )
    reason = forms.CharField(
        label=_("撤销理由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("撤销扣款必须写明理由。")},
    )

    def __init__(self, *args: Any, penalties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "penalty").choices = [("", _("请选择扣款")), *penalties]


class ReviseForm(WebForm):
    reason = forms.CharField(
        label=_("修订原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("新建修订版必须写明理由。")},
    )


class AppealForm(WebForm):
    text = forms.CharField(
        label=_("申诉理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写申诉理由。")},
    )


class AnswerForm(WebForm):
    answer = forms.CharField(
        label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": _("请填写答复。")}
    )
