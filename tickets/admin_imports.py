"""Admin page for importing the bureau's registers (rooms, units, staff) from XLSX or CSV.

The page only collects the upload and shows the outcome; validation and writing live in
``tickets.services.imports`` so that the page and ``manage.py import_data`` behave identically.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tickets.models import User
from tickets.services.imports import EXAMPLES, KINDS, SUPPORTED_EXTENSIONS, ImportResult, import_file

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
TEMPLATES_DIR = Path(__file__).resolve().parent / "import_templates"


class ImportForm(forms.Form):
    # Modules register their kinds in ready(), after the admin has loaded this module: read the choices late.
    kind = forms.ChoiceField(label=_("导入内容"), choices=lambda: list(KINDS.items()))
    file = forms.FileField(label=_("文件"), help_text=_("仅支持 .xlsx 或 .csv，不超过 5 MB"))

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(SUPPORTED_EXTENSIONS):
            raise forms.ValidationError(gettext("仅支持 .xlsx 和 .csv 文件"))
        # The whole file is read into memory to parse it, so the limit protects the web worker too.
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext("文件不能超过 5 MB"))
        return upload


def import_view(request: HttpRequest) -> HttpResponseBase:
    """Upload form; ``?template=<kind>`` downloads the example CSV for that kind.

    Staff-only through ``admin.site.admin_view`` (see :func:`get_urls`); the import service checks the
    add/change permissions of the kind itself and answers 403 without them.
    """
    if not isinstance(request.user, User):  # admin_view has already sent anonymous visitors to log in
        raise PermissionDenied
    template = request.GET.get("template")
    if template is not None:
        return _example_download(template)

    result: ImportResult | None = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload: UploadedFile = form.cleaned_data["file"]
            result = import_file(
                kind=form.cleaned_data["kind"], file=upload, filename=upload.name or "", actor=request.user
            )
            if result.ok:
                messages.success(request, result.summary())
                # Post/redirect/get: a reload must not post the file again.
                return HttpResponseRedirect(request.path)
    else:
        form = ImportForm()

    context = {
        **admin.site.each_context(request),
        "title": gettext("批量导入"),
        "form": form,
        "result": result,
        "examples": list(KINDS.items()),
    }
    return TemplateResponse(request, "admin/tickets/import.html", context)


def _example_download(kind: str) -> FileResponse:
    if kind not in KINDS:  # also keeps the parameter from naming any other file
        raise Http404
    example = EXAMPLES.get(kind, TEMPLATES_DIR / f"{kind}.csv")
    return FileResponse(example.open("rb"), as_attachment=True, filename=f"{kind}.csv")


def get_urls() -> list[URLPattern]:
    """The import page's URL, to be placed among the admin site's URLs (reversed as ``tickets_import``)."""
    return [path("tickets/import/", admin.site.admin_view(import_view), name="tickets_import")]
