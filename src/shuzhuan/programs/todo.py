"""The programmes' part of the 待办 queue (core.todo): project steps by role, pilot-list reviews, payout batches."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shuzhuan.core.models import Role, is_city_wide
from shuzhuan.core.todo import LIMIT, TodoItem
from shuzhuan.programs.domain import workflow as wf

# What each role does next, by project state: (kind, note). Deadlines come from the project.
_ENTERPRISE_STEPS = {
    wf.DRAFT: (_l("项目待备案"), _l("填写投资明细、上传合同后提交合同备案")),
    wf.CONTRACT_FILED: (_l("项目待开工"), _l("与服务商确认开始实施")),
    wf.IN_PROGRESS: (_l("项目实施中"), _l("完成里程碑后确认改造完成")),
    wf.COMPLETED: (_l("项目待申请验收"), _l("上传验收材料并申请验收")),
    wf.RETURNED: (_l("项目被退回"), _l("按退回原因修改后重新提交")),
}
_PROVIDER_STEPS = {
    wf.CONTRACT_FILED: (_l("项目待开工"), _l("与企业确认开始实施")),
    wf.IN_PROGRESS: (_l("项目实施中"), _l("完成里程碑后确认改造完成")),
}
_TOWN_STEPS = {
    wf.ACCEPTANCE_APPLIED: (_l("项目待核验"), _l("核验改造后现场评定")),
    wf.POST_ASSESSED: (_l("项目镇街初审"), _l("初审验收材料与评定结果")),
}
_CITY_STEPS = {
    wf.ACCEPTANCE_APPLIED: (_l("项目待核验"), _l("核验改造后现场评定")),
    wf.EXPERT_REVIEWED: (_l("项目待审定"), _l("专家已评审，待市级审定与奖补核定")),
    wf.CITY_APPROVED: (_l("项目待列入批次"), _l("已审定，待列入兑现批次")),
}


def _due(project):
    if project.state in (wf.DRAFT, wf.CONTRACT_FILED, wf.IN_PROGRESS):
        return project.finish_due
    if project.state == wf.COMPLETED:
        return project.acceptance_due
    return None


def _project_items(queryset, steps: dict) -> list[TodoItem]:
    from shuzhuan.programs.models import Project, ProjectDocument

    items = []
    rows = list(queryset.filter(state__in=list(steps)).select_related("enterprise__organisation")
                .order_by("updated_at", "pk")[: LIMIT * len(steps)])
    # the documents still missing for acceptance, for projects that are to apply for it (one query)
    uploaded: dict[int, dict[str, str]] = {}
    completed = [p.pk for p in rows if p.state == wf.COMPLETED]
    if completed and wf.COMPLETED in steps:
        for project_id, kind, file_type in (ProjectDocument.objects.filter(project_id__in=completed)
                                            .order_by("uploaded_at", "pk").values_list("project_id", "kind", "file_type")):
            uploaded.setdefault(project_id, {})[kind] = file_type
    for project in rows:
        assert isinstance(project, Project)
        kind, note = steps[project.state]
        if project.state == wf.RETURNED and project.return_reason:
            note = _("退回原因：%(r)s") % {"r": project.return_reason[:60]}
        elif project.state == wf.COMPLETED and project.pk in completed:
            problems = wf.document_problems(uploaded.get(project.pk, {}))
            if problems:
                note = _("验收材料：%(p)s") % {"p": "；".join(problems[:3]) + ("…" if len(problems) > 3 else "")}
        items.append(TodoItem(str(kind), project.title, reverse("programs:project", args=[project.pk]),
                              since=project.updated_at, due=_due(project), note=str(note)))
    return items


def project_reviews_for(user) -> list[TodoItem]:
    """An expert's project reviews: assigned projects that passed the town's first review."""
    from shuzhuan.programs.models import Project

    rows = (Project.objects.visible_to(user).filter(expert=user, state=wf.TOWN_REVIEWED)
            .select_related("enterprise__organisation").order_by("updated_at", "pk")[:LIMIT])
    return [TodoItem(_("项目评审"), p.title, reverse("programs:project", args=[p.pk]), since=p.updated_at,
                     note=p.enterprise.organisation.name, category="review") for p in rows]


def todo(request):
    from django.db.models import Count, Min

    from shuzhuan.programs.models import Listing, PayoutBatch, Project
    from shuzhuan.programs.services import overdue_projects

    user = request.user
    projects = Project.objects.visible_to(user)
    items: list[TodoItem] = []
    if user.role == Role.EXPERT:
        items += project_reviews_for(user)
    elif user.role == Role.ENTERPRISE:
        items += _project_items(projects, _ENTERPRISE_STEPS)
    elif user.role == Role.PROVIDER:
        items += _project_items(projects, _PROVIDER_STEPS)
    elif user.role == Role.TOWN_OFFICER:
        items += _project_items(projects, _TOWN_STEPS)
        waiting = Listing.objects.visible_to(user).filter(status__in=[wf.LISTING_APPLIED, wf.LISTING_PROPOSED])
        summary = waiting.aggregate(n=Count("pk"), since=Min("created_at"))
        if summary["n"]:
            items.append(TodoItem(_("试点入库初审"), _("%(n)d 家企业待镇街初审") % {"n": summary["n"]},
                                  reverse("programs:pool") + f"?status={wf.LISTING_APPLIED}", since=summary["since"]))
    if is_city_wide(user):
        items += _project_items(projects, _CITY_STEPS)
        no_expert = (projects.filter(state=wf.TOWN_REVIEWED, expert__isnull=True)
                     .select_related("enterprise__organisation").order_by("updated_at", "pk")[:LIMIT])
        items += [TodoItem(_("待指派专家"), p.title, reverse("programs:project", args=[p.pk]), since=p.updated_at,
                           note=_("镇街初审已通过，请指派评审专家")) for p in no_expert]
        waiting = Listing.objects.visible_to(user).filter(status=wf.LISTING_TOWN_APPROVED)
        summary = waiting.aggregate(n=Count("pk"), since=Min("town_reviewed_at"))
        if summary["n"]:
            items.append(TodoItem(_("试点入库审定"), _("%(n)d 家企业待市级审定") % {"n": summary["n"]},
                                  reverse("programs:pool") + f"?status={wf.LISTING_TOWN_APPROVED}",
                                  since=summary["since"]))
        for batch in (PayoutBatch.objects.exclude(status=wf.BATCH_PAID).order_by("month", "number")[:LIMIT]):
            items.append(TodoItem(_("兑现批次"), _("%(m)s 第 %(n)d 批") % {"m": batch.month.strftime("%Y-%m"),
                                                                      "n": batch.number},
                                  reverse("programs:batch", args=[batch.pk]), since=batch.created_at,
                                  note=_("待%(action)s") % {"action": wf.BATCH_ACTIONS.get(batch.status, "")}))
    if user.role in (Role.TOWN_OFFICER, Role.CITY_OFFICER, Role.ADMIN) or user.is_superuser:
        late = overdue_projects(projects)
        n = late.count()
        if n:
            first = late.aggregate(due=Min("finish_due"))["due"]
            items.append(TodoItem(_("逾期项目"), _("%(n)d 个项目已过期限") % {"n": n},
                                  reverse("programs:projects") + "?overdue=1", due=first,
                                  since=first or timezone.localdate(), note=_("督促企业完成改造或申请验收")))
    return items


def project_references(ids: list[str]) -> dict[str, tuple[str, str]]:
    """The funds ledger's `project:<id>` references as the projects' titles and pages."""
    from shuzhuan.programs.models import Project

    wanted = [int(i) for i in ids if i.isdigit()]
    return {str(pk): (_("项目「%(t)s」") % {"t": title}, reverse("programs:project", args=[pk]))
            for pk, title in Project.objects.filter(pk__in=wanted).values_list("pk", "title")}
