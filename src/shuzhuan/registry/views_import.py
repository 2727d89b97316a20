"""The browser import: upload → validation job with progress → preview with errors → import job → result.

Officers only. Jobs are reached only through `Job.objects.visible_to(request.user)`: another
user's upload is a 404. The file stays under the private media root.
"""

from __future__ import annotations

import io
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shuzhuan.core import jobs
from shuzhuan.core.access import OFFICERS, page_access
from shuzhuan.core.models import Job, JobStatus
from shuzhuan.registry.imports import tasks
from shuzhuan.registry.imports.annotate import template_workbook
from shuzhuan.registry.imports.flow import PREVIEW_ERRORS, store_upload

EXTENSIONS = (".csv", ".xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("导入文件"), help_text=gettext_lazy("CSV（UTF-8 或 GBK 编码）或 XLSX"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("只支持 .xlsx 或 .csv 文件；.xls 请先在 Excel 中另存为 .xlsx"))
        if upload.size == 0:
            raise forms.ValidationError(_("文件是空的"))
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件过大（%(size)s MB），上限为 %(limit)s MB；请拆分后分批导入")
                % {"size": round(upload.size / 2**20, 1), "limit": round(limit / 2**20)}
            )
        return upload


def _job(request, job_id, kind: str) -> Job:
    return get_object_or_404(Job.objects.visible_to(request.user), pk=job_id, kind=kind)


@page_access(*OFFICERS)
def upload(request):
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        name = Path(file.name).name[:150]
        job = jobs.start(
            request.user, tasks.VALIDATE, _("校验导入文件：%(name)s") % {"name": name}, tasks.validate_import,
            params={"filename": name}, input_file=store_upload(file),
        )
        return redirect("registry:import_preview", job.pk)
    recent = Job.objects.visible_to(request.user).filter(Q(kind=tasks.VALIDATE) | Q(kind=tasks.IMPORT))[:10]
    context = {
        "form": form, "recent": recent, "max_mb": round(settings.IMPORT_MAX_UPLOAD_BYTES / 2**20),
        "validate_kind": tasks.VALIDATE,
    }
    return render(request, "registry/import_upload.html", context, status=400 if form.errors else 200)


@page_access(*OFFICERS)
def template(request):
    return FileResponse(
        io.BytesIO(template_workbook()), as_attachment=True, filename="企业名录导入模板.xlsx", content_type=XLSX_TYPE
    )


@page_access(*OFFICERS)
def preview(request, check_id):
    job = _job(request, check_id, tasks.VALIDATE)
    result = job.result if job.status == JobStatus.SUCCEEDED else {}
    started = Job.objects.visible_to(request.user).filter(kind=tasks.IMPORT, params__source=str(job.pk)).first()
    context = {
        "job": job, "progress": jobs.snapshot(job), "result": result, "started": started,
        "errors_shown": len(result.get("errors", [])), "preview_limit": PREVIEW_ERRORS,
    }
    return render(request, "registry/import_preview.html", context)


@page_access(*OFFICERS)
def annotated(request, check_id):
    job = _job(request, check_id, tasks.VALIDATE)
    path = jobs.private_path(job.output_file) if job.output_file else None
    if path is None or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("output_name") or path.name)


@page_access(*OFFICERS)
@require_POST
def confirm(request, check_id):
    job = _job(request, check_id, tasks.VALIDATE)
    skip_invalid = request.POST.get("mode") == "valid"
    result = job.result if job.status == JobStatus.SUCCEEDED else {}
    problem = _cannot_import(result, skip_invalid)
    if problem:
        messages.error(request, problem)
        return redirect("registry:import_preview", job.pk)
    existing = Job.objects.visible_to(request.user).filter(kind=tasks.IMPORT, params__source=str(job.pk)).first()
    if existing is not None:  # a second click, or the back button: one import per validated upload
        return redirect("registry:import_result", existing.pk)
    name = job.params.get("filename", "")
    run = jobs.start(
        request.user, tasks.IMPORT, _("导入企业：%(name)s") % {"name": name}, tasks.run_import,
        params={"source": str(job.pk), "filename": name, "skip_invalid": skip_invalid}, input_file=job.input_file,
    )
    return redirect("registry:import_result", run.pk)


def _cannot_import(result: dict, skip_invalid: bool) -> str:
    if not result:
        return _("文件尚未校验完成或校验失败，不能导入")
    if not result.get("rows_valid"):
        return _("没有可导入的有效行")
    if result.get("error_count") and not skip_invalid:
        return _("文件有错误：请修正后重新上传，或选择“仅导入有效行”")
    return ""


@page_access(*OFFICERS)
def result(request, run_id):
    job = _job(request, run_id, tasks.IMPORT)
    context = {"job": job, "progress": jobs.snapshot(job), "result": job.result if job.finished else {}}
    return render(request, "registry/import_result.html", context)
