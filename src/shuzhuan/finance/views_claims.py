"""Pages: the quarterly 数字贷 interest-subsidy claims (免申即享) — the city runs a quarter, funds the
interest budget line and pays approved claims; towns and enterprises see their own claims."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhuan.core.access import CITY, OFFICERS, page_access
from shuzhuan.core.domain import format_yuan
from shuzhuan.core.models import Role, is_city_wide
from shuzhuan.finance import claims
from shuzhuan.finance.models import InterestClaim


@page_access(*OFFICERS, Role.ENTERPRISE)
def claim_list(request):
    rows = InterestClaim.objects.visible_to(request.user).select_related(
        "enterprise__organisation", "entitlement", "transaction")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    year, quarter = claims.previous_quarter(timezone.localdate())
    context = {"page": page, "city": is_city_wide(request.user), "year": year, "quarter": quarter,
               "quarters": (1, 2, 3, 4)}
    if context["city"]:
        context["budget"] = claims.budget()
    return render(request, "finance/interest_claims.html", context)


def _post_only(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


@page_access(*CITY)
def claim_run(request):
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        year, quarter = int(request.POST.get("year", "")), int(request.POST.get("quarter", ""))
        run = claims.run_quarter(request.user, year, quarter)
    except (ValueError, claims.ClaimError) as exc:
        messages.error(request, str(exc) if isinstance(exc, claims.ClaimError) else _("请填写年度和季度"))
        return redirect("finance:interest_claims")
    if run is None:
        messages.info(request, _("本季度没有新的贴息申领"))
        return redirect("finance:interest_claims")
    messages.success(request, _("已生成 %(count)s 家企业的季度贴息，合计 %(total)s 元；审核后推送企业确认") % {
        "count": run.summary["entitled"], "total": format_yuan(Decimal(run.summary["total"]))})
    return redirect("policy:run", policy_run_id=run.pk)


@page_access(*CITY)
def budget_fund(request):
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        amount = Decimal(request.POST.get("amount", "").strip().replace(",", ""))
        claims.fund_budget(request.user, amount)
    except (InvalidOperation, claims.ClaimError):
        messages.error(request, _("金额应大于 0，最多两位小数"))
    else:
        messages.success(request, _("贴息预算已下达 %(amount)s 元") % {"amount": format_yuan(amount)})
    return redirect("finance:interest_claims")


@page_access(*CITY)
def claim_pay(request, interest_claim_id: int):
    if (refused := _post_only(request)) is not None:
        return refused
    claim = get_object_or_404(InterestClaim.objects.visible_to(request.user), pk=interest_claim_id)
    try:
        claims.pay(request.user, claim)
    except claims.ClaimError as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        raise
    else:
        messages.success(request, _("已支付 %(amount)s 元") % {"amount": format_yuan(claim.amount)})
    return redirect("finance:interest_claims")


__all__ = ["budget_fund", "claim_list", "claim_pay", "claim_run"]


@page_access(*OFFICERS)
def statistics_page(request):
    from shuzhuan.finance import statistics

    rows = statistics.yearly(request.user)
    return render(request, "finance/statistics.html", {"rows": rows, "chart": statistics.chart(rows)})


@page_access(*OFFICERS)
def statistics_export(request):
    import io

    from django.http import HttpResponse
    from django.utils.http import content_disposition_header
    from openpyxl import Workbook

    from shuzhuan.core.xlsx import append_row
    from shuzhuan.finance import statistics

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("数字贷统计"))
    append_row(ws, [_("年度"), _("备案项目（个）"), _("融资需求（元）"), _("授信（元）"), _("放款（元）"),
                    _("带动投资（元）"), _("合作银行（家）"), _("上架产品（个）")])
    for r in statistics.yearly(request.user):
        append_row(ws, [r["year"], r["filings"], r["demand"], r["credit"], r["disbursed"], r["investment"], r["banks"],
                        r["products"]])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, _("数字贷统计.xlsx"))
    return response
