"""The browser import: upload → validation job with progress → preview with errors → import job → result.

`ImportViews` serves any import with the shared flow (`registry.imports.flow`): the enterprise import
here, the assessment results in `assessment.views_reports`. Officers only. Jobs are reached only through
`Job.objects.visible_to(request.user)`: another user's upload is a 404. The file stays under the
private media root.
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
from shuzhuan.registry.imports.flow import PREVIEW_ERRORS, ImportPages, store_upload

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


class ImportViews:
    """The pages of one browser import (`ImportPages`): upload → validation job → preview → confirm →
    import job → result, and the annotated file. Officers only; each URL names its job by one parameter,
    named per app (`check_id`, `results_check_id`, …) so the scope test can tell them apart."""

    def __init__(self, pages: ImportPages, roles: tuple[str, ...] = tuple(OFFICERS)):
        self.pages = pages
        officers = page_access(*roles)  # officers by default; an app may open its import to another role
        self.upload = officers(self._upload)
        self.preview = officers(self._preview)
        self.annotated = officers(self._annotated)
        self.confirm = officers(require_POST(self._confirm))
        self.result = officers(self._result)

    def _job(self, request, kind: str, url_kwargs: dict) -> Job:
        (job_id,) = url_kwargs.values()
        return get_object_or_404(Job.objects.visible_to(request.user), pk=job_id, kind=kind)

    def _started(self, request, check: Job) -> Job | None:
        runs = Job.objects.visible_to(request.user).filter(kind=self.pages.import_kind, params__source=str(check.pk))
        return runs.first()

    def _upload(self, request):
        pages = self.pages
        form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
        if request.method == "POST" and form.is_valid():
            file = form.cleaned_data["file"]
            name = Path(file.name).name[:150]
            job = jobs.start(
                request.user, pages.validate_kind, pages.validate_job_title % {"name": name}, pages.validate_task,
                params={"filename": name}, input_file=store_upload(file),
            )
            return redirect(pages.urls["preview"], job.pk)
        recent = Job.objects.visible_to(request.user).filter(Q(kind=pages.validate_kind) | Q(kind=pages.import_kind))
        context = {
            "pages": pages, "form": form, "recent": recent[:10], "column_help": pages.help_for(request.user),
            "max_mb": round(settings.IMPORT_MAX_UPLOAD_BYTES / 2**20),
        }
        return render(request, "registry/imports/upload.html", context, status=400 if form.errors else 200)

    def _preview(self, request, **url_kwargs):
        job = self._job(request, self.pages.validate_kind, url_kwargs)
        result = job.result if job.status == JobStatus.SUCCEEDED else {}
        context = {
            "pages": self.pages, "job": job, "progress": jobs.snapshot(job), "result": result,
            "started": self._started(request, job), "errors_shown": len(result.get("errors", [])),
            "preview_limit": PREVIEW_ERRORS,
        }
        return render(request, "registry/imports/preview.html", context)

    def _annotated(self, request, **url_kwargs):
        job = self._job(request, self.pages.validate_kind, url_kwargs)
        path = jobs.private_path(job.output_file) if job.output_file else None
        if path is None or not path.exists():
            raise Http404
        return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("output_name") or path.name)

    def _confirm(self, request, **url_kwargs):
        pages = self.pages
        job = self._job(request, pages.validate_kind, url_kwargs)
        skip_invalid = request.POST.get("mode") == "valid"
        problem = _cannot_import(job.result if job.status == JobStatus.SUCCEEDED else {}, skip_invalid)
        if problem:
            messages.error(request, problem)
            return redirect(pages.urls["preview"], job.pk)
        existing = self._started(request, job)
        if existing is not None:  # a second click, or the back button: one import per validated upload
            return redirect(pages.urls["result"], existing.pk)
        name = job.params.get("filename", "")
        run = jobs.start(
            request.user, pages.import_kind, pages.import_job_title % {"name": name}, pages.import_task,
            params={"source": str(job.pk), "filename": name, "skip_invalid": skip_invalid}, input_file=job.input_file,
        )
        return redirect(pages.urls["result"], run.pk)

    def _result(self, request, **url_kwargs):
        job = self._job(request, self.pages.import_kind, url_kwargs)
        context = {"pages": self.pages, "job": job, "progress": jobs.snapshot(job),
                   "result": job.result if job.finished else {}}
        return render(request, "registry/imports/result.html", context)


def _cannot_import(result: dict, skip_invalid: bool) -> str:
    if not result:
        return _("文件尚未校验完成或校验失败，不能导入")
    if not result.get("rows_valid"):
        return _("没有可导入的有效行")
    if result.get("error_count") and not skip_invalid:
        return _("文件有错误：请修正后重新上传，或选择“仅导入有效行”")
    return ""


# --- the enterprise import ---------------------------------------------------------------------------------

PAGES = ImportPages(
    flow=tasks.FLOW, namespace="registry",
    validate_kind=tasks.VALIDATE, validate_task=tasks.validate_import,
    import_kind=tasks.IMPORT, import_task=tasks.run_import,
    validate_job_title=gettext_lazy("校验导入文件：%(name)s"), import_job_title=gettext_lazy("导入企业：%(name)s"),
    title=gettext_lazy("导入企业名录"), preview_title=gettext_lazy("导入预览"), result_title=gettext_lazy("导入结果"),
    crumbs=((gettext_lazy("企业名录"), "registry:list"),), crumb=gettext_lazy("导入"),
    checking_note=gettext_lazy("正在逐行校验，完成后本页自动显示结果；可以离开此页，稍后在“后台任务”中查看。"),
    preview_counts=(gettext_lazy("将新建"), gettext_lazy("将更新")),
    result_counts=(gettext_lazy("新建"), gettext_lazy("更新")),
    next_label=gettext_lazy("查看企业名录"), next_icon="bi-buildings",
    column_help=(
        gettext_lazy("第一行为列名，中文或英文均可，顺序不限；必填列：统一社会信用代码、企业名称、所属镇街、年度。"),
        gettext_lazy("同一企业按“统一社会信用代码 + 年度”导入：新的年度新增一行年度数据，相同年度则更新；档案变更都会记入企业历史。"),
        gettext_lazy("金额单位为元；列名写明“（万元）”时按万元；单元格也可写“120万元”。"),
        gettext_lazy("行业代码填 4 位行业小类，如 3872 或 C3872；镇街可写 古镇、古镇镇 或区划代码。"),
        gettext_lazy("请把统一社会信用代码列设为“文本”格式，以免 Excel 转成科学计数法。"),
    ),
    town_note=gettext_lazy("镇街账号只能导入%(town)s的企业，其他镇街的行会被标为错误。"),
)
VIEWS = ImportViews(PAGES)
upload, preview, annotated, confirm, result = VIEWS.upload, VIEWS.preview, VIEWS.annotated, VIEWS.confirm, VIEWS.result


@page_access(*OFFICERS)
def template(request):
    return FileResponse(
        io.BytesIO(template_workbook()), as_attachment=True, filename="企业名录导入模板.xlsx", content_type=XLSX_TYPE
    )
