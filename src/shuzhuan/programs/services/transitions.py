"""The one gate: facts for the guards, the offers a page shows, and `transition`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from shuzhuan.core import audit
from shuzhuan.core.domain import format_yuan
from shuzhuan.programs.domain import CostItem, QuoteInputError, quote
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.domain.model import LEVEL_NAMES
from shuzhuan.programs.models import (
    PayoutBatch,
    Project,
)
from shuzhuan.programs.services.common import ServiceError, _funds, _role, _today, _user
from shuzhuan.programs.services.documents import latest_documents
from shuzhuan.programs.services.post_assessment import _assessment_facts, find_post_assessment
from shuzhuan.programs.services.projects import _locked, provider_in_pool
from shuzhuan.programs.services.rules import rules_version
from shuzhuan.programs.services.satisfaction import refresh_provider_stars


def facts(project: Project, actor: Any, action: str = "", reason: str = "", assessment: Any = None,
          subsidy: Decimal | None = None) -> wf.Facts:
    """What the guards need, read now (call inside the transaction, the row locked)."""
    role = _role(actor)
    org_id = getattr(actor, "organisation_id", None)
    today = _today()
    if assessment is None:
        if action == "confirm_post_assessment" or project.post_assessment_id is None:
            assessment = find_post_assessment(project)
        else:
            from shuzhuan.assessment.models import Assessment

            assessment = Assessment.objects.filter(pk=project.post_assessment_id).first()
    try:
        required = rules_version(project.programme).min_level if project.state not in wf.NEEDS_POST_ASSESSMENT else project.required_level
    except ServiceError:
        required = project.required_level
    milestones = project.milestones.aggregate(total=Count("pk"), open=Count("pk", filter=Q(done_on__isnull=True)))
    uploaded = {kind: doc.file_type for kind, doc in latest_documents(project).items()}
    eligible = Decimal("0.00")
    try:
        eligible_codes = set(rules_version(project.programme).eligible_categories)
    except ServiceError:
        eligible_codes = set()
    item_count = 0
    for category, amount in project.items.values_list("category", "amount"):
        item_count += 1
        if category in eligible_codes:
            eligible += amount
    batch = project.batch
    return wf.Facts(
        state=project.state,
        today=today,
        actor_role=role,
        actor_is_enterprise=bool(org_id and org_id == project.enterprise_id and role == wf.ENTERPRISE),
        actor_is_provider=bool(org_id and org_id == project.provider_id and role == wf.PROVIDER),
        actor_in_town=bool(role == wf.TOWN and getattr(actor, "town_id", None) == project.enterprise.town_id),
        actor_is_assigned_expert=bool(role == wf.EXPERT and project.expert_id == getattr(actor, "pk", None)),
        listing_listed=project.listing.status == wf.LISTING_LISTED,
        finish_due=project.finish_due,
        acceptance_due=project.acceptance_due,
        provider_in_pool=provider_in_pool(project.provider_id),
        item_count=item_count,
        eligible_investment=eligible,
        has_contract_file="contract" in uploaded,
        milestones_total=milestones["total"],
        milestones_open=milestones["open"],
        document_problems=tuple(wf.document_problems(uploaded)),
        required_level=required,
        expert_assigned=project.expert_id is not None,
        expert_review_submitted=project.expert_opinions.filter(expert_id=project.expert_id).exists()
        if project.expert_id else False,
        subsidy_amount=subsidy if subsidy is not None else project.subsidy_amount,
        in_batch=project.batch_id is not None,
        batch_approved=bool(batch and batch.status in (wf.BATCH_APPROVED, wf.BATCH_PAID)),
        returned_to=project.returned_to,
        reason=reason,
        level_names=LEVEL_NAMES,
        **_assessment_facts(project, assessment),
    )


@dataclass(frozen=True)
class Offer:
    """A transition the page can offer this user, and why it would be refused now (None = allowed)."""

    action: str
    label: str
    tone: str
    needs_reason: bool
    refusal: str | None


def offers(project: Project, actor: Any) -> list[Offer]:
    """Transitions of this state open to the actor's role, each with the guards' answer."""
    f = facts(project, actor)
    result = []
    for transition in wf.available(f):
        if transition.action in ("add_to_batch", "remove_from_batch", "pay", "expert_review"):
            continue  # batches and the expert's form have their own pages
        if transition.action == "city_approve":
            preview = subsidy_preview(project)
            f_action = facts(project, actor, subsidy=preview.amount if preview else Decimal("0"))
        else:
            f_action = f
        refusal = wf.refusal(transition.action, f_action) if not transition.needs_reason else wf.refusal(
            transition.action, facts(project, actor, reason="-"))
        result.append(Offer(transition.action, transition.label, transition.tone, transition.needs_reason, refusal))
    return result


def subsidy_preview(project: Project, available: Decimal | None = None):
    """The subsidy quote for the project as it stands (None when the rules or level are missing)."""
    level = project.level_achieved
    if level is None:
        return None
    try:
        version = rules_version(project.programme)
        if available is None:
            available = _funds().free_direct_balance(project.programme.code)
        return quote(version, level, [CostItem(c, a) for c, a in project.items.values_list("category", "amount")],
                     available=available)
    except (ServiceError, QuoteInputError):
        return None


_ACTION_SUMMARY = {
    "file_contract": "提交合同备案", "start": "开始实施改造", "complete": "确认改造完成", "apply_acceptance": "申请验收",
    "confirm_post_assessment": "核验改造后现场评定", "town_review": "镇街初审通过", "expert_review": "专家评审完成",
    "city_approve": "市级审定通过", "add_to_batch": "列入兑现批次", "remove_from_batch": "移出兑现批次",
    "pay": "补助已兑现", "return": "退回修改", "resubmit": "修改后重新提交", "reject": "不予通过", "withdraw": "撤回项目",
}


@transaction.atomic
def transition(actor: Any, project: Project, action: str, reason: str = "", *, batch: PayoutBatch | None = None) -> Project:
    """Take one step of the state machine, or raise `ServiceError` with the guard's reason."""
    row = _locked(project)
    reason = (reason or "").strip()
    assessment = None
    quoted = None
    if action == "confirm_post_assessment":
        assessment = find_post_assessment(row)
    if action == "city_approve":
        funds = _funds()
        available = funds.free_direct_balance(row.programme.code)
        quoted = subsidy_preview(row, available=available)
        if quoted is None:
            raise ServiceError("无法计算补助：请检查改造后等级与投资明细")
    f = facts(row, actor, action, reason, assessment=assessment, subsidy=quoted.amount if quoted else None)
    refusal = wf.refusal(action, f)
    if refusal:
        raise ServiceError(refusal)
    source_state = row.state
    target = wf.target_of(action, f)
    today = _today()
    details: dict[str, Any] = {}
    if action == "file_contract":
        row.filed_on = today
        row.finish_due = row.listing.finish_due
    elif action == "start":
        row.started_on = today
    elif action == "complete":
        row.completed_on = today
        row.acceptance_due = wf.add_months(today, row.programme.acceptance_months)
        details["acceptance_due"] = row.acceptance_due
    elif action == "apply_acceptance":
        row.acceptance_applied_on = today
    elif action == "confirm_post_assessment":
        row.post_assessment = assessment
        row.level_achieved = assessment.level
        row.required_level = f.required_level
        details["level"] = LEVEL_NAMES[assessment.level]
    elif action == "city_approve":
        by_source = _funds_call(lambda: _funds().commit(row.programme.code, quoted.amount, row.reference, _user(actor)))
        row.subsidy_amount = quoted.amount
        row.subsidy_by_source = {k: str(v) for k, v in by_source.items()}
        row.subsidy_explanation = list(quoted.explanation)
        row.rules_version = quoted.version
        row.approved_on = today
        details["subsidy"] = quoted.amount
    elif action == "add_to_batch":
        if batch is None:
            raise ServiceError("请指定兑现批次")
        row.batch = batch
    elif action == "remove_from_batch":
        row.batch = None
    elif action == "pay":
        _funds_call(lambda: _funds().pay(row.reference, _user(actor)))
        row.paid_on = today
    elif action == "return":
        row.returned_to = wf.return_target(source_state)
        row.return_reason = reason
    elif action == "resubmit":
        row.returned_to = ""
        if target == wf.ACCEPTANCE_APPLIED:
            row.acceptance_applied_on = today
    elif action == "reject" and source_state in wf.COMMITTED:
        _funds_call(lambda: _funds().release(row.reference, _user(actor), reason))
    row.state = target
    row.updated_at = timezone.now()
    row.save()
    summary = f"改造项目「{row.title}」：{_ACTION_SUMMARY.get(action, action)}（{wf.STATES[source_state]} → {wf.STATES[target]}）"
    if "subsidy" in details:
        summary += f"，补助 {format_yuan(details['subsidy'])} 元"
    if "level" in details:
        summary += f"，改造后等级 {details['level']}"
    if batch is not None:
        summary += f"，批次 {batch.label}"
    audit.record(actor, f"programs.project.{action}", row, summary, organisation=row.enterprise_id,
                 changes={"state": [source_state, target], **{k: [None, audit._jsonable(v)] for k, v in details.items()}},
                 reason=reason)
    if action in ("apply_acceptance", "resubmit") and target == wf.ACCEPTANCE_APPLIED:
        refresh_provider_stars(row.provider_id, actor)  # on-time acceptance counts toward the stars
    project.refresh_from_db()
    return row


def _funds_call(call):
    funds = _funds()
    try:
        return call()
    except funds.InsufficientFunds as exc:
        raise ServiceError(f"资金不足，不能审定：{exc}") from exc
    except funds.LedgerError as exc:
        raise ServiceError(f"资金台账拒绝了此操作：{exc}") from exc
