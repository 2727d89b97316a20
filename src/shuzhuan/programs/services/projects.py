"""Project set-up while editable: the contract filing, investment items and milestones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shuzhuan.core import audit
from shuzhuan.core.domain import format_yuan
from shuzhuan.core.models import Organisation
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import (
    InvestmentItem,
    Listing,
    Milestone,
    Project,
)
from shuzhuan.programs.services.common import ServiceError, _role, _today
from shuzhuan.programs.services.rules import categories


def provider_in_pool(org_id: int | None) -> bool:
    from shuzhuan.marketplace.services import pool

    return pool.provider_in_pool(org_id)


def pool_providers():
    from shuzhuan.marketplace.services import pool

    return pool.pool_organisations()


@transaction.atomic
def create_project(actor: Any, listing: Listing, title: str, provider: Organisation | None = None, **fields: Any) -> Project:
    """A draft project for a listed enterprise (one open project per listing)."""
    if listing.status != wf.LISTING_LISTED:
        raise ServiceError(gettext("企业尚未列入试点企业库，不能创建改造项目"))
    open_projects = Project.objects.filter(listing=listing).exclude(state__in=[wf.REJECTED, wf.WITHDRAWN])
    if open_projects.exists():
        raise ServiceError(gettext("该企业在本计划中已有改造项目"))
    project = Project.objects.create(
        programme=listing.programme, listing=listing, enterprise=listing.enterprise, provider=provider, title=title,
        finish_due=listing.finish_due, baseline_level=listing.baseline_level, **fields)
    audit.record(actor, "programs.project.create", project, f"创建改造项目「{title}」", organisation=project.enterprise_id)
    return project


def items_total(project: Project) -> Decimal:
    """What the project's investment items add up to (yuan)."""
    return sum(project.items.values_list("amount", flat=True), Decimal("0.00"))


def _editable_or_refuse(project: Project, part: str) -> None:
    if wf.editable(project.state, project.returned_to) != part:
        raise ServiceError((gettext("项目当前状态为「%(state)s」，不能修改合同备案信息") if part == "contract" else gettext("项目当前状态为「%(state)s」，不能修改验收材料")) % {"state": project.state_label})


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related("programme", "listing", "enterprise__town").get(pk=project.pk)


@transaction.atomic
def update_contract(actor: Any, project: Project, **values: Any) -> Project:
    """Edit the contract filing (provider, title, contract no., amount, dates) while editable."""
    row = _locked(project)
    _editable_or_refuse(row, "contract")
    allowed = {"title", "provider", "contract_no", "contract_amount", "signed_on", "payee_bank", "payee_account"}
    old = {k: getattr(row, k) for k in values if k in allowed}
    for key, value in values.items():
        if key in allowed:
            setattr(row, key, value)
    if row.provider_id and not provider_in_pool(row.provider_id):
        raise ServiceError(gettext("所选服务商不在供给资源池中"))
    over = wf.items_over_contract(items_total(row), row.contract_amount)
    if over:
        raise ServiceError(over)
    row.updated_at = timezone.now()
    row.save()
    changes = audit.diff(old, {k: v for k, v in values.items() if k in allowed})
    if changes:
        audit.record(actor, "programs.project.edit", row, "修改合同备案信息", organisation=row.enterprise_id, changes=changes)
    return row


@transaction.atomic
def add_item(actor: Any, project: Project, category: str, amount: Decimal, description: str = "") -> InvestmentItem:
    row = _locked(project)
    _editable_or_refuse(row, "contract")
    known = categories(row.programme)
    if category not in known:
        raise ServiceError(gettext("未知的费用类别 %(category)r") % {"category": category})
    if not isinstance(amount, Decimal) or amount <= 0:
        raise ServiceError(gettext("金额应大于 0"))
    over = wf.items_over_contract(items_total(row) + amount, row.contract_amount)
    if over:
        raise ServiceError(over)
    item = InvestmentItem.objects.create(project=row, category=category, amount=amount, description=description)
    audit.record(actor, "programs.project.item", row, f"添加投资明细：{known[category]} {format_yuan(amount)} 元",
                 organisation=row.enterprise_id)
    return item


@transaction.atomic
def remove_item(actor: Any, project: Project, item_id: int) -> None:
    row = _locked(project)
    _editable_or_refuse(row, "contract")
    item = row.items.filter(pk=item_id).first()
    if item is None:
        raise ServiceError(gettext("明细不存在"))
    item.delete()
    audit.record(actor, "programs.project.item", row, f"删除投资明细：{item.category} {format_yuan(item.amount)} 元",
                 organisation=row.enterprise_id)


def _may_deliver(actor: Any, project: Project) -> bool:
    role = _role(actor)
    return role in wf.CITY_ROLES or (
        role in (wf.ENTERPRISE, wf.PROVIDER) and actor.organisation_id in (project.enterprise_id, project.provider_id))


@transaction.atomic
def add_milestone(actor: Any, project: Project, title: str, due_on: dt.date) -> Milestone:
    row = _locked(project)
    if row.state not in (wf.DRAFT, wf.CONTRACT_FILED, wf.IN_PROGRESS) and wf.editable(row.state, row.returned_to) != "contract":
        raise ServiceError(gettext("只有在合同备案和实施阶段可以设置里程碑"))
    if not _may_deliver(actor, row):
        raise ServiceError(gettext("只有企业或承担改造的服务商可以设置里程碑"))
    milestone = Milestone.objects.create(project=row, title=title, due_on=due_on)
    audit.record(actor, "programs.project.milestone", row, f"设置里程碑「{title}」（计划 {due_on.isoformat()}）",
                 organisation=row.enterprise_id)
    return milestone


@transaction.atomic
def finish_milestone(actor: Any, project: Project, milestone_id: int, note: str = "") -> Milestone:
    row = _locked(project)
    if row.state != wf.IN_PROGRESS:
        raise ServiceError(gettext("项目实施中才能确认里程碑完成"))
    if not _may_deliver(actor, row):
        raise ServiceError(gettext("只有企业或承担改造的服务商可以确认里程碑"))
    milestone = row.milestones.filter(pk=milestone_id, done_on__isnull=True).first()
    if milestone is None:
        raise ServiceError(gettext("里程碑不存在或已完成"))
    milestone.done_on, milestone.note = _today(), note[:300]
    milestone.save()
    audit.record(actor, "programs.project.milestone", row, f"里程碑「{milestone.title}」完成", organisation=row.enterprise_id,
                 reason=note)
    return milestone
