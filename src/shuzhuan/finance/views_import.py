"""A bank's repayment report upload: the shared import pages (registry/imports) with these words."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy

from shuzhuan.core.access import CITY, page_access
from shuzhuan.core.models import Role
from shuzhuan.finance import imports, tasks
from shuzhuan.registry.imports.flow import ImportPages
from shuzhuan.registry.views.importing import ImportViews

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROLES = (Role.BANK, *CITY)

IMPORT_PAGES = ImportPages(
    flow=tasks.FLOW, namespace="finance",
    validate_kind=tasks.VALIDATE, validate_task=tasks.validate_import,
    import_kind=tasks.IMPORT, import_task=tasks.run_import,
    validate_job_title=gettext_lazy("校验还款报送文件：%(name)s"), import_job_title=gettext_lazy("导入还款报送：%(name)s"),
    title=gettext_lazy("报送还款（Excel）"), preview_title=gettext_lazy("还款报送预览"),
    result_title=gettext_lazy("还款报送结果"),
    crumbs=((gettext_lazy("数字贷贷款"), "finance:loans"),), crumb=gettext_lazy("报送还款"),
    checking_note=gettext_lazy("正在逐行校验，完成后本页自动显示结果。"),
    preview_counts=(gettext_lazy("将报送"), gettext_lazy("将更新")),
    result_counts=(gettext_lazy("已报送"), gettext_lazy("已更新")),
    next_label=gettext_lazy("查看贷款"), next_icon="bi-cash-coin",
    column_help=(
        gettext_lazy("每行一笔还款；列：业务编号（本行报送贷款时的编号）、还款日期（YYYY-MM-DD）、还款本金、实付利息（元，最多两位小数）。"),
        gettext_lazy("每行与接口报送同样校验：日期不早于上一次报送，本金不超过贷款余额；本金全部还清的贷款自动结清。"),
        gettext_lazy("有任何错误时整份文件都不导入（可选择仅导入有效行）；可下载标注错误的文件，按“错误说明”列修正。"),
    ),
    town_note=gettext_lazy("%(town)s"),
)
IMPORT_VIEWS = ImportViews(IMPORT_PAGES, roles=ROLES)
import_upload, import_preview, import_annotated = IMPORT_VIEWS.upload, IMPORT_VIEWS.preview, IMPORT_VIEWS.annotated
import_confirm, import_result = IMPORT_VIEWS.confirm, IMPORT_VIEWS.result


@page_access(*ROLES)
def import_template(request):
    response = HttpResponse(imports.template_workbook(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''repayments.xlsx"
    return response
