from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shuzhuan.core import audit, jobs
from shuzhuan.core.access import OFFICERS, page_access
from shuzhuan.core.domain import format_yuan, to_wan
from shuzhuan.core.models import AuditEntry, is_officer
from shuzhuan.registry import services
from shuzhuan.registry.exporting import write_xlsx
from shuzhuan.registry.filters import EnterpriseFilterForm
from shuzhuan.registry.forms import EnterpriseForm, YearForm
from shuzhuan.registry.models import Enterprise
from shuzhuan.registry.tasks import export_enterprises

PAGE_SIZE = 50
KEY_FIGURES_SECONDS = 300


def key_figures(request) -> list[dict]:
    user = request.user
    if is_officer(user):
        # A full-table aggregate: computed at most every few minutes per scope, not on every home page view.
        stats = cache.get_or_set(
            f"registry:key-figures:{user.role}:{user.town_id or 'city'}",
            lambda: Enterprise.objects.visible_to(user).aggregate(
                total=Count("pk"), above=Count("pk", filter=Q(above_scale=True)),
                zjtx=Count("pk", filter=~Q(zjtx_tier="")), cloud=Count("pk", filter=Q(on_cloud=True)),
            ),
            KEY_FIGURES_SECONDS,
        )
        url = reverse("registry:list")
        return [
            {"label": _("在库企业"), "value": f"{stats['total']:,}", "unit": _("家"), "url": url},
            {"label": _("规模以上工业企业"), "value": f"{stats['above']:,}", "unit": _("家"), "url": url + "?above_scale=1"},
            {"label": _("专精特新企业"), "value": f"{stats['zjtx']:,}", "unit": _("家"), "url": url + "?tag=zjtx"},
            {"label": _("上云用平台企业"), "value": f"{stats['cloud']:,}", "unit": _("家"), "url": url + "?tag=on_cloud"},
        ]
    if user.role == "enterprise":
        ent = Enterprise.objects.visible_to(user).select_related("organisation").first()
        if ent:
            return [
                {"label": _("企业规模"), "value": ent.get_size_class_display() or "—", "unit": "", "url": reverse("registry:mine")},
                {"label": _("最新年度营业收入"), "value": format_yuan(ent.revenue, "万元"), "unit": _("万元"), "url": reverse("registry:mine")},
            ]
    return []


def _filtered(request):
    form = EnterpriseFilterForm(request.GET or None, user=request.user)
    base = Enterprise.objects.visible_to(request.user)
    return form, form.apply(base) if form.is_bound else base.order_by("organisation__name", "organisation_id")


@page_access(*OFFICERS)
def enterprise_list(request):
    form, queryset = _filtered(request)
    queryset = queryset.select_related("organisation", "town", "industry")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/list.html", {"form": form, "page": page, "export_limit": settings.EXPORT_SYNC_ROWS})


@page_access(*OFFICERS)
def enterprise_export(request):
    _form, queryset = _filtered(request)
    if queryset.count() > settings.EXPORT_SYNC_ROWS:  # larger exports run as a job with a progress bar
        job = jobs.start(request.user, "registry.export", _("导出企业名录"), export_enterprises,
                         params={"query": request.GET.urlencode()})
        messages.info(request, _("数据量较大，已转为后台任务导出，完成后可下载。"))
        return redirect("core:job", job_id=job.pk)
    tmp = Path(tempfile.mkdtemp()) / "enterprises.xlsx"
    write_xlsx(queryset, tmp)
    return FileResponse(tmp.open("rb"), as_attachment=True, filename="企业名录.xlsx")


def _get_enterprise(request, uscc: str) -> Enterprise:
    return get_object_or_404(
        Enterprise.objects.visible_to(request.user).select_related("organisation", "town", "industry__parent__parent"),
        organisation__uscc=uscc,
    )


@page_access("enterprise")
def mine(request):
    ent = Enterprise.objects.visible_to(request.user).select_related("organisation").first()
    if ent is None:
        return render(request, "core/error.html", {"title": _("尚未建档"), "text": _("本企业还没有档案，请联系所在镇街工信部门。")})
    return redirect("registry:detail", uscc=ent.uscc)


@page_access("admin", "city_officer", "town_officer", "enterprise")
def enterprise_detail(request, uscc):
    ent = _get_enterprise(request, uscc)
    years = list(ent.years.order_by("year"))
    history = list(AuditEntry.objects.visible_to(request.user).filter(organisation_id=ent.pk).select_related("actor")[:200])
    for item in history:
        item.change_rows = audit.describe_changes(item)  # 地址, not `address`
    chart = {
        "years": [str(y.year) for y in years],
        "revenue": [to_wan(y.revenue) for y in years],
        "employees": [y.employees for y in years],
    }
    return render(request, "registry/detail.html", {
        "ent": ent, "years": list(reversed(years)), "history": history, "chart": chart,
        "can_edit": True, "can_report_years": is_officer(request.user),
    })


@page_access("admin", "city_officer", "town_officer", "enterprise")
def enterprise_edit(request, uscc):
    ent = _get_enterprise(request, uscc)
    form = EnterpriseForm(request.POST or None, instance=ent, user=request.user)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data.get("name")
        fresh = Enterprise.objects.select_related("organisation").get(pk=ent.pk)
        changes = services.update_profile(request.user, fresh, form.profile_values(), name=name, reason=form.cleaned_data["reason"])
        messages.success(request, _("已保存 %(n)d 项修改。") % {"n": len(changes)} if changes else _("没有需要保存的修改。"))
        return redirect("registry:detail", uscc=ent.uscc)
    return render(request, "registry/edit.html", {"ent": ent, "form": form})


@page_access(*OFFICERS)  # yearly figures drive the size class and 规上 status: officers record them
def enterprise_year(request, uscc):
    ent = _get_enterprise(request, uscc)
    form = YearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.set_year(request.user, ent, d["year"], d["employees"], d["revenue"], d["tax"])
        messages.success(request, _("已保存 %(year)s 年度数据。") % {"year": d["year"]})
        return redirect("registry:detail", uscc=ent.uscc)
    return render(request, "registry/year.html", {"ent": ent, "form": form})

