"""The one gate: facts for the guards, the offers a page shows, and `transition`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

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
from shuzhuan.programs.services.rules import controls, rules_version
from shuzhuan.programs.services.satisfaction import refresh_provider_stars


def facts(project: Project, actor: Any, action: str = "", reason: str = "", assessment: Any = None,
          subsidy: Decimal | None = None, batch: PayoutBatch | None = None) -> wf.Facts:
    """What the guards need, read now (call inside the transaction, the row locked)."""
    role = _role(actor)
    org_id = getattr(actor, "organisation_id", None)
    today = _today()
    if assessment is None:
        if action == "confirm_post_assessment" or project.post_assessment_id is None:
            assessment = find_post_assessment(project)
        else:
            from shuzhuan.assessment.results import assessment_by_pk

            assessment = assessment_by_pk(project.post_assessment_id)
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
    total = Decimal("0.00")
    for category, amount in project.items.values_list("category", "amount"):
        item_count += 1
        total += amount
        if category in eligible_codes:
            eligible += amount
    batch = batch if batch is not None else project.batch
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
        investment_total=total,
        contract_amount=project.contract_amount,
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
        batch_status=batch.status if batch is not None else "",
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
        if transition.action == "city_approve" and refusal is None and preview is not None:
            refusal = second_officer_refusal(project, actor, preview.amount)
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


@dataclass
class _Step:
    """One transition being taken: what the side effects read and what the audit entry reports."""

    actor: Any
    row: Project
    action: str
    reason: str
    facts: wf.Facts
    source: str
    target: str
    today: Any
    assessment: Any = None
    quoted: Any = None
    batch: PayoutBatch | None = None
    details: dict[str, Any] | None = None


def _file_contract(s: _Step) -> None:
    s.row.filed_on = s.today
    s.row.finish_due = s.row.listing.finish_due


def _start(s: _Step) -> None:
    s.row.started_on = s.today


def _complete(s: _Step) -> None:
    s.row.completed_on = s.today
    s.row.acceptance_due = wf.add_months(s.today, s.row.programme.acceptance_months)
    s.details["acceptance_due"] = s.row.acceptance_due


def _apply_acceptance(s: _Step) -> None:
    s.row.acceptance_applied_on = s.today


def _confirm_post_assessment(s: _Step) -> None:
    s.row.post_assessment = s.assessment
    s.row.level_achieved = s.assessment.level
    s.row.required_level = s.facts.required_level
    s.details["level"] = LEVEL_NAMES[s.assessment.level]


def _city_approve(s: _Step) -> None:
    row, quoted = s.row, s.quoted
    by_source = _funds_call(lambda: _funds().commit(row.programme.code, quoted.amount, row.reference, _user(s.actor)))
    row.subsidy_amount = quoted.amount
    row.subsidy_by_source = {k: str(v) for k, v in by_source.items()}
    row.subsidy_explanation = list(quoted.explanation)
    row.rules_version = quoted.version
    row.approved_on = s.today
    s.details["subsidy"] = quoted.amount


def _add_to_batch(s: _Step) -> None:
    s.row.batch = s.batch


def _remove_from_batch(s: _Step) -> None:
    s.row.batch = None


def _pay(s: _Step) -> None:
    _funds_call(lambda: _funds().pay(s.row.reference, _user(s.actor)))
    s.row.paid_on = s.today


def _return(s: _Step) -> None:
    s.row.returned_to = wf.return_target(s.source)
    s.row.return_reason = s.reason
    s.row.first_approved_by, s.row.first_approved_amount = None, None


def _resubmit(s: _Step) -> None:
    s.row.returned_to = ""
    if s.target == wf.ACCEPTANCE_APPLIED:
        s.row.acceptance_applied_on = s.today


def _reject(s: _Step) -> None:
    if s.source in wf.COMMITTED:
        _funds_call(lambda: _funds().release(s.row.reference, _user(s.actor), s.reason))
    s.row.first_approved_by, s.row.first_approved_amount = None, None


_EFFECTS = {
    "file_contract": _file_contract, "start": _start, "complete": _complete, "apply_acceptance": _apply_acceptance,
    "confirm_post_assessment": _confirm_post_assessment, "city_approve": _city_approve, "add_to_batch": _add_to_batch,
    "remove_from_batch": _remove_from_batch, "pay": _pay, "return": _return, "resubmit": _resubmit, "reject": _reject,
}


def second_officer_refusal(project: Project, actor: Any, amount: Decimal) -> str | None:
    """Why this officer may not complete a commitment that needs a second officer (four-eyes), or None."""
    threshold = controls(project.programme).second_officer_above
    user = _user(actor)
    if threshold is None or user is None or amount <= threshold:
        return None
    if project.first_approved_by_id == user.pk and project.first_approved_amount == amount:
        return (gettext("补助 %(amount)s 元超过 %(threshold)s 元，须由另一名市级人员确认（四眼原则）；"
                        "您已作第一次确认") % {"amount": format_yuan(amount), "threshold": format_yuan(threshold)})
    return None


def _first_of_two(s: _Step) -> bool:
    """Above the programme's threshold the first officer's approval is recorded and waits for a second
    officer (not the same person); True when this call was that first approval."""
    threshold = controls(s.row.programme).second_officer_above
    user = _user(s.actor)
    amount = s.quoted.amount
    if threshold is None or user is None or amount <= threshold:
        return False
    refusal = second_officer_refusal(s.row, s.actor, amount)
    if refusal:
        raise ServiceError(refusal)
    if s.row.first_approved_by_id is not None and s.row.first_approved_amount == amount:
        return False  # a second officer confirms what the first approved
    s.row.first_approved_by, s.row.first_approved_amount = user, amount
    s.row.updated_at = timezone.now()
    s.row.save(update_fields=["first_approved_by", "first_approved_amount", "updated_at"])
    audit.record(s.actor, "programs.project.city_approve_first", s.row,
                 gettext("改造项目「%(title)s」：市级审定第一次确认，补助 %(amount)s 元，待第二名市级人员确认")
                 % {"title": s.row.title, "amount": format_yuan(amount)}, organisation=s.row.enterprise_id)
    return True


def _prepare(row: Project, action: str) -> tuple[Any, Any]:
    """What some actions read before the guards: the post-assessment found, the subsidy quoted."""
    if action == "confirm_post_assessment":
        return find_post_assessment(row), None
    if action == "city_approve":
        quoted = subsidy_preview(row, available=_funds().free_direct_balance(row.programme.code))
        if quoted is None:
            raise ServiceError(gettext("无法计算补助：请检查改造后等级与投资明细"))
        return None, quoted
    return None, None


def _summary(s: _Step) -> str:
    summary = (f"改造项目「{s.row.title}」：{_ACTION_SUMMARY.get(s.action, s.action)}"
               f"（{wf.STATES[s.source]} → {wf.STATES[s.target]}）")
    if "subsidy" in s.details:
        summary += f"，补助 {format_yuan(s.details['subsidy'])} 元"
    if "level" in s.details:
        summary += f"，改造后等级 {s.details['level']}"
    if s.batch is not None:
        summary += f"，批次 {s.batch.label}"
    return summary


@transaction.atomic
def transition(actor: Any, project: Project, action: str, reason: str = "", *, batch: PayoutBatch | None = None) -> Project:
    """Take one step of the state machine, or raise `ServiceError` with the guard's reason."""
    row = _locked(project)
    reason = (reason or "").strip()
    assessment, quoted = _prepare(row, action)
    f = facts(row, actor, action, reason, assessment=assessment, subsidy=quoted.amount if quoted else None,
              batch=batch)
    refusal = wf.refusal(action, f)
    if refusal:
        raise ServiceError(refusal)
    step = _Step(actor, row, action, reason, f, row.state, wf.target_of(action, f), _today(), assessment, quoted,
                 batch, {})
    if action == "city_approve" and _first_of_two(step):
        project.refresh_from_db()
        return row
    effect = _EFFECTS.get(action)
    if effect is not None:
        effect(step)
    row.state = step.target
    row.updated_at = timezone.now()
    row.save()
    audit.record(actor, f"programs.project.{action}", row, _summary(step), organisation=row.enterprise_id,
                 changes={"state": [step.source, step.target],
                          **{k: [None, audit._jsonable(v)] for k, v in step.details.items()}},
                 reason=reason)
    if action in ("apply_acceptance", "resubmit") and step.target == wf.ACCEPTANCE_APPLIED:
        refresh_provider_stars(row.provider_id, actor)  # on-time acceptance counts toward the stars
    project.refresh_from_db()
    return row


def _funds_call(call):
    funds = _funds()
    try:
        return call()
    except funds.InsufficientFunds as exc:
        raise ServiceError(gettext("资金不足，不能审定：%(why)s") % {"why": exc}) from exc
    except funds.LedgerError as exc:
        raise ServiceError(gettext("资金台账拒绝了此操作：%(why)s") % {"why": exc}) from exc
