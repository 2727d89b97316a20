"""Project pages: the list, the project's page (its hub: contract filing, milestones, documents, the
steps open to the user with the reason when a step is refused), archive download."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhuan.core.access import page_access
from shuzhuan.core.domain import format_yuan
from shuzhuan.core.jobs import private_path
from shuzhuan.core.models import AuditEntry, Role, is_city_wide, is_officer
from shuzhuan.programs import services
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.domain.model import LEVEL_NAMES
from shuzhuan.programs.forms import (
    AssignExpertForm,
    ContractForm,
    DocumentForm,
    ExpertOpinionForm,
    ItemForm,
    MilestoneForm,
    ProjectCreateForm,
    ReasonForm,
    SatisfactionForm,
)
from shuzhuan.programs.models import Listing, Programme, Project

PROJECT_ROLES = wf.PROJECT_ROLES
PAGE_SIZE = 50
SORTS = {"title": "title", "enterprise": "enterprise__organisation__name", "town": "enterprise__town__code",
         "state": "state", "updated": "updated_at", "subsidy": "subsidy_amount", "due": "finish_due"}


def key_figures(request) -> list[dict]:
    user = request.user
    if not is_officer(user):
        return []
    stats = Project.objects.visible_to(user).aggregate(
        active=Count("pk", filter=~Q(state__in=list(wf.FINAL))),
        paid=Sum("subsidy_amount", filter=Q(state=wf.PAID)),
        overdue=Count("pk", filter=Q(pk__in=services.overdue_projects().values("pk"))),
    )
    url = reverse("programs:projects")
    return [
        {"label": _("在办改造项目"), "value": f"{stats['active']:,}", "unit": _("个"), "url": url},
        {"label": _("已兑现补助"), "value": f"{(stats['paid'] or Decimal(0)) / 10000:,.2f}", "unit": _("万元"),
         "url": reverse("programs:dashboard")},
        {"label": _("逾期项目"), "value": f"{stats['overdue']:,}", "unit": _("个"), "url": url + "?overdue=1"},
    ]


def _project(request, project_id: int) -> Project:
    return get_object_or_404(
        Project.objects.visible_to(request.user).select_related(
            "programme", "listing", "enterprise__organisation", "enterprise__town", "provider", "expert", "batch"),
        pk=project_id)


@page_access(*PROJECT_ROLES)
def project_list(request):
    user = request.user
    base = Project.objects.visible_to(user)
    programmes = list(Programme.objects.order_by("-starts_on"))
    chosen = request.GET.get("programme", "")
    state = request.GET.get("state", "")
    q = request.GET.get("q", "").strip()[:100]
    queryset = base
    if chosen:
        queryset = queryset.filter(programme__code=chosen)
    if state in wf.STATES:
        queryset = queryset.filter(state=state)
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(enterprise__organisation__name__icontains=q))
    if request.GET.get("overdue"):
        queryset = services.overdue_projects(queryset)
    sort = request.GET.get("sort", "")
    key = SORTS.get(sort.lstrip("-"))
    order = [f"-{key}" if sort.startswith("-") else key] if key else ["-updated_at"]
    queryset = queryset.select_related("programme", "enterprise__organisation", "enterprise__town", "provider")
    page = Paginator(queryset.order_by(*order, "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(p, p.overdue(today)) for p in page.object_list]
    counts = dict(base.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    can_create = user.role == Role.ENTERPRISE and Listing.objects.visible_to(user).listed().exists()
    return render(request, "programs/project_list.html", {
        "page": page, "rows": rows, "programmes": programmes, "states": wf.STATES, "counts": counts,
        "chosen": chosen, "state": state, "q": q, "can_create": can_create,
    })


@page_access(Role.ENTERPRISE)
def project_create(request):
    listings = (Listing.objects.visible_to(request.user).listed()
                .exclude(projects__state__in=[s for s in wf.STATES if s not in (wf.REJECTED, wf.WITHDRAWN)])
                .select_related("programme", "enterprise"))
    form = ProjectCreateForm(request.POST or None, listings=listings)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(request.user, form.cleaned_data["listing"], form.cleaned_data["title"])
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已创建改造项目，请填写合同备案信息。"))
            return redirect("programs:project", project_id=project.pk)
    return render(request, "programs/project_create.html", {"form": form, "has_listing": listings.exists()})


def _is_owner(user, project: Project) -> bool:
    return user.role == Role.ENTERPRISE and user.organisation_id == project.enterprise_id


@page_access(*PROJECT_ROLES)
def project_detail(request, project_id: int):
    project = _project(request, project_id)
    user = request.user
    cats = services.categories(project.programme)
    try:
        version = services.rules_version(project.programme)
        eligible_codes = set(version.eligible_categories)
    except services.ServiceError:
        version, eligible_codes = None, set()
    items = list(project.items.all())
    eligible_total = sum((i.amount for i in items if i.category in eligible_codes), Decimal("0.00"))
    total = sum((i.amount for i in items), Decimal("0.00"))
    latest = services.latest_documents(project)
    checklist = [(k, latest.get(k.code)) for k in wf.DOCUMENT_KINDS]
    part = wf.editable(project.state, project.returned_to)
    owner = _is_owner(user, project) or is_city_wide(user)
    delivering = owner or (user.role == Role.PROVIDER and user.organisation_id == project.provider_id)
    offers = services.offers(project, user)
    candidate = services.find_post_assessment(project) if project.state == wf.ACCEPTANCE_APPLIED else None
    preview = services.subsidy_preview(project) if project.state == wf.EXPERT_REVIEWED else None
    timeline = (AuditEntry.objects.filter(target_type="programs.project", target_id=str(project.pk))
                .order_by("-at", "-id")[:100])
    today = timezone.localdate()
    sources = {}
    if version is not None:
        sources = {s.code: s.label for s in version.fund_sources}
    context = {
        "project": project, "items": [(i, cats.get(i.category, i.category), i.category in eligible_codes) for i in items],
        "eligible_total": eligible_total, "total": total, "checklist": checklist,
        "milestones": list(project.milestones.all()), "offers": offers, "part": part, "owner": owner,
        "delivering": delivering, "candidate": candidate, "preview": preview, "timeline": timeline,
        "overdue": project.overdue(today),
        "due_soon": wf.due_soon(project.state, today, project.finish_due, project.acceptance_due),
        "opinions": list(project.expert_opinions.select_related("expert")),
        "level_names": LEVEL_NAMES, "by_source": [(sources.get(k, k), Decimal(v)) for k, v in project.subsidy_by_source.items()],
        "satisfaction": getattr(project, "satisfaction", None) if project.state == wf.PAID else None,
        "baseline_label": LEVEL_NAMES[project.baseline_level] if project.baseline_level is not None else _("未评定"),
        "achieved_label": LEVEL_NAMES[project.level_achieved] if project.level_achieved is not None else _("未评定"),
        "document_problems": wf.document_problems({k: d.file_type for k, d in latest.items()}),
        "required_label": LEVEL_NAMES[project.required_level] if project.required_level < len(LEVEL_NAMES) else "",
        "candidate_label": LEVEL_NAMES[candidate.level] if candidate is not None and candidate.level is not None else "",
        "steps": _steps(project),
    }
    if part == "contract" and owner:
        context["contract_form"] = ContractForm(auto_id="contract_%s", providers=services.pool_providers(), initial={
            "title": project.title, "provider": project.provider_id, "contract_no": project.contract_no,
            "contract_amount": project.contract_amount, "signed_on": project.signed_on,
            "payee_bank": project.payee_bank, "payee_account": project.payee_account})
        context["item_form"] = ItemForm(auto_id="item_%s", categories=cats)
    if delivering and (part == "contract" or project.state in (wf.CONTRACT_FILED, wf.IN_PROGRESS)):
        context["milestone_form"] = MilestoneForm(auto_id="ms_%s")
    if part and owner:
        context["document_form"] = DocumentForm(auto_id="doc_%s", initial={"kind": "contract" if part == "contract" else "archive"})
        if part == "contract":
            context["document_form"].fields["kind"].choices = [("contract", wf.DOCUMENTS["contract"].label)]
    if project.state == wf.TOWN_REVIEWED and (is_city_wide(user)):
        context["expert_form"] = AssignExpertForm(auto_id="ex_%s", initial={"expert": project.expert_id})
    if project.state == wf.TOWN_REVIEWED and user.role == Role.EXPERT and project.expert_id == user.pk:
        context["opinion_form"] = ExpertOpinionForm(auto_id="op_%s")
    if project.state == wf.PAID and _is_owner(user, project) and context["satisfaction"] is None and project.provider_id:
        context["rate_form"] = SatisfactionForm(auto_id="rate_%s")
    return render(request, "programs/project_detail.html", context)


def _steps(project: Project) -> list[tuple[str, str, bool]]:
    """The main line of states, each marked as reached or not (dates stay set after a return)."""
    reached = {
        wf.DRAFT: True, wf.CONTRACT_FILED: bool(project.filed_on), wf.IN_PROGRESS: bool(project.started_on),
        wf.COMPLETED: bool(project.completed_on), wf.ACCEPTANCE_APPLIED: bool(project.acceptance_applied_on),
        wf.POST_ASSESSED: bool(project.post_assessment_id), wf.CITY_APPROVED: bool(project.approved_on),
        wf.IN_BATCH: bool(project.batch_id), wf.PAID: bool(project.paid_on),
    }
    current = wf.ORDER.index(project.state) if project.state in wf.ORDER else -1
    return [(code, wf.STATES[code], index <= current or reached.get(code, False))
            for index, code in enumerate(wf.ORDER)]


def _back(project_id: int, anchor: str = ""):
    return redirect(reverse("programs:project", kwargs={"project_id": project_id}) + (f"#{anchor}" if anchor else ""))


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


@require_POST
@page_access(*PROJECT_ROLES)
def project_act(request, project_id: int):
    project = _project(request, project_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(project.pk)
    action = form.cleaned_data["action"]
    if action not in wf.TRANSITIONS or action in ("add_to_batch", "remove_from_batch", "pay", "expert_review"):
        messages.error(request, _("未知的操作"))
        return _back(project.pk)
    if action == "city_approve":
        refusal = _amount_confirmation_refusal(request, services.subsidy_preview(project))
        if refusal:
            messages.error(request, refusal)
            return _back(project.pk)
    try:
        row = services.transition(request.user, project, action, form.cleaned_data["reason"])
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        if action == "city_approve" and row.state != wf.CITY_APPROVED:
            messages.success(request, _("已作第一次确认：补助超过计划设定的限额，需由另一名市级人员确认"))
        else:
            messages.success(request, _("已完成：%(label)s") % {"label": wf.TRANSITIONS[action].label})
    return _back(project.pk)


def _amount_confirmation_refusal(request, preview) -> str | None:
    """A commitment is confirmed with its amount stated (checkbox, and the amount the page showed)."""
    if preview is None:
        return None  # the service refuses with the reason
    if request.POST.get("confirm") != "1":
        return _("请勾选“确认批准补助 %(amount)s 元”后再提交") % {"amount": format_yuan(preview.amount)}
    if request.POST.get("confirm_amount", "") != f"{preview.amount:.2f}":
        return _("补助金额已变为 %(amount)s 元，请重新确认") % {"amount": format_yuan(preview.amount)}
    return None


@require_POST
@page_access(*PROJECT_ROLES)
def project_contract(request, project_id: int):
    project = _project(request, project_id)
    form = ContractForm(request.POST, providers=services.pool_providers())
    if not form.is_valid():
        _form_errors(request, form)
        return _back(project.pk, "contract")
    if not (_is_owner(request.user, project) or is_city_wide(request.user)):
        messages.error(request, _("只有项目所属企业可以修改合同备案信息"))
        return _back(project.pk)
    try:
        services.update_contract(request.user, project, **form.cleaned_data)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已保存合同备案信息。"))
    return _back(project.pk, "contract")


@require_POST
@page_access(*PROJECT_ROLES)
def project_items(request, project_id: int):
    project = _project(request, project_id)
    owner = _is_owner(request.user, project) or is_city_wide(request.user)
    try:
        if not owner:
            raise services.ServiceError(_("只有项目所属企业可以修改投资明细"))
        remove = request.POST.get("remove", "")
        if remove:
            if not remove.isdigit():
                raise services.ServiceError(_("明细不存在"))
            services.remove_item(request.user, project, int(remove))
        else:
            form = ItemForm(request.POST, categories=services.categories(project.programme))
            if not form.is_valid():
                _form_errors(request, form)
                return _back(project.pk, "items")
            d = form.cleaned_data
            services.add_item(request.user, project, d["category"], d["amount"], d["description"])
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return _back(project.pk, "items")


@require_POST
@page_access(*PROJECT_ROLES)
def project_milestones(request, project_id: int):
    project = _project(request, project_id)
    try:
        finish = request.POST.get("finish", "")
        if finish:
            if not finish.isdigit():
                raise services.ServiceError(_("里程碑不存在"))
            services.finish_milestone(request.user, project, int(finish), request.POST.get("note", "")[:300])
        else:
            form = MilestoneForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return _back(project.pk, "milestones")
            services.add_milestone(request.user, project, form.cleaned_data["title"], form.cleaned_data["due_on"])
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return _back(project.pk, "milestones")


@require_POST
@page_access(*PROJECT_ROLES)
def project_upload(request, project_id: int):
    project = _project(request, project_id)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(project.pk, "documents")
    try:
        if not (_is_owner(request.user, project) or is_city_wide(request.user)):
            raise services.ServiceError(_("只有项目所属企业可以上传材料"))
        document = services.upload_document(request.user, project, form.cleaned_data["kind"], form.cleaned_data["file"])
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已上传「%(kind)s」：%(name)s") % {"kind": document.get_kind_display(), "name": document.name})
    return _back(project.pk, "documents")


@page_access(*PROJECT_ROLES)
def project_document(request, project_id: int, document_id: int):
    project = _project(request, project_id)
    document = get_object_or_404(project.documents, pk=document_id)
    path = private_path(document.path)
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=document.name,
                        content_type=services.CONTENT_TYPES.get(document.file_type, "application/octet-stream"))


@require_POST
@page_access(*PROJECT_ROLES)
def project_expert(request, project_id: int):
    project = _project(request, project_id)
    form = AssignExpertForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(project.pk)
    try:
        services.assign_expert(request.user, project, form.cleaned_data["expert"])
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已指派评审专家。"))
    return _back(project.pk)


@require_POST
@page_access(*PROJECT_ROLES)
def project_review(request, project_id: int):
    project = _project(request, project_id)
    form = ExpertOpinionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(project.pk, "review")
    d = form.cleaned_data
    try:
        services.submit_expert_opinion(request.user, project, d["score"], d["recommend"], d["opinion"])
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已提交专家评审意见。"))
    return _back(project.pk)


@require_POST
@page_access(*PROJECT_ROLES)
def project_rate(request, project_id: int):
    project = _project(request, project_id)
    form = SatisfactionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(project.pk, "rate")
    try:
        services.rate_provider(request.user, project, form.cleaned_data["score"], form.cleaned_data["comment"])
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("感谢您的评价。"))
    return _back(project.pk)


@page_access(*PROJECT_ROLES)
def project_archive(request, project_id: int):
    project = _project(request, project_id)
    data = services.archive_zip(project)
    response = HttpResponse(data, content_type="application/zip")
    filename = f"改造项目档案-{project.pk}.zip"
    from urllib.parse import quote as urlquote

    response["Content-Disposition"] = f"attachment; filename=\"project-{project.pk}.zip\"; filename*=UTF-8''{urlquote(filename)}"
    return response
