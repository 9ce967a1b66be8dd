"""Forms of the pages. Labels are Chinese in the source, translated like every other string."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tickets.api.fields import as_id
from tickets.models import Building, Compound, Contract, Floor, HoldReason, Role, Room, Urgency, User
from tickets.services.comments import sniff_upload
from tickets.services.common import MAX_TEXT
from tickets.services.drafts import MAX_PHOTOS
from tickets.services.requests import IDEMPOTENCY_KEY_VALIDATOR
from tickets.web.common import model_choice_field


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked by its content, as the attachment service will."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("最多上传%(n)d张照片。") % {"n": MAX_PHOTOS})
        for upload in files:
            try:
                sniff_upload(upload)
            except ValidationError as exc:
                raise ValidationError(
                    _("%(name)s：%(error)s") % {"name": upload.name, "error": " ".join(exc.messages)}
                ) from exc
        return files


class LabelledChoiceField(forms.ModelChoiceField):
    """A model choice whose options read as ``label_of(instance)`` says."""

    def __init__(self, *args: Any, label_of: Callable[[Any], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_of = label_of

    def label_from_instance(self, obj: Any) -> str:
        return self.label_of(obj)


class WebForm(forms.Form):
    """Labels stand above their fields on these pages, so no colon after them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LocationForm(WebForm):
    """Compound › building › floor › room; each list narrows to the choice above it."""

    compound = forms.ModelChoiceField(Compound.objects.all(), label=_("院区"), empty_label=_("请选择院区"))
    building = LabelledChoiceField(
        Building.objects.none(), label=_("楼栋"), required=False, empty_label=_("请选择楼栋"), label_of=lambda b: b.name
    )
    floor = LabelledChoiceField(
        Floor.objects.none(),
        label=_("楼层"),
        required=False,
        empty_label=_("请选择楼层"),
        label_of=lambda f: f.name or f"{f.level}F",
    )
    room = forms.ModelChoiceField(Room.objects.none(), label=_("房间"), required=False, empty_label=_("请选择房间"))

    def __init__(self, data: dict[str, Any] | None = None, *, bound: bool = True, **kwargs: Any) -> None:
        """``bound=False`` shows the choices made so far without judging them: a half-filled picker is not an
        error until the requester asks for the next step."""
        data = {k: v for k, v in (data or {}).items() if k in ("compound", "building", "floor", "room")}
        # A changed parent makes the children chosen under the old one meaningless: drop them before binding.
        compound = _pick(Compound.objects.all(), data.get("compound"))
        building = _pick(Building.objects.filter(compound=compound), data.get("building")) if compound else None
        floor = _pick(Floor.objects.filter(building=building), data.get("floor")) if building else None
        if not building:
            data.pop("building", None)
        if not floor:
            data.pop("floor", None)
            data.pop("room", None)
        if bound:
            super().__init__(data or None, **kwargs)
        else:
            super().__init__(None, initial=data, **kwargs)
        if compound:
            model_choice_field(self, "building").queryset = Building.objects.filter(compound=compound)
        if building:
            model_choice_field(self, "floor").queryset = Floor.objects.filter(building=building)
        if floor:
            model_choice_field(self, "room").queryset = Room.objects.filter(floor=floor)


def _pick(queryset: Any, value: Any) -> Any:
    if (pk := as_id(value)) is None:
        return None
    return queryset.filter(pk=pk).first()


class FileRequestForm(WebForm):
    title = forms.CharField(
        label=_("简要说明"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：卫生间水管漏水"), "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("详细描述"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, widget=forms.RadioSelect)
    location_detail = forms.CharField(
        label=_("位置补充"), required=False, max_length=200, help_text=_("如：东侧卫生间第二个隔间")
    )
    photos = PhotosField(label=_("照片"), help_text=_("可选，最多6张；拍照或从相册选择"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, validators=[IDEMPOTENCY_KEY_VALIDATOR])

    def __init__(self, *args: Any, min_photos: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.min_photos = min_photos

    def clean_photos(self) -> list[UploadedFile]:
        photos = self.cleaned_data.get("photos") or []
        if len(photos) < self.min_photos:
            raise ValidationError(_("该类请求至少需要%(n)d张照片。") % {"n": self.min_photos})
        return photos


class CommentForm(WebForm):
    body = forms.CharField(label=_("留言"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("内部备注（报修人不可见）"), required=False)


class NoteForm(WebForm):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(WebForm):
    note = forms.CharField(label=_("重开原因"), widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(WebForm):
    """Cancelling is final: the requester opens this form (a second tap) and says why."""

    note = forms.CharField(
        label=_("取消原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请写明取消原因。")},
    )


class RejectForm(WebForm):
    note = forms.CharField(label=_("驳回理由"), widget=forms.Textarea(attrs={"rows": 3}))


class HoldForm(WebForm):
    hold_reason = forms.ChoiceField(label=_("挂起原因"), choices=[("", _("请选择")), *HoldReason.choices])
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(WebForm):
    note = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("完工照片"), help_text=_("可选，最多6张"))


class AssignForm(WebForm):
    assignee = forms.ModelChoiceField(User.objects.none(), label=_("处理人"), empty_label=_("请选择处理人"))

    def __init__(self, *args: Any, contractor_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(is_active=True, role__in=[Role.WORKER, Role.DISPATCHER])
        # No contractor on the request yet: nobody to assign to.
        staff = staff.filter(contractor_id=contractor_id) if contractor_id is not None else staff.none()
        model_choice_field(self, "assignee").queryset = staff.order_by("role", "full_name")


class ReassignForm(WebForm):
    contract = LabelledChoiceField(
        Contract.objects.none(),
        label=_("改派给合同"),
        empty_label=_("请选择合同"),
        label_of=lambda c: f"{c.contractor.name} · {c.name}",
    )
    note = forms.CharField(label=_("改派原因"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, service_line: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "contract").queryset = Contract.objects.filter(
            active=True, service_line=service_line
        ).select_related("contractor")


RATING_CHOICES = [
    (5, _("5 非常满意")),
    (4, _("4 满意")),
    (3, _("3 一般")),
    (2, _("2 不满意")),
    (1, _("1 非常不满意")),
]


class FeedbackForm(WebForm):
    rating = forms.TypedChoiceField(label=_("评分"), choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("评价"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("2分及以下请写明原因")
    )


class CallbackForm(WebForm):
    note = forms.CharField(label=_("回访记录"), widget=forms.Textarea(attrs={"rows": 2}))
    close = forms.BooleanField(label=_("回访后办结投诉"), required=False)
