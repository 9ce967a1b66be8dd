"""Forms of the office-space pages: they parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from offices import imports
from offices.models import AreaNormVersion, Post, Purpose, Rank, RoomUse, VacateReason
from tickets.admin_imports import ImportForm as CoreImportForm
from tickets.models import Compound, OrganLevel, Room, Unit
from tickets.web.common import model_choice_field
from tickets.web.params import IdMultipleChoiceField

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})  # the browser date input reads ISO only


class SpaceRequestForm(forms.Form):
    purpose = forms.ChoiceField(label=_("申请事项"), choices=Purpose.choices)
    compound = forms.ModelChoiceField(label=_("院区"), queryset=Compound.objects.all(), required=False)
    area_requested = forms.DecimalField(label=_("申请面积(㎡)"), required=False, max_digits=8, decimal_places=2)
    headcount = forms.IntegerField(label=_("使用人数"), required=False, min_value=0, max_value=100_000)
    returned_rooms = IdMultipleChoiceField(
        label=_("退还房间"), queryset=Room.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, rooms: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rooms is not None:
            model_choice_field(self, "returned_rooms").queryset = rooms


class NoteForm(forms.Form):
    note = forms.CharField(label=_("意见"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class FulfilForm(NoteForm):
    rooms = IdMultipleChoiceField(label=_("配置房间"), queryset=Room.objects.none(), required=False)
    starts_on = forms.DateField(label=_("起始日期"), widget=DATE)
    use = forms.ChoiceField(label=_("用途"), choices=RoomUse.choices, initial=RoomUse.OFFICE)

    def __init__(self, *args: Any, rooms: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rooms is not None:
            model_choice_field(self, "rooms").queryset = rooms


class AllocateForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("使用单位"), queryset=Unit.objects.filter(active=True))
    starts_on = forms.DateField(label=_("起始日期"), widget=DATE)
    use = forms.ChoiceField(label=_("用途"), choices=RoomUse.choices, initial=RoomUse.OFFICE)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class EndForm(forms.Form):
    ends_on = forms.DateField(label=_("收回日期"), widget=DATE)
    reason = forms.CharField(label=_("收回原因"), max_length=300)


class SeatForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    level = forms.ChoiceField(label=_("机构级别"), choices=OrganLevel.choices)
    rank = forms.ChoiceField(label=_("职级"), choices=Rank.choices)
    title = forms.CharField(label=_("职务"), max_length=50, required=False)
    post = forms.ChoiceField(label=_("岗位"), choices=Post.choices, initial=Post.MAIN)
    since = forms.DateField(label=_("入驻日期"), widget=DATE)


class DepartForm(forms.Form):
    reason = forms.ChoiceField(label=_("变动原因"), choices=VacateReason.choices)
    on = forms.DateField(label=_("发生日期"), widget=DATE)


class VacatedForm(forms.Form):
    on = forms.DateField(label=_("腾退日期"), widget=DATE)


class NormVersionForm(forms.Form):
    version_code = forms.SlugField(label=_("编号"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=100)
    effective_from = forms.DateField(label=_("施行日期"), widget=DATE)
    source = forms.CharField(label=_("依据"), max_length=200, required=False)

    def __init__(self, *args: Any, base: AreaNormVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base = base
        for row in base.rows.all():
            self.fields[f"area_{row.level}_{row.rank}"] = forms.DecimalField(
                label=f"{row.get_level_display()} {row.get_rank_display()}",
                initial=row.area,
                required=False,
                max_digits=6,
                decimal_places=2,
            )

    def rows(self) -> dict[tuple[str, str], Any]:
        out = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("area_"):
                level, rank = name[len("area_") :].split("_", 1)
                out[(level, rank)] = value
        return out


class ImportForm(CoreImportForm):
    """The core's import form (file type and size checks) offering the office-space registers only."""

    # Read late: the core's rooms and this module's kinds are known once the apps are ready.
    kind = forms.ChoiceField(label=_("导入内容"), choices=lambda: list(imports.page_labels().items()))
