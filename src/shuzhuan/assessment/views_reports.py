"""Pages of the diagnosis report (web, PDF, DOCX), the statistics, the bulk import and the re-scoring job.

Reports: any signed-in role, the assessment reached only through `Assessment.objects.visible_to`
(another town's or firm's → 404). Statistics and import: officers (a town officer sees and imports
their town only). Re-scoring: the city.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shuzhuan.assessment import imports, indicator_sets, reports, statistics, tasks
from shuzhuan.assessment.models import Assessment
from shuzhuan.core import jobs
from shuzhuan.core.access import CITY, OFFICERS, page_access
from shuzhuan.core.forms import BootstrapMixin
from shuzhuan.core.models import Job, JobStatus
from shuzhuan.registry.imports.flow import PREVIEW_ERRORS, store_upload
from shuzhuan.registry.views_import import UploadForm

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- diagnosis report -----------------------------------------------------------------------------------


def _assessment(request, assessment_id: int) -> Assessment:
    queryset = Assessment.objects.visible_to(request.user).final().select_related(
        "enterprise__organisation", "enterprise__town", "enterprise__industry", "rater_organisation", "based_on",
    )
    return get_object_or_404(queryset, pk=assessment_id)


def _filename(report: reports.Report, extension: str) -> str:
    return f"{report.enterprise['name']}-诊断报告-{report.assessment.assessed_on:%Y%m%d}.{extension}"


@page_access()
def report(request, assessment_id: int):
    data = reports.report_data(_assessment(request, assessment_id))
    context = {"report": data, "radar_data": data.radar_json(), "grid_data": data.grid_json()}
    return render(request, "assessment/report.html", context)


@page_access()
def report_pdf(request, assessment_id: int):
    data = reports.report_data(_assessment(request, assessment_id))
    return _download(reports.render_pdf(data), "application/pdf", _filename(data, "pdf"))


@page_access()
def report_docx(request, assessment_id: int):
    data = reports.report_data(_assessment(request, assessment_id))
    return _download(reports.render_docx(data), DOCX_TYPE, _filename(data, "docx"))


# --- statistics -----------------------------------------------------------------------------------------


def _stats(request) -> tuple[statistics.StatsFilterForm, statistics.Statistics]:
    form = statistics.StatsFilterForm(request.GET or None, user=request.user)
    return form, statistics.compute(request.user, form.filters())


@page_access(*OFFICERS)
def stats(request):
    form, data = _stats(request)
    charts = {table.key: table.chart for table in data.tables}
    return render(request, "assessment/stats.html", {"form": form, "stats": data, "charts": charts,
                                                     "filtered": bool(form.filters())})


@page_access(*OFFICERS)
def stats_export(request):
    _form, data = _stats(request)
    return _download(statistics.export_xlsx(data), XLSX_TYPE, "数字化水平统计.xlsx")


# --- bulk import (mirrors the enterprise import's flow) -------------------------------------------------


def _job(request, job_id, kind: str) -> Job:
    return get_object_or_404(Job.objects.visible_to(request.user), pk=job_id, kind=kind)


@page_access(*OFFICERS)
def import_upload(request):
    from django.conf import settings

    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        name = Path(file.name).name[:150]
        job = jobs.start(
            request.user, tasks.VALIDATE, _("校验评测结果文件：%(name)s") % {"name": name}, tasks.validate_import,
            params={"filename": name}, input_file=store_upload(file),
        )
        return redirect("assessment:import_preview", job.pk)
    recent = Job.objects.visible_to(request.user).filter(Q(kind=tasks.VALIDATE) | Q(kind=tasks.IMPORT))[:10]
    context = {"form": form, "recent": recent, "max_mb": round(settings.IMPORT_MAX_UPLOAD_BYTES / 2**20),
               "validate_kind": tasks.VALIDATE, "sets": indicator_sets.available()}
    return render(request, "assessment/import_upload.html", context, status=400 if form.errors else 200)


@page_access(*OFFICERS)
def import_template(request):
    return _download(imports.template_workbook(), XLSX_TYPE, "评测结果导入模板.xlsx")


@page_access(*OFFICERS)
def import_preview(request, results_check_id):
    job = _job(request, results_check_id, tasks.VALIDATE)
    result = job.result if job.status == JobStatus.SUCCEEDED else {}
    started = Job.objects.visible_to(request.user).filter(kind=tasks.IMPORT, params__source=str(job.pk)).first()
    context = {"job": job, "progress": jobs.snapshot(job), "result": result, "started": started,
               "errors_shown": len(result.get("errors", [])), "preview_limit": PREVIEW_ERRORS}
    return render(request, "assessment/import_preview.html", context)


@page_access(*OFFICERS)
def import_annotated(request, results_check_id):
    job = _job(request, results_check_id, tasks.VALIDATE)
    path = jobs.private_path(job.output_file) if job.output_file else None
    if path is None or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result.get("output_name") or path.name)


def _cannot_import(result: dict, skip_invalid: bool) -> str:
    if not result:
        return _("文件尚未校验完成或校验失败，不能导入")
    if not result.get("rows_valid"):
        return _("没有可导入的有效行")
    if result.get("error_count") and not skip_invalid:
        return _("文件有错误：请修正后重新上传，或选择“仅导入有效行”")
    return ""


@page_access(*OFFICERS)
@require_POST
def import_confirm(request, results_check_id):
    job = _job(request, results_check_id, tasks.VALIDATE)
    skip_invalid = request.POST.get("mode") == "valid"
    problem = _cannot_import(job.result if job.status == JobStatus.SUCCEEDED else {}, skip_invalid)
    if problem:
        messages.error(request, problem)
        return redirect("assessment:import_preview", job.pk)
    existing = Job.objects.visible_to(request.user).filter(kind=tasks.IMPORT, params__source=str(job.pk)).first()
    if existing is not None:
        return redirect("assessment:import_result", existing.pk)
    name = job.params.get("filename", "")
    run = jobs.start(
        request.user, tasks.IMPORT, _("导入评测结果：%(name)s") % {"name": name}, tasks.run_import,
        params={"source": str(job.pk), "filename": name, "skip_invalid": skip_invalid}, input_file=job.input_file,
    )
    return redirect("assessment:import_result", run.pk)


@page_access(*OFFICERS)
def import_result(request, results_run_id):
    job = _job(request, results_run_id, tasks.IMPORT)
    context = {"job": job, "progress": jobs.snapshot(job), "result": job.result if job.finished else {}}
    return render(request, "assessment/import_result.html", context)


# --- batch re-scoring -----------------------------------------------------------------------------------


class RescoreForm(BootstrapMixin, forms.Form):
    indicator_set = forms.ChoiceField(label=gettext_lazy("指标体系"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for set_id in indicator_sets.available():
            try:
                s = indicator_sets.load(set_id)
            except indicator_sets.UnknownIndicatorSet:
                continue
            choices.append((set_id, f"{s.title}（{s.version} 版）"))
        self.fields["indicator_set"].choices = choices


@page_access(*CITY)
def rescore(request):
    form = RescoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        set_id = form.cleaned_data["indicator_set"]
        job = jobs.start(request.user, tasks.RESCORE, _("批量重算评测结果：%(set)s") % {"set": set_id}, tasks.run_rescore,
                         params={"indicator_set": set_id})
        return redirect("core:job", job_id=job.pk)
    recent = Job.objects.visible_to(request.user).filter(kind=tasks.RESCORE)[:10]
    return render(request, "assessment/import_rescore.html", {"form": form, "recent": recent},
                  status=400 if form.errors else 200)
