"""The programme dashboard and its XLSX export; the payout batches."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhuan.core.access import CITY, OFFICERS, page_access
from shuzhuan.core.domain import format_yuan, to_wan
from shuzhuan.core.models import is_city_wide
from shuzhuan.programs import dashboard, services
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.domain.model import LEVEL_NAMES
from shuzhuan.programs.forms import BuildBatchForm
from shuzhuan.programs.models import PayoutBatch, Programme, Project
from shuzhuan.programs.views.pool import chosen_programme

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote as urlquote

    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{urlquote(filename)}"
    return response


@page_access(*OFFICERS)
def programme_dashboard(request):
    programme = chosen_programme(request)
    if programme is None:
        return render(request, "programs/no_programme.html", {})
    user = request.user
    board = dashboard.build(programme, user, with_ledger=is_city_wide(user))
    chart = {
        "funnel": [{"name": f["label"], "value": f["count"]} for f in board.funnel],
        "sources": [label for _code, label in board.sources],
        "money": [{"name": m["label"], "data": [to_wan(m["by_source"][c]) for c, _l in board.sources]}
                  for m in board.money],
    }
    return render(request, "programs/dashboard.html", {
        "programme": programme, "programmes": Programme.objects.order_by("-starts_on"), "board": board,
        "chart": chart, "level_names": LEVEL_NAMES,
    })


@page_access(*OFFICERS)
def dashboard_export(request):
    programme = chosen_programme(request)
    if programme is None:
        return redirect("programs:dashboard")
    board = dashboard.build(programme, request.user)
    projects = (Project.objects.visible_to(request.user).filter(programme=programme)
                .select_related("enterprise__organisation", "enterprise__town", "provider").order_by("pk"))
    return _xlsx(dashboard.export_xlsx(board, projects), f"{programme.name}-看板-{timezone.localdate():%Y%m%d}.xlsx")


@page_access(*OFFICERS)
def batch_list(request):
    user = request.user
    batches = list(PayoutBatch.objects.visible_to(user).select_related("programme").order_by("-month", "-number"))
    totals: dict[int, int] = {}
    sums: dict[int, Decimal] = {}
    for batch_id, amount in Project.objects.filter(batch__in=batches).values_list("batch_id", "subsidy_amount"):
        totals[batch_id] = totals.get(batch_id, 0) + 1
        sums[batch_id] = sums.get(batch_id, Decimal("0.00")) + (amount or Decimal("0.00"))
    is_city = is_city_wide(user)
    programmes = Programme.objects.order_by("-starts_on")
    form = BuildBatchForm(programmes=programmes, initial={"month": timezone.localdate().strftime("%Y-%m")}) if is_city else None
    ready = (Project.objects.filter(state=wf.CITY_APPROVED, batch__isnull=True).select_related(
        "enterprise__organisation", "programme").order_by("approved_on", "pk")[:200]) if is_city else []
    rows = [(b, totals.get(b.pk, 0), sums.get(b.pk, 0)) for b in batches]
    return render(request, "programs/batch_list.html", {"rows": rows, "form": form, "ready": ready, "is_city": is_city})


@require_POST
@page_access(*CITY)
def batch_build(request):
    form = BuildBatchForm(request.POST, programmes=Programme.objects.all())
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("programs:batches")
    ids = [int(v) for v in request.POST.getlist("project") if v.isdigit()] or None
    try:
        batch = services.build_batch(request.user, form.cleaned_data["programme"], form.cleaned_data["month"], ids)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("programs:batches")
    messages.success(request, _("已编制兑现批次 %(label)s。") % {"label": batch.label})
    return redirect("programs:batch", batch_id=batch.pk)


def _batch(request, batch_id: int) -> PayoutBatch:
    return get_object_or_404(PayoutBatch.objects.visible_to(request.user).select_related("programme"), pk=batch_id)


@page_access(*OFFICERS)
def batch_detail(request, batch_id: int):
    batch = _batch(request, batch_id)
    projects = (Project.objects.visible_to(request.user).filter(batch=batch)
                .select_related("enterprise__organisation", "enterprise__town", "provider").order_by("pk"))
    user = request.user
    is_city = is_city_wide(user)
    rules_problem = ""
    try:
        sources = [(s.code, s.label) for s in services.rules_version(batch.programme).fund_sources]
    except services.ServiceError as exc:  # shown: the columns by fund source cannot be listed
        sources, rules_problem = [], str(exc)
    rows = [(p, [p.subsidy_by_source.get(code, "0.00") for code, _l in sources]) for p in projects]
    # every figure in the header is scoped as the rows are: a town sees its own projects' count and total
    count = len(rows)
    total = sum((p.subsidy_amount or Decimal("0.00") for p, _parts in rows), Decimal("0.00"))
    refusal = (wf.batch_refusal(batch.status, batch.projects.count(), batch.exported_at is not None)
               or (services.officer_refusal(batch, user) if is_city else None))
    return render(request, "programs/batch_detail.html", {
        "batch": batch, "rows": rows, "sources": sources, "rules_problem": rules_problem, "is_city": is_city, "total": total,
        "count": count, "next_label": wf.BATCH_ACTIONS.get(batch.status), "refusal": refusal,
        "level_names": LEVEL_NAMES, "may_export": batch.status in (wf.BATCH_APPROVED, wf.BATCH_PAID),
    })


@require_POST
@page_access(*CITY)
def batch_advance(request, batch_id: int):
    batch = _batch(request, batch_id)
    total = services.batch_total(batch)
    if request.POST.get("confirm") != "1" or request.POST.get("confirm_total", "") != f"{total:.2f}":
        messages.error(request, _("请勾选确认（本批次合计 %(total)s 元）后再提交；金额有变化时请重新确认")
                       % {"total": format_yuan(total)})
        return redirect("programs:batch", batch_id=batch.pk)
    try:
        services.advance_batch(request.user, batch)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("兑现批次 %(label)s：%(state)s") % {"label": batch.label, "state": batch.status_label})
    return redirect("programs:batch", batch_id=batch.pk)


@require_POST
@page_access(*CITY)
def batch_remove(request, batch_id: int):
    batch = _batch(request, batch_id)
    raw = request.POST.get("project", "")
    project = batch.projects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if project is None:
        messages.error(request, _("该项目不在此批次中"))
        return redirect("programs:batch", batch_id=batch.pk)
    try:
        services.remove_from_batch(request.user, batch, project, request.POST.get("reason", "")[:2000])
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已将「%(title)s」移出批次。") % {"title": project.title})
    return redirect("programs:batch", batch_id=batch.pk)


@require_POST
@page_access(*CITY)
def batch_export(request, batch_id: int):
    batch = _batch(request, batch_id)
    try:
        # the payment list splits each payout by fund source: without the rules it would lose those
        # columns, so the export is refused with the reason instead
        services.rules_version(batch.programme)
        data = services.export_batch(request.user, batch)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("programs:batch", batch_id=batch.pk)
    return _xlsx(data, f"拨付清单-{batch.programme.name}-{batch.month.year}年{batch.month.month}月第{batch.number}批.xlsx")
