"""Pages of supply–demand matching: needs, explained recommendations, contact requests (对接), the
funnel, consortia (1+1+N) and chain leaders (链主). Every record is reached through its scope."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhuan.assessment import rules as assessment_rules
from shuzhuan.assessment.results import official_results
from shuzhuan.core.access import CITY, OFFICERS, page_access
from shuzhuan.core.models import OrganisationKind, Role, Town, has_role, is_city_wide
from shuzhuan.marketplace.forms.match import (
    ChainUploadForm,
    ConsortiumForm,
    ConsortiumMembersForm,
    ContactForm,
    ContactUpdateForm,
    NeedFilterForm,
    NeedForm,
)
from shuzhuan.marketplace.models import (
    ChainLink,
    ChainRelation,
    ContactRequest,
    ContactStatus,
    Need,
    NeedStatus,
    Offering,
)
from shuzhuan.marketplace.services import consortia
from shuzhuan.marketplace.services import match as svc
from shuzhuan.registry.models import Enterprise

PAGE_SIZE = 50
ENTERPRISE = Role.ENTERPRISE
PROVIDER = Role.PROVIDER
SEES_ENTERPRISES = (*OFFICERS, ENTERPRISE)  # the roles that see recommendations for an enterprise
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def own_enterprise(request) -> Enterprise:
    ent = Enterprise.objects.visible_to(request.user).select_related("organisation", "town").filter(
        pk=request.user.organisation_id).first()
    if ent is None:
        raise Http404
    return ent


def _enterprise(request, uscc: str) -> Enterprise:
    return get_object_or_404(Enterprise.objects.visible_to(request.user).select_related("organisation", "town", "industry"),
                             organisation__uscc=uscc)


def _need(request, need_id: int) -> Need:
    return get_object_or_404(Need.objects.visible_to(request.user).select_related("enterprise__organisation", "enterprise__town"),
                             pk=need_id)


def _basis(recs: svc.Recommendations) -> dict:
    """What the recommendations were computed from, with names, for the page."""
    names = svc.scenario_names()
    facts = recs.facts
    level = ""
    if recs.assessment is not None:
        level = svc.matcher(with_industry_names=False).level_names.get(facts.level or 0, "")
    gaps = facts.gaps
    return {
        "level": level,
        "mandatory": [(c, names.get(c, "")) for c in (gaps.mandatory if gaps else ())],
        "optional": [(c, names.get(c, "")) for c in (gaps.optional if gaps else ())],
        "need": [(c, names.get(c, "")) for c in sorted(facts.need_scenarios)],
        "default_budget": recs.weights.default_budget(facts.size_class, facts.revenue) if facts.budget is None else None,
    }


HIDDEN = "hidden"


def level_cell(pk: int, levels: dict, visible: set) -> int | str | None:
    """A member's level for the page: hidden unless the user may see that enterprise."""
    return levels.get(pk) if pk in visible else HIDDEN


def _can_ask(request, ent: Enterprise) -> bool:
    return request.user.role == ENTERPRISE and request.user.organisation_id == ent.pk


# --- needs ------------------------------------------------------------------------------------------
@page_access(*OFFICERS, ENTERPRISE, PROVIDER)
def need_list(request):
    needs = Need.objects.visible_to(request.user).select_related("enterprise__organisation", "enterprise__town")
    form = NeedFilterForm(request.GET or None, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        if d.get("town"):
            needs = needs.filter(enterprise__town=d["town"])
        if d.get("status"):
            needs = needs.filter(status=d["status"])
        if d.get("source"):
            needs = needs.filter(source=d["source"])
        if d.get("scenario"):
            needs = needs.filter(scenarios__icontains=f'"{d["scenario"]}"')
    needs = needs.annotate(n_requests=Count("contact_requests")).order_by("-created_at", "-pk")
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "is_enterprise": request.user.role == ENTERPRISE}
    return render(request, "marketplace/need_list.html", context)


@page_access(ENTERPRISE)
def need_create(request):
    ent = own_enterprise(request)
    form = NeedForm(request.POST or None)
    suggestions = []
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        if request.POST.get("action") == "publish":
            need = svc.create_need(request.user, ent, text, form.cleaned_data["scenarios"], form.budget_yuan())
            messages.success(request, _("需求已发布，下面是为这条需求推荐的方案与产品。"))
            return redirect("marketplace:need_detail", need_id=need.pk)
        suggestions = svc.classify(text)
        if not suggestions:
            messages.info(request, _("暂未识别出业务场景：可多写几句现在的做法和问题，或在下方手动选择场景后发布。"))
        if not form.cleaned_data["scenarios"]:
            data = request.POST.copy()
            data.setlist("scenarios", [s["code"] for s in suggestions])
            form = NeedForm(data)
            form.is_valid()
    elif request.method == "POST" and form.data.get("text", "").strip():
        suggestions = svc.classify(form.data["text"][:2000])
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "marketplace/need_form.html", {"form": form, "ent": ent, "suggestions": suggestions,
                                                          "step2": bool(suggestions) and not form.errors}, status=status)


@page_access(ENTERPRISE)
@require_POST
def need_suggest(request):
    """HTMX: the classifier's reading of the text typed so far."""
    text = request.POST.get("text", "")[:2000]
    suggestions = svc.classify(text) if text.strip() else []
    return render(request, "marketplace/need_suggestions.html", {"suggestions": suggestions, "live": True})


@page_access(ENTERPRISE)
@require_POST
def need_derive(request):
    ent = own_enterprise(request)
    try:
        created, summary = svc.derive_needs(request.user, ent)
    except svc.MatchError as exc:
        messages.error(request, str(exc))
        return redirect("marketplace:need_list")
    if created:
        messages.success(request, _("已根据诊断差距生成 %(n)d 条需求。%(summary)s") % {"n": len(created), "summary": summary})
    else:
        messages.info(request, _("诊断差距对应的需求都已存在，没有新增。"))
    return redirect("marketplace:need_list")


@page_access(*OFFICERS, ENTERPRISE, PROVIDER)
def need_detail(request, need_id: int):
    need = _need(request, need_id)
    contacts = ContactRequest.objects.visible_to(request.user).filter(need=need).select_related(
        "provider__organisation", "offering")
    recs = None
    if has_role(request.user, SEES_ENTERPRISES):
        if need.status in svc.OPEN_NEED_STATUSES:
            recs = svc.recommend(need.enterprise, need)
    asked = {c.offering_id for c in contacts if c.status in svc.ACTIVE_CONTACT}
    names = svc.scenario_names()
    context = {"need": need, "contacts": contacts, "recs": recs, "asked": asked,
               "need_scenarios": [(c, names.get(c, "")) for c in need.scenarios or ()],
               "basis": _basis(recs) if recs else None,
               "can_ask": _can_ask(request, need.enterprise), "ent": need.enterprise,
               "can_close": request.user.role != PROVIDER and need.status != NeedStatus.CLOSED}
    return render(request, "marketplace/need_detail.html", context)


@page_access(*OFFICERS, ENTERPRISE)
@require_POST
def need_close(request, need_id: int):
    need = _need(request, need_id)
    svc.close_need(request.user, need)
    messages.success(request, _("需求已关闭。"))
    return redirect("marketplace:need_detail", need_id=need.pk)


# --- recommendations ----------------------------------------------------------------------------------
@page_access(ENTERPRISE)
def my_recommendations(request):
    return redirect("marketplace:recommendations", uscc=own_enterprise(request).uscc)


@page_access(*SEES_ENTERPRISES)
def recommendations(request, uscc: str):
    ent = _enterprise(request, uscc)
    recs = svc.recommend(ent)
    asked = set(ContactRequest.objects.filter(enterprise=ent, status__in=svc.ACTIVE_CONTACT).values_list("offering_id", flat=True))
    needs = svc.open_needs(ent)
    context = {"ent": ent, "recs": recs, "asked": asked, "needs": needs, "basis": _basis(recs),
               "can_ask": _can_ask(request, ent)}
    return render(request, "marketplace/recommend.html", context)


# --- contact requests -----------------------------------------------------------------------------------
@page_access(ENTERPRISE)
@require_POST
def contact_create(request):
    ent = own_enterprise(request)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效：请从推荐列表中选择产品后再发起对接。"))
        return redirect("marketplace:need_list")
    offering = get_object_or_404(Offering.objects.public().select_related("provider__organisation"), pk=form.cleaned_data["offering"])
    need = None
    if form.cleaned_data.get("need"):
        need = get_object_or_404(Need.objects.visible_to(request.user).filter(enterprise=ent), pk=form.cleaned_data["need"])
    contact, created = svc.request_contact(request.user, ent, offering, need, form.cleaned_data.get("message", ""))
    if created:
        messages.success(request, _("已请 %(p)s 联系您，对方会在“对接请求”中看到。") % {"p": offering.provider.organisation.name})
    else:
        messages.info(request, _("您已向该服务商发起过对接，正在等待对方联系。"))
    if need is not None:
        return redirect("marketplace:need_detail", need_id=need.pk)
    return redirect("marketplace:contact_detail", contact_id=contact.pk)


@page_access(*OFFICERS, ENTERPRISE, PROVIDER)
def contact_list(request):
    contacts = ContactRequest.objects.visible_to(request.user).select_related(
        "enterprise__organisation", "enterprise__town", "provider__organisation", "offering", "need")
    status = request.GET.get("status", "")
    if status in ContactStatus.values:
        contacts = contacts.filter(status=status)
    counts = dict(ContactRequest.objects.visible_to(request.user).values_list("status").annotate(n=Count("pk")).order_by())
    page = Paginator(contacts.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "marketplace/contact_list.html", {
        "page": page, "status": status, "statuses": [(v, lbl, counts.get(v, 0)) for v, lbl in ContactStatus.choices],
        "is_provider": request.user.role == PROVIDER,
    })


@page_access(*OFFICERS, ENTERPRISE, PROVIDER)
def contact_detail(request, contact_id: int):
    contact = get_object_or_404(ContactRequest.objects.visible_to(request.user).select_related(
        "enterprise__organisation", "enterprise__town", "provider__organisation", "offering", "need"), pk=contact_id)
    can_update = request.user.role == PROVIDER and contact.provider_id == request.user.organisation_id \
        and bool(svc.TRANSITIONS.get(contact.status))
    allowed = svc.TRANSITIONS.get(contact.status, ())
    form = ContactUpdateForm(request.POST or None, allowed=allowed) if can_update else None
    if request.method == "POST":
        if form is None:
            return HttpResponse(_("只有被请求的服务商可以更新对接进展。"), status=403)
        if form.is_valid():
            try:
                svc.update_contact(request.user, contact, form.cleaned_data["status"], form.cleaned_data["outcome"])
            except svc.MatchError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("对接进展已更新。"))
            return redirect("marketplace:contact_detail", contact_id=contact.pk)
    from shuzhuan.core.models import AuditEntry

    history = AuditEntry.objects.filter(target_type=ContactRequest._meta.label_lower, target_id=str(contact.pk)).order_by("at", "id")
    status = 400 if form is not None and form.errors else 200
    return render(request, "marketplace/contact_detail.html", {"c": contact, "form": form, "history": history}, status=status)


# --- the funnel ---------------------------------------------------------------------------------------------
def _funnel_needs(request):
    needs = Need.objects.visible_to(request.user)
    town = None
    if request.user.role != Role.TOWN_OFFICER and request.GET.get("town"):
        town = Town.objects.filter(short_name=request.GET["town"]).first()
        if town is not None:
            needs = needs.filter(enterprise__town=town)
    return needs, town


@page_access(*OFFICERS)
def funnel(request):
    needs, town = _funnel_needs(request)
    f = svc.funnel(needs)
    chart = {"stages": [lbl for _k, lbl in svc.FUNNEL_STAGES], "values": f.total.values,
             "towns": [r.label for r in f.by_town], "town_values": [r.values for r in f.by_town]}
    towns = Town.objects.all() if request.user.role != Role.TOWN_OFFICER else []
    return render(request, "marketplace/match_funnel.html", {"f": f, "chart": chart, "towns": towns, "town": town,
                                                              "stages": svc.FUNNEL_STAGES})


@page_access(*OFFICERS)
def funnel_export(request):
    needs, _town = _funnel_needs(request)
    path = Path(tempfile.mkdtemp()) / "funnel.xlsx"
    svc.funnel_workbook(svc.funnel(needs), path)
    return FileResponse(path.open("rb"), as_attachment=True, filename="供需对接漏斗.xlsx", content_type=XLSX_TYPE)


# --- consortia -------------------------------------------------------------------------------------------------
@page_access(*OFFICERS, ENTERPRISE, PROVIDER)
def consortium_list(request):
    items = svc.consortia_for(request.user).select_related("traction_unit", "lead_provider__organisation").annotate(
        n_enterprises=Count("members", filter=Q(members__kind=OrganisationKind.ENTERPRISE), distinct=True),
        n_providers=Count("members", filter=Q(members__kind=OrganisationKind.PROVIDER), distinct=True),
        n_offerings=Count("offerings", distinct=True),
    ).order_by("name", "pk")
    return render(request, "marketplace/consortium_list.html", {"items": items, "manages": is_city_wide(request.user)})


@page_access(*OFFICERS, ENTERPRISE, PROVIDER)
def consortium_detail(request, consortium_id: int):
    c = get_object_or_404(svc.consortia_for(request.user).select_related(
        "traction_unit", "lead_provider__organisation", "lead_provider__town"), pk=consortium_id)
    members = list(c.members.select_related("enterprise__town", "enterprise__industry", "provider_profile__town")
                   .order_by("kind", "name"))
    enterprise_ids = [m.pk for m in members if m.kind == OrganisationKind.ENTERPRISE]
    visible = set(Enterprise.objects.visible_to(request.user).filter(pk__in=enterprise_ids).values_list("pk", flat=True))
    if request.user.role == Role.TOWN_OFFICER and not is_city_wide(request.user):
        # every figure scoped as the rows are: a town officer sees its own member firms, their count and
        # their progress (the chart), not the consortium's city-wide totals (members see the whole list)
        members = [m for m in members if m.kind != OrganisationKind.ENTERPRISE or m.pk in visible]
        enterprise_ids = [pk for pk in enterprise_ids if pk in visible]
    prog = svc.group_progress(enterprise_ids)
    catalogue = list(Offering.objects.visible_to(request.user).filter(consortia=c).select_related("provider__organisation")
                     .order_by("kind", "product_type", "name"))
    by_type: dict[str, int] = {}
    for o in catalogue:
        key = o.get_product_type_display() if o.product_type else o.get_kind_display()
        by_type[key] = by_type.get(key, 0) + 1
    manages = is_city_wide(request.user)
    return render(request, "marketplace/consortium_detail.html", {
        "c": c, "member_rows": [(m, level_cell(m.pk, prog.levels, visible)) for m in members], "prog": prog, "catalogue": catalogue, "by_type": by_type,
        "n_enterprises": len(enterprise_ids), "n_providers": len(members) - len(enterprise_ids),
        "manages": manages, "member_form": ConsortiumMembersForm() if manages else None,
        "fixed_members": {c.traction_unit_id, c.lead_provider_id},
        "history": consortia.history(c)[:20] if manages else [],
    })


def _consortium(request, consortium_id: int):
    return get_object_or_404(svc.consortia_for(request.user), pk=consortium_id)


@page_access(*CITY)
def consortium_create(request):
    return _consortium_form(request, None)


@page_access(*CITY)
def consortium_edit(request, consortium_id: int):
    return _consortium_form(request, _consortium(request, consortium_id))


def _consortium_form(request, c):
    initial = None if c is None else {
        "name": c.name, "sector": c.sector, "traction_uscc": c.traction_unit.uscc, "lead_provider": c.lead_provider_id,
        "description": c.description}
    form = ConsortiumForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = consortia.save_consortium(request.user, c, form.values())
        messages.success(request, _("已建立“%(name)s”：请添加成员企业和服务商，并选定产品与服务目录。") % {"name": saved.name}
                         if c is None else _("已保存。"))
        return redirect("marketplace:consortium_detail", consortium_id=saved.pk)
    return render(request, "marketplace/consortium_form.html", {"form": form, "c": c},
                  status=400 if form.errors else 200)


@page_access(*CITY)
@require_POST
def consortium_members(request, consortium_id: int):
    """Add members from pasted codes, or remove one (`remove` = its id)."""
    c = _consortium(request, consortium_id)
    if "remove" in request.POST:
        try:
            org = consortia.remove_member(request.user, c, int(request.POST["remove"]))
        except consortia.MemberRemovalError as exc:
            messages.error(request, str(exc))
        except ValueError:
            messages.error(request, _("无法识别要移出的成员"))
        else:
            messages.success(request, _("已将“%(name)s”移出联合体。") % {"name": org.name})
        return redirect(reverse("marketplace:consortium_detail", args=[c.pk]) + "#members")
    form = ConsortiumMembersForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("codes", []):
            messages.error(request, error)
        return redirect(reverse("marketplace:consortium_detail", args=[c.pk]) + "#members")
    result = consortia.add_members(request.user, c, form.cleaned_data["codes"])
    if result.added:
        messages.success(request, _("已添加 %(n)d 家成员。") % {"n": len(result.added)})
    problems = []
    if result.already:
        problems.append(_("已是成员：%(names)s") % {"names": "、".join(o.name for o in result.already[:10])})
    if result.not_found:
        problems.append(_("平台上未登记：%(codes)s") % {"codes": "、".join(result.not_found[:10])})
    if result.invalid:
        problems.append(_("代码有误：%(codes)s") % {"codes": "、".join(x[:24] for x in result.invalid[:10])})
    if result.wrong_kind:
        problems.append(_("只能添加企业或服务商：%(names)s") % {"names": "、".join(o.name for o in result.wrong_kind[:10])})
    if problems:
        (messages.warning if result.added else messages.error)(request, "；".join(problems))
    return redirect(reverse("marketplace:consortium_detail", args=[c.pk]) + "#members")


@page_access(*CITY)
def consortium_catalogue(request, consortium_id: int):
    c = _consortium(request, consortium_id)
    candidates = list(consortia.catalogue_candidates(c))
    if request.method == "POST":
        ids = []
        for raw in request.POST.getlist("offering"):
            try:
                ids.append(int(raw))
            except ValueError:
                continue
        added, removed = consortia.set_catalogue(request.user, c, ids)
        messages.success(request, _("目录已保存：新增 %(a)d 项，移除 %(r)d 项。") % {"a": added, "r": removed})
        return redirect(reverse("marketplace:consortium_detail", args=[c.pk]) + "#catalogue")
    chosen = set(c.offerings.values_list("pk", flat=True))
    stale = c.offerings.exclude(pk__in=[o.pk for o in candidates]).select_related("provider__organisation").order_by("name")
    return render(request, "marketplace/consortium_catalogue.html", {"c": c, "candidates": candidates, "chosen": chosen,
                                                                      "stale": list(stale)})


# --- chain leaders -------------------------------------------------------------------------------------------------
@page_access(*OFFICERS, ENTERPRISE)
def chain_list(request):
    add_value = request.GET.get("add", "").strip()[:40]
    add_error = ""
    if add_value:
        found = Enterprise.objects.visible_to(request.user).filter(organisation__uscc=add_value.upper()).first()
        if found is not None:
            return redirect("marketplace:chain_import", uscc=found.uscc)
        add_error = _("企业库中（您的管辖范围内）没有这个统一社会信用代码")
    leaders = svc.chain_leaders_for(request.user).select_related("organisation", "town", "industry").annotate(
        n_suppliers=Count("chain_links", filter=Q(chain_links__relation=ChainRelation.SUPPLIER)),
        n_customers=Count("chain_links", filter=Q(chain_links__relation=ChainRelation.CUSTOMER)),
    ).order_by("-n_suppliers", "organisation__name")
    page = Paginator(leaders, PAGE_SIZE).get_page(request.GET.get("page"))
    # 以大带小 at a glance: of each leader's partners in the registry, how many have an official result, at the
    # pilot's target level (二级+, assessment/data/rules/statistics.yaml)
    via = "enterprise__chain_memberships__leader"
    reached = {leader: (n, n2) for leader, n, n2 in official_results().filter(
        enterprise__chain_memberships__leader__in=[e.pk for e in page.object_list]).values(via).annotate(
        n=Count("enterprise", distinct=True),
        n2=Count("enterprise", filter=Q(level__gte=assessment_rules.rules().target_level), distinct=True),
    ).values_list(via, "n", "n2").order_by()}
    for leader in page.object_list:
        leader.n_assessed, leader.n_level2 = reached.get(leader.pk, (0, 0))
    return render(request, "marketplace/chain_list.html", {"page": page, "add_value": add_value, "add_error": add_error})


@page_access(*OFFICERS, ENTERPRISE)
def chain_detail(request, uscc: str):
    leader = _enterprise(request, uscc)
    links = ChainLink.objects.filter(leader=leader).select_related("partner__town").order_by("relation", "partner_name", "pk")
    partner_ids = list(links.exclude(partner__isnull=True).values_list("partner_id", flat=True))
    prog = svc.group_progress(partner_ids)
    visible = set(Enterprise.objects.visible_to(request.user).filter(pk__in=partner_ids).values_list("pk", flat=True))
    relation = request.GET.get("relation", "")
    shown = links.filter(relation=relation) if relation in ChainRelation.values else links
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(links.values_list("relation").annotate(n=Count("pk")).order_by())
    return render(request, "marketplace/chain_detail.html", {
        "leader": leader, "prog": prog, "page": page, "relation": relation,
        "rows": [(link, level_cell(link.partner_id, prog.levels, visible)) for link in page.object_list],
        "counts": counts, "total": sum(counts.values()), "in_registry": len(partner_ids),
        "can_import": svc.may_import_chain(request.user, leader), "form": ChainUploadForm(),
    })


@page_access(*OFFICERS, ENTERPRISE)
def chain_import(request, uscc: str):
    from shuzhuan.registry.imports.readers import ImportFileError

    leader = _enterprise(request, uscc)
    if not svc.may_import_chain(request.user, leader):
        messages.error(request, _("链主企业由镇街或市工业和信息化局认定；认定后可在此维护上下游名单。"))
        return redirect("marketplace:chain_detail", uscc=leader.uscc)
    form = ChainUploadForm(request.POST or None, request.FILES or None)
    report, errors_job = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        folder = Path(tempfile.mkdtemp(prefix="chain-"))
        path = folder / f"{uuid.uuid4().hex}{Path(upload.name.lower()).suffix}"
        with path.open("wb") as out:
            for piece in upload.chunks():
                out.write(piece)
        try:
            parsed = svc.read_chain_file(path)
            report = parsed.report()
            if parsed.errors:
                errors_job = svc.annotated_chain_errors(request.user, leader, path, parsed)
        except ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            if parsed.errors:
                messages.error(request, _("文件有 %(n)d 处错误，未导入任何数据：请修正后重新上传。") % {"n": len(parsed.errors)})
            else:
                flagged = leader.chain_leader
                counts = svc.save_chain_links(request.user, leader, parsed.rows, form.cleaned_data["replace"])
                messages.success(request, _("已导入：新增 %(c)d，更新 %(u)d，移除 %(r)d；其中 %(i)d 家已在企业库。") % {
                    "c": counts["created"], "u": counts["updated"], "r": counts["removed"], "i": counts["in_registry"]})
                if not flagged:
                    messages.info(request, _("已在企业库中将该企业标记为链主企业（记入档案变更历史）。"))
                return redirect("marketplace:chain_detail", uscc=leader.uscc)
        finally:
            path.unlink(missing_ok=True)
            folder.rmdir()
    status = 400 if request.method == "POST" and (form.errors or report) else 200
    return render(request, "marketplace/chain_import.html", {
        "leader": leader, "form": form, "result": report or {}, "errors_shown": len((report or {}).get("errors", [])),
        "errors_job": errors_job,
    }, status=status)


@page_access(*OFFICERS, ENTERPRISE)
def chain_template(request):
    response = HttpResponse(svc.chain_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E9%93%BE%E4%B8%BB%E4%B8%8A%E4%B8%8B%E6%B8%B8%E5%90%8D%E5%8D%95.xlsx"
    return response


# --- menu and home cards ---------------------------------------------------------------------------------------------
def key_figures(request) -> list[dict]:
    user = request.user
    if user.role == ENTERPRISE and user.organisation_id:
        n = Need.objects.visible_to(user).filter(status__in=svc.OPEN_NEED_STATUSES).count()
        return [{"label": _("在对接的需求"), "value": str(n), "unit": _("条"), "url": reverse("marketplace:need_list")}]
    if user.role == PROVIDER and user.organisation_id:
        n = ContactRequest.objects.visible_to(user).filter(status=ContactStatus.REQUESTED).count()
        return [{"label": _("待联系的对接请求"), "value": str(n), "unit": _("条"),
                 "url": reverse("marketplace:contact_list") + "?status=requested"}]
    if is_city_wide(user):
        # One definition with the needs list: 待对接 is the status of that name, and the card opens that filter.
        n = Need.objects.filter(status=NeedStatus.OPEN).count()
        return [{"label": _("待对接需求"), "value": f"{n:,}", "unit": _("条"),
                 "url": reverse("marketplace:need_list") + f"?status={NeedStatus.OPEN}"}]
    return []


def register_navigation() -> None:
    from django.utils.translation import gettext_lazy

    from shuzhuan.core import navigation

    navigation.register(gettext_lazy("我的需求"), "marketplace:need_list", roles={ENTERPRISE}, icon="chat-square-text", order=40)
    navigation.register(gettext_lazy("推荐方案"), "marketplace:my_recommendations", roles={ENTERPRISE}, icon="stars", order=41)
    navigation.register(gettext_lazy("对接记录"), "marketplace:contact_list", roles={ENTERPRISE}, icon="telephone", order=42)
    navigation.register(gettext_lazy("对接请求"), "marketplace:contact_list", roles={PROVIDER}, icon="telephone-inbound", order=40)
    navigation.register(gettext_lazy("企业需求"), "marketplace:need_list", roles=OFFICERS, icon="chat-square-text", order=40)
    navigation.register(gettext_lazy("供需对接漏斗"), "marketplace:funnel", roles=OFFICERS, icon="funnel", order=41)
    navigation.register(gettext_lazy("产业生态联合体"), "marketplace:consortium_list", roles={*OFFICERS, ENTERPRISE, PROVIDER},
                        icon="diagram-3", order=45)
    navigation.register(gettext_lazy("链主企业"), "marketplace:chain_list", roles=OFFICERS, icon="link-45deg", order=46)
    navigation.register_cards(key_figures)
