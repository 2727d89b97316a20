"""Pages of the diagnosis report (web, PDF, DOCX), the statistics, the bulk import and the re-scoring job.

Reports: any signed-in role, the assessment reached only through `Assessment.objects.visible_to`
(another town's or firm's → 404). Statistics and import: officers (a town officer sees and imports
their town only). Re-scoring: the city.
"""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhuan.assessment import imports, indicator_sets, reports, statistics, tasks
from shuzhuan.assessment.models import Assessment
from shuzhuan.core import jobs
from shuzhuan.core.access import CITY, OFFICERS, page_access
from shuzhuan.core.forms import BootstrapMixin
from shuzhuan.core.models import Job
from shuzhuan.registry.imports.flow import ImportPages
from shuzhuan.registry.views.importing import ImportViews

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


# --- bulk import (the enterprise import's pages, with these words) -----------------------------------------

IMPORT_PAGES = ImportPages(
    flow=tasks.FLOW, namespace="assessment",
    validate_kind=tasks.VALIDATE, validate_task=tasks.validate_import,
    import_kind=tasks.IMPORT, import_task=tasks.run_import,
    validate_job_title=gettext_lazy("校验评测结果文件：%(name)s"), import_job_title=gettext_lazy("导入评测结果：%(name)s"),
    title=gettext_lazy("导入评测结果"), preview_title=gettext_lazy("评测结果导入预览"),
    result_title=gettext_lazy("评测结果导入结果"),
    crumbs=((gettext_lazy("评测统计"), "assessment:stats"),), crumb=gettext_lazy("评测结果导入"),
    checking_note=gettext_lazy("正在逐行校验并按指标体系计分，完成后本页自动显示结果；可以离开此页，稍后在“后台任务”中查看。"),
    preview_counts=(gettext_lazy("将新增"), gettext_lazy("将替换")),
    result_counts=(gettext_lazy("新增"), gettext_lazy("替换")),
    next_label=gettext_lazy("查看评测统计"), next_icon="bi-bar-chart-line",
    column_help=(
        gettext_lazy("每行一份评测结果；必填列：统一社会信用代码、评测日期。评测类型填 改造前 / 改造后 / 定期（空则为定期）；"
                     "指标体系填 miit-2024 或 miit-2022（空则为 2024 年版）。"),
        gettext_lazy("完整答卷：每题一列（列名以题号开头，如 F1、M2、R3），填选项字母，多选用逗号分隔，如 B,D；"
                     "每个场景一列（S01…S16），填 0–4，0 表示未实施。系统按指标体系计分并评定等级。"),
        gettext_lazy("仅有结果（全国评测系统导出）：只填总分和等级；2022 年版按总分档位评定等级，等级可留空。"),
        gettext_lazy("企业须已在企业库登记；同一企业、同一评测日期和类型再次导入时替换原导入结果。"),
        gettext_lazy("有任何错误时整份文件都不导入（可选择仅导入有效行）；可下载标注错误的文件，按“错误说明”列修正。"),
    ),
    town_note=gettext_lazy("镇街账号只能导入%(town)s企业的评测结果，其他镇街的行会被标为错误。"),
)
IMPORT_VIEWS = ImportViews(IMPORT_PAGES)
import_upload, import_preview, import_annotated = IMPORT_VIEWS.upload, IMPORT_VIEWS.preview, IMPORT_VIEWS.annotated
import_confirm, import_result = IMPORT_VIEWS.confirm, IMPORT_VIEWS.result


@page_access(*OFFICERS)
def import_template(request):
    return _download(imports.template_workbook(), XLSX_TYPE, "评测结果导入模板.xlsx")


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
        title = dict(form.fields["indicator_set"].choices).get(set_id, set_id)  # the set's title, not its file name
        job = jobs.start(request.user, tasks.RESCORE, _("批量重算评测结果：%(set)s") % {"set": title}, tasks.run_rescore,
                         params={"indicator_set": set_id})
        return redirect("core:job", job_id=job.pk)
    recent = Job.objects.visible_to(request.user).filter(kind=tasks.RESCORE)[:10]
    return render(request, "assessment/import_rescore.html", {"form": form, "recent": recent},
                  status=400 if form.errors else 200)


# --- indicator sets: the city marks a level rule verified against a named document -----------------------------


class VerifyForm(BootstrapMixin, forms.Form):
    indicator_set = forms.ChoiceField(label=gettext_lazy("指标体系"), widget=forms.HiddenInput)
    document = forms.CharField(label=gettext_lazy("核实依据文件（名称与文号）"), max_length=200,
                               help_text=gettext_lazy("如：工业和信息化部办公厅关于印发《中小企业数字化水平评测指标（2024年版）》的通知（工信厅企业函〔2024〕xx号）"))
    article = forms.CharField(label=gettext_lazy("条款或页码"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator_set"].choices = [(s, s) for s in indicator_sets.available()]


@page_access(*CITY)
def indicator_set_list(request):
    from shuzhuan.assessment import verification

    form = VerifyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                verification.verify(request.user, form.cleaned_data["indicator_set"], form.cleaned_data["document"],
                                    form.cleaned_data["article"])
            except verification.VerificationError as exc:
                form.add_error("document", str(exc))
            else:
                from django.contrib import messages

                messages.success(request, _("已记录核实依据，诊断报告将注明该文件。"))
                return redirect("assessment:indicator_sets")
    rows = []
    for set_id in indicator_sets.available():
        try:
            s = indicator_sets.load(set_id)
        except (indicator_sets.UnknownIndicatorSet, ValueError):
            continue
        rows.append({"set": s, "verified": verification.current(s), "unverified": verification.needs_note(s),
                     "note": verification.rule_note(s),
                     "form": form if form.is_bound and form.data.get("indicator_set") == set_id
                     else VerifyForm(initial={"indicator_set": set_id})})
    return render(request, "assessment/indicator_sets.html", {"rows": rows}, status=400 if form.errors else 200)
