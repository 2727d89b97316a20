"""The pilot enterprise pool (试点企业库): officers review and approve, enterprises apply, the public list."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhuan.core.access import OFFICERS, page_access
from shuzhuan.core.models import Role, is_city_wide
from shuzhuan.programs import services
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.domain.model import LEVEL_NAMES
from shuzhuan.programs.forms import ApplyForm
from shuzhuan.programs.models import Listing, Programme
from shuzhuan.registry.models import Enterprise

PAGE_SIZE = 50


def chosen_programme(request) -> Programme | None:
    code = request.GET.get("programme") or request.POST.get("programme") or ""
    queryset = Programme.objects.order_by("-active", "-starts_on", "code")
    return (queryset.filter(code=code).first() if code else None) or queryset.first()


@page_access(*OFFICERS)
def pool(request):
    programme = chosen_programme(request)
    if programme is None:
        return render(request, "programs/no_programme.html", {})
    base = Listing.objects.visible_to(request.user).filter(programme=programme)
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:100]
    queryset = base
    if status in wf.LISTING_STATES:
        queryset = queryset.filter(status=status)
    if q:
        queryset = queryset.filter(enterprise__organisation__name__icontains=q)
    queryset = queryset.select_related("enterprise__organisation", "enterprise__town", "enterprise__industry")
    page = Paginator(queryset.order_by("status", "enterprise__town__code", "enterprise__organisation__name", "pk"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(base.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    names = services.sub_industry_names(programme)
    user = request.user
    return render(request, "programs/pool.html", {
        "programme": programme, "programmes": Programme.objects.order_by("-starts_on"), "page": page,
        "counts": counts, "states": wf.LISTING_STATES, "status": status, "q": q, "names": names,
        "level_names": LEVEL_NAMES, "is_city": is_city_wide(user),
        "proposal_size": len(services.proposal(programme, None if is_city_wide(user) else user.town_id))
        if request.GET.get("preview") else None,
    })


@require_POST
@page_access(*OFFICERS)
def pool_propose(request):
    programme = chosen_programme(request)
    if programme is None:
        return redirect("programs:pool")
    user = request.user
    town_id = None if is_city_wide(user) else user.town_id
    raw = request.POST.get("limit", "")
    limit = int(raw) if raw.isdigit() and 0 < int(raw) <= 5000 else None
    if limit is None:
        messages.error(request, _("请填写推荐数量（1–5000）"))
        return redirect(f"{_pool_url()}?programme={programme.code}")
    count = services.propose(user, programme, town_id, limit)
    if count:
        messages.success(request, _("已根据企业库与评测结果推荐 %(n)d 家企业，请逐一审核。") % {"n": count})
    else:
        messages.info(request, _("没有新的符合条件的企业。"))
    return redirect(f"{_pool_url()}?programme={programme.code}&status=proposed")


def _pool_url() -> str:
    from django.urls import reverse

    return reverse("programs:pool")


@require_POST
@page_access(*OFFICERS)
def pool_review(request):
    programme = chosen_programme(request)
    ids = [int(v) for v in request.POST.getlist("listing") if v.isdigit()]
    approve = request.POST.get("decision") == "approve"
    reason = request.POST.get("reason", "")[:2000]
    visible = list(Listing.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    if not visible:
        messages.error(request, _("请选择要审核的企业"))
    else:
        try:
            n = services.review_listings(request.user, visible, approve, reason)
        except services.ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已处理 %(n)d 家企业。") % {"n": n})
    code = programme.code if programme else ""
    return redirect(f"{_pool_url()}?programme={code}&status={request.POST.get('status', '')}")


@page_access(public=True)
def pilots(request):
    """The public list (公示) of listed pilot enterprises."""
    programme = chosen_programme(request)
    page = None
    names: dict[str, str] = {}
    if programme is not None:
        queryset = (Listing.objects.listed().filter(programme=programme)
                    .select_related("enterprise__organisation", "enterprise__town")
                    .order_by("enterprise__town__code", "enterprise__organisation__name", "pk"))
        page = Paginator(queryset, 100).get_page(request.GET.get("page"))
        names = services.sub_industry_names(programme)
    return render(request, "programs/pilots.html", {
        "programme": programme, "programmes": Programme.objects.order_by("-starts_on"), "page": page, "names": names,
    })


@page_access(Role.ENTERPRISE)
def apply(request):
    enterprise = Enterprise.objects.visible_to(request.user).select_related("organisation", "industry").first()
    open_programmes = Programme.objects.filter(active=True).order_by("-starts_on")
    form = ApplyForm(request.POST or None, programmes=open_programmes)
    mine = list(Listing.objects.visible_to(request.user).select_related("programme"))
    checks = [(p, services.check_eligibility(p, enterprise)) for p in open_programmes] if enterprise else []
    if request.method == "POST" and enterprise is not None and form.is_valid():
        try:
            services.apply_for_listing(request.user, form.cleaned_data["programme"], enterprise, form.cleaned_data["note"])
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("申请已提交，等待镇街审核。"))
            return redirect("programs:apply")
    return render(request, "programs/apply.html", {"form": form, "enterprise": enterprise, "mine": mine, "checks": checks})
