"""Pages of the supply resource pool: the public catalogue (solutions, products, providers, the
public notice), the provider's self-service, and the city's admission, review and sanctions.

Action routes take POST only (`require_POST` outside `page_access`, so a GET is 405 for everyone);
their forms live on the record's page, which is rendered again with inline errors when they fail.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhuan.core import todo
from shuzhuan.core.access import CITY, OFFICERS, page_access
from shuzhuan.core.models import AuditEntry, OrganisationKind, Role, is_city_wide, is_officer
from shuzhuan.marketplace.forms.pool import (
    ApplicationForm,
    AssignForm,
    CatalogueFilterForm,
    DecisionForm,
    DocumentForm,
    ObjectionForm,
    OfferingForm,
    OfferingReviewForm,
    ProviderFilterForm,
    ProviderProfileForm,
    ResolveForm,
    ReviewForm,
    SanctionForm,
    scenario_names,
)
from shuzhuan.marketplace.models import (
    IN_POOL_STATUSES,
    ApplicationStatus,
    ExpertReview,
    Offering,
    OfferingKind,
    OfferingStatus,
    PoolApplication,
    ProviderProfile,
)
from shuzhuan.marketplace.services import pool
from shuzhuan.registry.models import IndustryClass

PAGE_SIZE = 20


def _is_provider_of(user, provider_id) -> bool:
    return bool(user.is_authenticated and user.role == Role.PROVIDER and user.organisation_id == provider_id)


def _own_profile(request) -> ProviderProfile | None:
    user = request.user
    if not user.organisation_id:
        return None
    return ProviderProfile.objects.visible_to(user).select_related("organisation", "town").filter(pk=user.organisation_id).first()


def key_figures(request) -> list[dict]:
    """Home-page cards: the pool's size for officers; the provider's own state for a provider."""
    user = request.user
    if is_officer(user):
        f = pool.pool_figures(ProviderProfile.objects.visible_to(user), Offering.objects.visible_to(user))
        url = reverse("marketplace:pool_overview")
        return [
            {"label": _("资源池服务商"), "value": f"{f['in_pool']:,}", "unit": _("家"), "url": url},
            {"label": _("解决方案"), "value": f"{f['solutions']:,}", "unit": _("套"), "url": reverse("marketplace:solutions"),
             "note": _("%(n)d 大类") % {"n": f["category_count"]}},
            {"label": _("产品与服务"), "value": f"{f['products']:,}", "unit": _("项"), "url": reverse("marketplace:products")},
        ]
    if user.role == Role.PROVIDER:
        profile = _own_profile(request)
        url = reverse("marketplace:provider_home")
        if profile is None:
            return [{"label": _("入池状态"), "value": _("未建档"), "unit": "", "url": url}]
        return [{"label": _("入池状态"), "value": profile.get_pool_status_display(), "unit": "", "url": url}]
    return []


# --- public catalogue ---------------------------------------------------------------------------------

def _division_names() -> dict[str, str]:
    return dict(IndustryClass.objects.filter(level="division").values_list("code", "name"))


@page_access(public=True)
def catalogue(request):
    f = pool.pool_figures(ProviderProfile.objects.visible_to(request.user).filter(pool_status__in=IN_POOL_STATUSES),
                          Offering.objects.public())
    return render(request, "marketplace/catalogue_home.html", {"figures": f, "scenarios": scenario_names()})


def _offering_list(request, kind: str):
    form = CatalogueFilterForm(request.GET or None, kind=kind)
    base = (Offering.objects.public().filter(kind=kind)
            .select_related("provider__organisation", "category"))
    queryset = form.apply(base)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    names = scenario_names()
    for o in page.object_list:
        o.scenario_labels = [(c, names.get(c, c)) for c in o.scenarios]
    return render(request, "marketplace/catalogue_offerings.html", {
        "form": form, "page": page, "kind": kind,
        "title": _("解决方案") if kind == OfferingKind.SOLUTION else _("产品与服务"),
    })


@page_access(public=True)
def solution_list(request):
    return _offering_list(request, OfferingKind.SOLUTION)


@page_access(public=True)
def product_list(request):
    return _offering_list(request, OfferingKind.PRODUCT)


@page_access(public=True)
def provider_list(request):
    from shuzhuan.marketplace.forms.pool import PROVIDER_SORTS

    form = ProviderFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    public = Offering.objects.public()
    queryset = (ProviderProfile.objects.visible_to(request.user).filter(pool_status__in=IN_POOL_STATUSES)
                .select_related("organisation", "town")
                .annotate(n_offerings=Count("offerings", filter=Q(offerings__in=public), distinct=True)))
    q = (data.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(organisation__name__icontains=q) | Q(introduction__icontains=q))
    if data.get("scenario"):
        queryset = queryset.filter(pk__in=public.filter(scenarios__icontains=f'"{data["scenario"]}"').values("provider_id"))
    if data.get("town"):
        queryset = queryset.filter(town=data["town"])
    queryset = queryset.order_by(*PROVIDER_SORTS.get(data.get("sort") or "", ("organisation__name", "pk")))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for p in page.object_list:
        p.star_count = int(p.stars) if p.stars is not None else None
    return render(request, "marketplace/catalogue_providers.html", {"form": form, "page": page, "star_range": range(1, 6)})


def _offering_actions(request, offering: Offering) -> dict:
    user = request.user
    own = _is_provider_of(user, offering.provider_id)
    city = is_city_wide(user)
    return {
        "can_edit": own and offering.status in pool.EDITABLE_STATUSES,
        "can_submit": own and offering.status in (OfferingStatus.DRAFT, OfferingStatus.REJECTED, OfferingStatus.WITHDRAWN),
        "can_withdraw": (own or city) and offering.status in (OfferingStatus.PUBLISHED, OfferingStatus.PENDING),
        "can_review": city and offering.status == OfferingStatus.PENDING,
        "show_status": own or user.is_authenticated and (city or user.role == Role.TOWN_OFFICER),
    }


def _offering_page(request, offering: Offering, review_form=None, status=200):
    names = scenario_names()
    divisions = _division_names()
    context = {
        "offering": offering, "scenarios": [(c, names.get(c, c)) for c in offering.scenarios],
        "industries": [(c, divisions.get(c[:2], "")) for c in offering.industries],
        "review_form": review_form or OfferingReviewForm(), **_offering_actions(request, offering),
        "in_pool": offering.provider.pool_status in IN_POOL_STATUSES,
    }
    return render(request, "marketplace/offering_detail.html", context, status=status)


def _get_offering(request, offering_id) -> Offering:
    return get_object_or_404(Offering.objects.visible_to(request.user).select_related("provider__organisation", "category"),
                             pk=offering_id)


@page_access(public=True)
def offering_detail(request, offering_id):
    return _offering_page(request, _get_offering(request, offering_id))


def _get_provider(request, provider_uscc) -> ProviderProfile:
    return get_object_or_404(ProviderProfile.objects.visible_to(request.user).select_related("organisation", "town"),
                             organisation__uscc=provider_uscc)


def _provider_page(request, profile: ProviderProfile, sanction_form=None, status=200):
    user = request.user
    own = _is_provider_of(user, profile.pk)
    insider = own or is_officer(user)
    offerings = Offering.objects.visible_to(user).filter(provider=profile).select_related("category")
    if not own and not is_city_wide(user):
        offerings = offerings.filter(status=OfferingStatus.PUBLISHED)
    history = []
    if insider:
        history = list(AuditEntry.objects.visible_to(user).filter(organisation_id=profile.pk,
                                                                  target_type__startswith="marketplace.")[:100])
    allowed = pool.allowed_sanctions(profile)
    return render(request, "marketplace/provider_detail.html", {
        "profile": profile, "offerings": list(offerings), "sanctions": list(profile.sanctions.select_related("by")),
        "own": own, "insider": insider, "history": history, "can_sanction": is_city_wide(user) and bool(allowed),
        "sanction_form": sanction_form or SanctionForm(allowed=allowed),
        "star_range": range(1, 6), "stars": int(profile.stars) if profile.stars is not None else None,
    }, status=status)


@page_access(public=True)
def provider_detail(request, provider_uscc):
    return _provider_page(request, _get_provider(request, provider_uscc))


@require_POST
@page_access(*CITY)
def provider_sanction(request, provider_uscc):
    profile = _get_provider(request, provider_uscc)
    form = SanctionForm(request.POST, allowed=pool.allowed_sanctions(profile))
    if form.is_valid():
        try:
            pool.sanction(request.user, profile, form.cleaned_data["kind"], form.cleaned_data["reason"])
        except pool.PoolError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已记录处理：%(kind)s。") % {"kind": dict(form.fields["kind"].choices)[form.cleaned_data["kind"]]})
            return redirect("marketplace:provider_detail", provider_uscc=provider_uscc)
    return _provider_page(request, profile, sanction_form=form, status=200)


# --- public notice (公示) --------------------------------------------------------------------------------

def _notice_queryset():
    return (PoolApplication.objects.filter(status=ApplicationStatus.NOTICE)
            .select_related("provider__organisation", "provider__town").order_by("notice_end", "pk"))


def _notice_page(request, bad_form=None, bad_id=None, status=200):
    rows = []
    for app in _notice_queryset():
        rows.append({"app": app, "last_day": app.notice_end - dt.timedelta(days=1),
                     "form": bad_form if bad_id == app.pk else ObjectionForm(prefix=f"o{app.pk}")})
    return render(request, "marketplace/pool_notice.html", {
        "rows": rows, "rules": pool.pool_rules(), "today": pool.today()}, status=status)


@page_access(public=True)
def notice(request):
    return _notice_page(request)


@require_POST
@page_access(public=True)
def notice_objection(request, application_id):
    application = get_object_or_404(_notice_queryset(), pk=application_id)
    form = ObjectionForm(request.POST, prefix=f"o{application.pk}")
    if form.is_valid():
        try:
            pool.file_objection(application, form.cleaned_data["text"], form.cleaned_data["contact"],
                                address=request.META.get("REMOTE_ADDR", ""))
        except pool.PoolError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("异议已提交，市工信局将在确认入池前处理。"))
            return redirect("marketplace:notice")
    return _notice_page(request, bad_form=form, bad_id=application.pk)


# --- provider self-service ------------------------------------------------------------------------------

@page_access(Role.PROVIDER)
def provider_home(request):
    profile = _own_profile(request)
    if profile is None:
        org = request.user.organisation
        if org is None or org.kind != OrganisationKind.PROVIDER:
            return render(request, "core/error.html", {"title": _("不是服务商单位"),
                                                       "text": _("您的账号所属组织不是服务商，不能建立服务商档案。")})
        form = ProviderProfileForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                pool.create_profile(request.user, form.cleaned_data)
            except pool.PoolError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("服务商档案已建立，请继续填写入池申请。"))
                return redirect("marketplace:provider_home")
        return render(request, "marketplace/provider_profile_form.html", {"form": form, "org": org, "creating": True,
                                                                           "rules": pool.pool_rules()})
    application = pool.current_application(profile)
    offerings = list(Offering.objects.visible_to(request.user).filter(provider=profile).select_related("category")
                     .order_by("kind", "-updated_at"))
    return render(request, "marketplace/provider_home.html", {
        "profile": profile, "application": application, "offerings": offerings,
        "can_apply": profile.pool_status not in (*IN_POOL_STATUSES, "suspended") and (
            application is None or application.status not in pool.OPEN_STATUSES),
        "in_pool": profile.pool_status in IN_POOL_STATUSES,
        "gaps": pool.application_gaps(application) if application and application.status == ApplicationStatus.DRAFT else [],
        "last_day": application.notice_end - dt.timedelta(days=1) if application and application.notice_end else None,
    })


@page_access(Role.PROVIDER)
def provider_profile(request):
    profile = _own_profile(request)
    if profile is None:
        return redirect("marketplace:provider_home")
    form = ProviderProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        fresh = ProviderProfile.objects.get(pk=profile.pk)
        changes = pool.update_profile(request.user, fresh, form.cleaned_data)
        messages.success(request, _("已保存 %(n)d 项修改。") % {"n": len(changes)} if changes else _("没有需要保存的修改。"))
        return redirect("marketplace:provider_home")
    return render(request, "marketplace/provider_profile_form.html", {"form": form, "org": profile.organisation, "creating": False})


def _draft_application(request):
    profile = _own_profile(request)
    if profile is None:
        return None, None
    application = pool.current_application(profile)
    return profile, application


@page_access(Role.PROVIDER)
def provider_application(request):
    profile, application = _draft_application(request)
    if profile is None:
        return redirect("marketplace:provider_home")
    if application is None or application.status != ApplicationStatus.DRAFT:
        if application is not None:
            return redirect("marketplace:application_detail", application_id=application.pk)
        return redirect("marketplace:provider_home")
    form = ApplicationForm(request.POST or None, initial={
        "qualifications": application.qualifications, "cases": application.cases, "staff": application.staff})
    if request.method == "POST" and form.is_valid():
        try:
            pool.save_application(request.user, application, form.cleaned_data)
        except pool.PoolError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("申请材料已保存。"))
            return redirect("marketplace:provider_application")
    return _application_form_page(request, profile, application, form, DocumentForm())


def _application_form_page(request, profile, application, form, doc_form, status=200):
    return render(request, "marketplace/provider_application.html", {
        "profile": profile, "application": application, "form": form, "doc_form": doc_form,
        "documents": _documents(application), "rules": pool.pool_rules(), "gaps": pool.application_gaps(application),
    }, status=status)


def _documents(application: PoolApplication) -> list:
    kinds = pool.pool_rules().document_kinds
    documents = list(application.documents.order_by("uploaded_at", "pk"))
    for d in documents:
        d.kind_label = kinds.get(d.kind, d.kind)
    return documents


@require_POST
@page_access(Role.PROVIDER)
def provider_application_start(request):
    profile = _own_profile(request)
    if profile is None:
        return redirect("marketplace:provider_home")
    try:
        pool.start_application(request.user, profile)
    except pool.PoolError as exc:
        messages.error(request, str(exc))
        return redirect("marketplace:provider_home")
    return redirect("marketplace:provider_application")


@require_POST
@page_access(Role.PROVIDER)
def provider_document_upload(request):
    profile, application = _draft_application(request)
    if profile is None or application is None or application.status != ApplicationStatus.DRAFT:
        messages.error(request, _("没有可上传材料的申请草稿。"))
        return redirect("marketplace:provider_home")
    doc_form = DocumentForm(request.POST, request.FILES)
    if doc_form.is_valid():
        try:
            pool.add_document(request.user, application, doc_form.cleaned_data["kind"], doc_form.cleaned_data["file"])
        except pool.PoolError as exc:
            doc_form.add_error("file", str(exc))
        else:
            messages.success(request, _("材料已上传。"))
            return redirect("marketplace:provider_application")
    form = ApplicationForm(initial={"qualifications": application.qualifications, "cases": application.cases,
                                    "staff": application.staff})
    return _application_form_page(request, profile, application, form, doc_form)


@require_POST
@page_access(Role.PROVIDER)
def provider_application_submit(request):
    profile, application = _draft_application(request)
    if profile is None or application is None:
        return redirect("marketplace:provider_home")
    try:
        pool.submit_application(request.user, application)
    except pool.PoolError as exc:
        messages.error(request, str(exc))
        return redirect("marketplace:provider_application")
    messages.success(request, _("入池申请已提交，市工信局将组织专家评审。"))
    return redirect("marketplace:application_detail", application_id=application.pk)


def _get_document(request, application_id, pool_document_id):
    application = get_object_or_404(PoolApplication.objects.visible_to(request.user), pk=application_id)
    return get_object_or_404(application.documents.select_related("application__provider"), pk=pool_document_id)


@page_access()
def document_download(request, application_id, pool_document_id):
    doc = _get_document(request, application_id, pool_document_id)
    path = pool.document_path(doc)
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=doc.name)


@require_POST
@page_access(Role.PROVIDER)
def document_delete(request, application_id, pool_document_id):
    doc = _get_document(request, application_id, pool_document_id)
    try:
        pool.delete_document(request.user, doc)
    except pool.PoolError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("材料已删除。"))
    return redirect("marketplace:provider_application")


# --- offerings: provider maintains, city reviews -----------------------------------------------------------

@page_access(Role.PROVIDER)
def offering_create(request):
    profile = _own_profile(request)
    if profile is None:
        messages.error(request, _("请先建立服务商档案。"))
        return redirect("marketplace:provider_home")
    kind = request.GET.get("kind") if request.GET.get("kind") in OfferingKind.values else OfferingKind.PRODUCT
    form = OfferingForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        offering = pool.create_offering(request.user, profile, form.cleaned_data)
        messages.success(request, _("已保存为草稿。提交审核通过后将在目录中公开。"))
        return redirect("marketplace:offering_detail", offering_id=offering.pk)
    return render(request, "marketplace/offering_form.html", {"form": form, "offering": None, "profile": profile})


@page_access()
def offering_edit(request, offering_id):
    offering = _get_offering(request, offering_id)
    if not _offering_actions(request, offering)["can_edit"]:
        messages.error(request, _("只有服务商本单位可以修改，且待审核期间不能修改。"))
        return redirect("marketplace:offering_detail", offering_id=offering.pk)
    form = OfferingForm(request.POST or None, instance=offering)
    if request.method == "POST" and form.is_valid():
        try:
            changes = pool.update_offering(request.user, offering, form.cleaned_data)
        except pool.PoolError as exc:
            form.add_error(None, str(exc))
        else:
            if "status" in changes:
                messages.warning(request, _("已保存为草稿：修改后须重新提交审核，审核通过前不在目录中显示。"))
            else:
                messages.success(request, _("已保存。") if changes else _("没有需要保存的修改。"))
            return redirect("marketplace:offering_detail", offering_id=offering.pk)
    return render(request, "marketplace/offering_form.html", {"form": form, "offering": offering,
                                                              "profile": offering.provider})


@require_POST
@page_access(Role.PROVIDER)
def offering_submit(request, offering_id):
    offering = _get_offering(request, offering_id)
    if not _is_provider_of(request.user, offering.provider_id):
        raise Http404
    try:
        pool.submit_offering(request.user, offering)
    except pool.PoolError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已提交市工信局审核。"))
    return redirect("marketplace:offering_detail", offering_id=offering.pk)


@require_POST
@page_access(Role.PROVIDER, *CITY)
def offering_withdraw(request, offering_id):
    offering = _get_offering(request, offering_id)
    if not _offering_actions(request, offering)["can_withdraw"]:
        raise Http404
    try:
        pool.withdraw_offering(request.user, offering, request.POST.get("note", "")[:2000])
    except pool.PoolError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已下架。"))
    return redirect("marketplace:offering_detail", offering_id=offering.pk)


@require_POST
@page_access(*CITY)
def offering_review(request, offering_id):
    offering = _get_offering(request, offering_id)
    form = OfferingReviewForm(request.POST)
    if form.is_valid():
        try:
            pool.review_offering(request.user, offering, form.cleaned_data["decision"] == "approve", form.cleaned_data["note"])
        except pool.PoolError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("审核结果已保存。"))
            if request.POST.get("next") == "queue":
                return redirect("marketplace:offering_queue")
            return redirect("marketplace:offering_detail", offering_id=offering.pk)
    offering.refresh_from_db()
    return _offering_page(request, offering, review_form=form)


@page_access(*OFFICERS)
def offering_queue(request):
    status = request.GET.get("status") if request.GET.get("status") in OfferingStatus.values else OfferingStatus.PENDING
    queryset = (Offering.objects.visible_to(request.user).filter(status=status)
                .select_related("provider__organisation", "category").order_by("updated_at", "pk"))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(Offering.objects.visible_to(request.user).values_list("status").annotate(n=Count("pk")))
    return render(request, "marketplace/pool_offering_queue.html", {
        "page": page, "status": status, "statuses": [(v, label, counts.get(v, 0)) for v, label in OfferingStatus.choices]})


# --- admission: city and experts ------------------------------------------------------------------------------

@page_access(*OFFICERS)
def pool_overview(request):
    providers = ProviderProfile.objects.visible_to(request.user)
    figures = pool.pool_figures(providers, Offering.objects.visible_to(request.user))
    chart = {"categories": [[c.name, n] for c, n in figures["categories"]],
             "types": [[label, n] for label, _v, n in figures["types"]]}
    recent = (AuditEntry.objects.visible_to(request.user).filter(action__startswith="pool.")
              .exclude(action__in=("pool.apply_edit", "pool.document_add", "pool.document_delete"))[:15])
    return render(request, "marketplace/pool_overview.html", {"figures": figures, "chart": chart, "recent": recent})


@page_access(*OFFICERS)
def application_list(request):
    status = request.GET.get("status", "")
    queryset = (PoolApplication.objects.visible_to(request.user).exclude(status=ApplicationStatus.DRAFT)
                .select_related("provider__organisation", "provider__town")
                .annotate(n_reviews=Count("reviews", distinct=True),
                          n_done=Count("reviews", filter=Q(reviews__submitted_at__isnull=False), distinct=True),
                          n_open=Count("objections", filter=Q(objections__resolved_at__isnull=True), distinct=True)))
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk", distinct=True)))
    if status in ApplicationStatus.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    statuses = [(v, label, counts.get(v, 0)) for v, label in ApplicationStatus.choices if v != ApplicationStatus.DRAFT]
    return render(request, "marketplace/pool_applications.html", {"page": page, "status": status, "statuses": statuses})


@page_access(Role.EXPERT)
def expert_reviews(request):
    reviews = (ExpertReview.objects.filter(expert=request.user, application__in=PoolApplication.objects.visible_to(request.user))
               .select_related("application__provider__organisation").order_by("submitted_at", "-assigned_at"))
    # Project reviews and on-site ratings belong to higher apps: they reach this page through the 待办 registry.
    others = todo.items_for(request, categories={"review"})
    return render(request, "marketplace/pool_reviews.html", {"reviews": reviews, "others": others})


def _get_application(request, application_id) -> PoolApplication:
    return get_object_or_404(
        PoolApplication.objects.visible_to(request.user).select_related("provider__organisation", "provider__town", "decided_by"),
        pk=application_id)


def _application_page(request, application: PoolApplication, status=200, **forms):
    user = request.user
    city = is_city_wide(user)
    own = _is_provider_of(user, application.provider_id)
    reviews = list(application.reviews.select_related("expert").order_by("assigned_at", "pk"))
    my_review = next((r for r in reviews if r.expert_id == user.pk), None) if user.role == Role.EXPERT else None
    objections = list(application.objections.order_by("submitted_at", "pk")) if city else []
    history = []
    if city or own or user.role == Role.TOWN_OFFICER:
        history = list(AuditEntry.objects.filter(target_type="marketplace.poolapplication", target_id=str(application.pk))
                       .order_by("-at", "-pk")[:100])
    review_form = forms.get("review_form")
    if review_form is None and my_review is not None:
        review_form = ReviewForm(initial={"score": my_review.score, "opinion": my_review.opinion})
    assigned = {r.expert_id for r in reviews}
    assign_form = forms.get("assign_form") or AssignForm()
    assign_form.fields["experts"].queryset = assign_form.fields["experts"].queryset.exclude(pk__in=assigned)
    context = {
        "application": application, "profile": application.provider, "city": city, "own": own,
        "reviews": reviews if city else [], "my_review": my_review, "review_form": review_form,
        "documents": _documents(application), "objections": objections, "history": history,
        "assign_form": assign_form, "decision_form": forms.get("decision_form") or DecisionForm(),
        "resolve_forms": {o.pk: (forms.get("resolve_form") if forms.get("resolve_id") == o.pk else
                                 ResolveForm(prefix=f"r{o.pk}")) for o in objections},
        "admit_blockers": pool.admit_blockers(application) if application.status == ApplicationStatus.NOTICE else [],
        "mean": pool.mean_score(reviews), "rules": pool.pool_rules(),
        "all_reviewed": bool(reviews) and all(r.submitted_at for r in reviews),
        "last_day": application.notice_end - dt.timedelta(days=1) if application.notice_end else None,
        "can_withdraw": own and application.status in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED,
                                                       ApplicationStatus.IN_REVIEW),
    }
    return render(request, "marketplace/pool_application.html", context, status=status)


@page_access()
def application_detail(request, application_id):
    return _application_page(request, _get_application(request, application_id))


def _act(request, application, call, success, **kwargs):
    try:
        call()
    except pool.PoolError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("marketplace:application_detail", application_id=application.pk)


@require_POST
@page_access(*CITY)
def application_assign(request, application_id):
    application = _get_application(request, application_id)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            pool.assign_experts(request.user, application, form.cleaned_data["experts"])
        except pool.PoolError as exc:
            form.add_error("experts", str(exc))
        else:
            messages.success(request, _("已分配评审专家。"))
            return redirect("marketplace:application_detail", application_id=application.pk)
    return _application_page(request, application, assign_form=form)


@require_POST
@page_access(Role.EXPERT)
def application_review(request, application_id):
    application = _get_application(request, application_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            pool.submit_review(request.user, application, form.cleaned_data["score"], form.cleaned_data["opinion"])
        except pool.PoolError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("评审意见已提交。"))
            return redirect("marketplace:expert_reviews")
    return _application_page(request, application, review_form=form)


@require_POST
@page_access(*CITY)
def application_decide(request, application_id):
    application = _get_application(request, application_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        to_notice = form.cleaned_data["decision"] == "notice"
        try:
            pool.decide(request.user, application, to_notice, form.cleaned_data["reason"])
        except pool.PoolError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已进入公示。") if to_notice else _("已驳回入池申请。"))
            return redirect("marketplace:application_detail", application_id=application.pk)
    return _application_page(request, application, decision_form=form)


@require_POST
@page_access(*CITY)
def application_resolve(request, application_id):
    application = _get_application(request, application_id)
    try:
        objection_id = int(request.POST.get("objection_id", ""))
    except ValueError as exc:
        raise Http404 from exc
    objection = get_object_or_404(application.objections, pk=objection_id)
    form = ResolveForm(request.POST, prefix=f"r{objection.pk}")
    if form.is_valid():
        try:
            pool.resolve_objection(request.user, objection, form.cleaned_data["upheld"], form.cleaned_data["resolution"])
        except pool.PoolError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("异议处理结果已记录。"))
            return redirect("marketplace:application_detail", application_id=application.pk)
    return _application_page(request, application, resolve_form=form, resolve_id=objection.pk)


@require_POST
@page_access(*CITY)
def application_admit(request, application_id):
    application = _get_application(request, application_id)
    return _act(request, application, lambda: pool.admit(request.user, application),
                _("公示期满，已确认入池。"))


@require_POST
@page_access(Role.PROVIDER)
def application_withdraw(request, application_id):
    application = _get_application(request, application_id)
    return _act(request, application, lambda: pool.withdraw_application(request.user, application),
                _("入池申请已撤回。"))



def register_navigation() -> None:
    from django.utils.translation import gettext_lazy

    from shuzhuan.core import navigation

    navigation.register(gettext_lazy("资源池概况"), "marketplace:pool_overview", roles=OFFICERS, icon="collection", order=35)
    navigation.register(gettext_lazy("入池申请"), "marketplace:applications", roles=OFFICERS, icon="inboxes", order=36)
    navigation.register(gettext_lazy("方案与产品审核"), "marketplace:offering_queue", roles=OFFICERS, icon="check2-square", order=37)
    navigation.register(gettext_lazy("服务商中心"), "marketplace:provider_home", roles={Role.PROVIDER}, icon="person-badge", order=35)
    navigation.register(gettext_lazy("我的评审任务"), "marketplace:expert_reviews", roles={Role.EXPERT}, icon="clipboard-check", order=35)
    navigation.register(gettext_lazy("资源池目录"), "marketplace:catalogue", icon="shop", order=39)
    navigation.register_cards(key_figures)
