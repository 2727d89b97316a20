"""The transformation project (改造项目) as a state machine: pure Python, no Django, no I/O.

States and transitions are data (`TRANSITIONS`); each transition names the roles that may take it
and its guards. A guard reads a `Facts` snapshot of the project and returns the reason it refuses,
in Chinese, or None. The service layer builds the facts inside its transaction (row locked),
asks `refusal(...)` and only then writes; pages and the API only ever call the service.

Flow (DOMAIN §5): draft → contract_filed → in_progress → completed → acceptance_applied →
post_assessed → town_reviewed → expert_reviewed → city_approved → in_batch → paid; plus
returned (for changes: back to the editable step with a reason), rejected, withdrawn.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from shuzhuan.core.domain import CITY_WIDE_ROLES, OFFICER_ROLES
from shuzhuan.programs.domain.model import LEVEL_NAMES

# --- states ---------------------------------------------------------------------------------------

DRAFT = "draft"
CONTRACT_FILED = "contract_filed"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
ACCEPTANCE_APPLIED = "acceptance_applied"
POST_ASSESSED = "post_assessed"
TOWN_REVIEWED = "town_reviewed"
EXPERT_REVIEWED = "expert_reviewed"
CITY_APPROVED = "city_approved"
IN_BATCH = "in_batch"
PAID = "paid"
RETURNED = "returned"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"

STATES: dict[str, str] = {
    DRAFT: "草稿",
    CONTRACT_FILED: "合同已备案",
    IN_PROGRESS: "改造实施中",
    COMPLETED: "改造完成",
    ACCEPTANCE_APPLIED: "已申请验收",
    POST_ASSESSED: "改造后评定通过",
    TOWN_REVIEWED: "镇街初审通过",
    EXPERT_REVIEWED: "专家评审完成",
    CITY_APPROVED: "市级审定通过",
    IN_BATCH: "已列入兑现批次",
    PAID: "已兑现",
    RETURNED: "退回修改",
    REJECTED: "不予通过",
    WITHDRAWN: "已撤回",
}
# Badge colours (the page always shows the words too).
STATE_TONES: dict[str, str] = {
    DRAFT: "secondary", CONTRACT_FILED: "info", IN_PROGRESS: "primary", COMPLETED: "primary",
    ACCEPTANCE_APPLIED: "warning", POST_ASSESSED: "warning", TOWN_REVIEWED: "warning", EXPERT_REVIEWED: "warning",
    CITY_APPROVED: "success", IN_BATCH: "success", PAID: "success", RETURNED: "danger", REJECTED: "dark",
    WITHDRAWN: "dark",
}
FINAL = frozenset({PAID, REJECTED, WITHDRAWN})
# The funnel of the programme dashboard: a project counts in every stage it has reached.
ORDER = (DRAFT, CONTRACT_FILED, IN_PROGRESS, COMPLETED, ACCEPTANCE_APPLIED, POST_ASSESSED, TOWN_REVIEWED,
         EXPERT_REVIEWED, CITY_APPROVED, IN_BATCH, PAID)
# Money is committed from city approval until payment.
COMMITTED = frozenset({CITY_APPROVED, IN_BATCH})
# A payout needs a passing post-assessment: these states require one (also a database CHECK).
NEEDS_POST_ASSESSMENT = frozenset({POST_ASSESSED, TOWN_REVIEWED, EXPERT_REVIEWED, CITY_APPROVED, IN_BATCH, PAID})
# A project that returns resumes at one of two editable steps.
EDITABLE = (DRAFT, COMPLETED)

# --- roles (the platform's role codes) -------------------------------------------------------------

ENTERPRISE, PROVIDER, TOWN, CITY, ADMIN, EXPERT = (
    "enterprise", "provider", "town_officer", "city_officer", "admin", "expert")
OFFICERS = OFFICER_ROLES  # the role groups are core's (core.domain)
CITY_ROLES = CITY_WIDE_ROLES
PROJECT_ROLES = OFFICERS | {ENTERPRISE, PROVIDER, EXPERT}  # who takes part in a project (pages and API)

# --- the eight acceptance documents (验收材料) ----------------------------------------------------

PDF, DOCX, XLSX, JPG, PNG = "pdf", "docx", "xlsx", "jpg", "png"


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str
    types: tuple[str, ...]  # allowed file types (extension, checked against the content)


DOCUMENT_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind("archive", "验收档案", (PDF, DOCX)),
    DocumentKind("application", "申请表", (PDF, DOCX)),
    DocumentKind("financial_check", "财务核查表", (PDF, XLSX)),
    DocumentKind("contract", "合同", (PDF,)),
    DocumentKind("invoices", "发票及付款证明", (PDF, JPG, PNG)),
    DocumentKind("summary", "总结报告", (PDF, DOCX)),
    DocumentKind("results", "成效佐证", (PDF, DOCX, JPG, PNG)),
    DocumentKind("self_assessment", "改造后自评测", (PDF, XLSX)),
)
DOCUMENTS: dict[str, DocumentKind] = {k.code: k for k in DOCUMENT_KINDS}


def document_problems(uploaded: Mapping[str, str]) -> list[str]:
    """What is missing or of the wrong type among the acceptance documents; `uploaded` maps a kind
    to the file type of its latest upload."""
    problems = []
    for kind in DOCUMENT_KINDS:
        file_type = uploaded.get(kind.code)
        if file_type is None:
            problems.append(f"缺少「{kind.label}」")
        elif file_type not in kind.types:
            problems.append(f"「{kind.label}」应为 {'/'.join(t.upper() for t in kind.types)} 文件，实际为 {file_type.upper()}")
    return problems


# --- dates ------------------------------------------------------------------------------------------

def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clipped to the month's end (2025-11-30 + 3 → 2026-02-28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- facts and guards --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """What the guards may know about a project and the actor, gathered by the service."""

    state: str
    today: dt.date
    actor_role: str = ""
    actor_is_enterprise: bool = False  # the actor belongs to the project's enterprise
    actor_is_provider: bool = False  # the actor belongs to the contracted provider
    actor_in_town: bool = False  # a town officer of the enterprise's town
    actor_is_assigned_expert: bool = False
    listing_listed: bool = False
    finish_due: dt.date | None = None
    acceptance_due: dt.date | None = None
    provider_in_pool: bool = False
    item_count: int = 0
    eligible_investment: Decimal = Decimal("0.00")
    investment_total: Decimal = Decimal("0.00")  # every item, eligible or not
    contract_amount: Decimal | None = None
    has_contract_file: bool = False
    milestones_total: int = 0
    milestones_open: int = 0
    document_problems: tuple[str, ...] = ()
    # the post-transformation on-site assessment (改造后现场评定) the service found or linked
    post_assessment_found: bool = False
    post_assessment_signed: bool = False
    post_assessment_onsite: bool = False
    post_assessment_kind_post: bool = False
    post_assessment_after_completion: bool = False
    post_assessment_rater_is_provider: bool = False
    post_assessment_rater_problem: str = ""  # why the rater may not rate now (e.g. removed from the pool)
    level_achieved: int | None = None
    required_level: int = 2
    expert_assigned: bool = False
    expert_review_submitted: bool = False
    subsidy_amount: Decimal | None = None
    in_batch: bool = False
    batch_approved: bool = False
    batch_status: str = ""  # the status of the project's batch (or of the batch it is being added to)
    returned_to: str = ""
    reason: str = ""
    level_names: tuple[str, ...] = field(default=LEVEL_NAMES)

    def level_name(self, level: int | None) -> str:
        if level is None:
            return "未评定"
        return self.level_names[level] if 0 <= level < len(self.level_names) else str(level)


Guard = Callable[[Facts], "str | None"]


def _actor_enterprise(f: Facts) -> str | None:
    if f.actor_role in CITY_ROLES:
        return None
    return None if f.actor_is_enterprise else "只有项目所属企业可以进行此操作"


def _actor_enterprise_or_provider(f: Facts) -> str | None:
    if f.actor_role in CITY_ROLES or f.actor_is_enterprise or f.actor_is_provider:
        return None
    return "只有项目所属企业或承担改造的服务商可以进行此操作"


def _actor_officer_of_town(f: Facts) -> str | None:
    if f.actor_role in CITY_ROLES or (f.actor_role == TOWN and f.actor_in_town):
        return None
    return "只有企业所在镇街工信部门或市工信局可以进行此操作"


def _actor_town_officer(f: Facts) -> str | None:
    if f.actor_role == ADMIN or (f.actor_role == TOWN and f.actor_in_town):
        return None
    return "镇街初审由企业所在镇街工信部门进行"


def _actor_city(f: Facts) -> str | None:
    return None if f.actor_role in CITY_ROLES else "只有市工信局可以进行此操作"


def _actor_assigned_expert(f: Facts) -> str | None:
    if f.actor_role == ADMIN or (f.actor_role == EXPERT and f.actor_is_assigned_expert):
        return None
    return "只有被指派评审该项目的专家可以提交评审意见"


def _listed(f: Facts) -> str | None:
    return None if f.listing_listed else "企业尚未列入本计划的试点企业库（需经镇街审核、市级审定）"


def _provider_in_pool(f: Facts) -> str | None:
    return None if f.provider_in_pool else "服务商不在供给资源池中（在池或警示状态方可签约备案）"


def _has_items(f: Facts) -> str | None:
    return None if f.item_count else "请先填写分项投资明细（按费用类别）"


def items_over_contract(total: Decimal, contract_amount: Decimal | None) -> str | None:
    """Investment items may not add up to more than the contract (the subsidy rests on them)."""
    if contract_amount is not None and total > contract_amount:
        return (f"投资明细合计 {total:,.2f} 元超过合同金额 {contract_amount:,.2f} 元，"
                "请核对明细或合同金额")
    return None


def _contract_amount_given(f: Facts) -> str | None:
    return None if f.contract_amount is not None and f.contract_amount > 0 else "请先填写合同金额"


def _items_within_contract(f: Facts) -> str | None:
    return items_over_contract(f.investment_total, f.contract_amount)


def _batch_draft(f: Facts) -> str | None:
    return None if f.batch_status == BATCH_DRAFT else "只有编制中的兑现批次可以列入或移出项目"


def _batch_being_paid(f: Facts) -> str | None:
    """A project is paid only with its whole batch (the batch's 确认已拨付), never one by one."""
    if f.batch_status == BATCH_PAID:
        return None
    if f.batch_approved:
        return "批次内项目随批次一并兑现：请在兑现批次页面确认已拨付"
    return "兑现批次尚未审批"


def _has_contract(f: Facts) -> str | None:
    return None if f.has_contract_file else "请先上传合同文件（PDF）"


def _before_finish_due(f: Facts) -> str | None:
    if f.finish_due is not None and f.today > f.finish_due:
        return f"已超过改造完成期限（{f.finish_due.isoformat()}），请联系镇街工信部门"
    return None


def _milestones_done(f: Facts) -> str | None:
    if not f.milestones_total:
        return "请至少设置一个实施里程碑"
    if f.milestones_open:
        return f"还有 {f.milestones_open} 个里程碑未完成"
    return None


def _documents_complete(f: Facts) -> str | None:
    if f.document_problems:
        return "验收材料不齐全：" + "；".join(f.document_problems)
    return None


def _before_acceptance_due(f: Facts) -> str | None:
    if f.acceptance_due is not None and f.today > f.acceptance_due:
        return f"已超过验收申请期限（改造完成后 3 个月内，即 {f.acceptance_due.isoformat()} 前）"
    return None


def post_assessment_refusal(f: Facts) -> str | None:
    """The payout's condition: a signed on-site post-transformation rating at the required level,
    done after completion by a rater who is not the contracted provider (DESIGN decision 3)."""
    if not f.post_assessment_found:
        return "未找到改造后的现场评定结果（需为已签署的改造后现场评定）"
    if not f.post_assessment_onsite:
        return "改造后等级须由现场评定确定，企业自评不能作为验收依据"
    if not f.post_assessment_kind_post:
        return "所选评定不是改造后评定"
    if not f.post_assessment_signed:
        return "现场评定尚未签署"
    if not f.post_assessment_after_completion:
        return "现场评定日期早于改造完成日期，不能作为改造后评定"
    if f.post_assessment_rater_is_provider:
        return "现场评定机构是该项目的签约服务商（利益冲突），评定无效"
    if f.post_assessment_rater_problem:
        return f"该现场评定不能作为改造后等级依据：{f.post_assessment_rater_problem}"
    if f.level_achieved is None or f.level_achieved < f.required_level:
        return (f"改造后等级为{f.level_name(f.level_achieved)}，未达到{f.level_name(f.required_level)}，"
                "不能通过验收")
    return None


def _expert_assigned(f: Facts) -> str | None:
    return None if f.expert_assigned else "市工信局尚未指派评审专家"


def _expert_submitted(f: Facts) -> str | None:
    return None if f.expert_review_submitted else "请先填写评分与评审意见"


def _subsidy_positive(f: Facts) -> str | None:
    if f.subsidy_amount is None or f.subsidy_amount <= 0:
        return "按计划规则计算的补助为 0 元，不能审定兑现"
    return None


def _reason_given(f: Facts) -> str | None:
    return None if f.reason.strip() else "请填写原因"


def _returned_somewhere(f: Facts) -> str | None:
    return None if f.returned_to in EDITABLE else "退回记录不完整，无法重新提交"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    guards: tuple[Guard, ...]
    needs_reason: bool = False
    tone: str = "primary"


def _t(action: str, label: str, sources: set[str] | frozenset[str], target: str, roles: set[str] | frozenset[str],
       *guards: Guard, needs_reason: bool = False, tone: str = "primary") -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(roles), tuple(guards), needs_reason, tone)


RETURNABLE = frozenset({CONTRACT_FILED, ACCEPTANCE_APPLIED, POST_ASSESSED, TOWN_REVIEWED, EXPERT_REVIEWED})
REJECTABLE = frozenset({CONTRACT_FILED, IN_PROGRESS, COMPLETED, ACCEPTANCE_APPLIED, POST_ASSESSED, TOWN_REVIEWED,
                        EXPERT_REVIEWED, CITY_APPROVED, RETURNED})
WITHDRAWABLE = frozenset({DRAFT, CONTRACT_FILED, IN_PROGRESS, COMPLETED, ACCEPTANCE_APPLIED, RETURNED})

TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    _t("file_contract", "提交合同备案", {DRAFT}, CONTRACT_FILED, {ENTERPRISE, CITY, ADMIN},
       _actor_enterprise, _listed, _provider_in_pool, _has_items, _has_contract, _contract_amount_given,
       _items_within_contract),
    _t("start", "开始实施", {CONTRACT_FILED}, IN_PROGRESS, {ENTERPRISE, PROVIDER, CITY, ADMIN},
       _actor_enterprise_or_provider, _before_finish_due),
    _t("complete", "确认改造完成", {IN_PROGRESS}, COMPLETED, {ENTERPRISE, PROVIDER, CITY, ADMIN},
       _actor_enterprise_or_provider, _milestones_done),
    _t("apply_acceptance", "申请验收", {COMPLETED}, ACCEPTANCE_APPLIED, {ENTERPRISE, CITY, ADMIN},
       _actor_enterprise, _documents_complete, _before_acceptance_due),
    _t("confirm_post_assessment", "核验改造后现场评定", {ACCEPTANCE_APPLIED}, POST_ASSESSED, OFFICERS,
       _actor_officer_of_town, post_assessment_refusal),
    _t("town_review", "镇街初审通过", {POST_ASSESSED}, TOWN_REVIEWED, {TOWN, ADMIN},
       _actor_town_officer, post_assessment_refusal),
    _t("expert_review", "提交专家评审", {TOWN_REVIEWED}, EXPERT_REVIEWED, {EXPERT, ADMIN},
       _actor_assigned_expert, _expert_assigned, _expert_submitted),
    _t("city_approve", "市级审定通过（计算奖补并占用资金）", {EXPERT_REVIEWED}, CITY_APPROVED, CITY_ROLES,
       _actor_city, post_assessment_refusal, _items_within_contract, _subsidy_positive, tone="success"),
    _t("add_to_batch", "列入兑现批次", {CITY_APPROVED}, IN_BATCH, CITY_ROLES,
       _actor_city, _batch_draft, post_assessment_refusal, _items_within_contract, _subsidy_positive),
    _t("remove_from_batch", "移出兑现批次", {IN_BATCH}, CITY_APPROVED, CITY_ROLES, _actor_city, _batch_draft),
    _t("pay", "确认已兑现", {IN_BATCH}, PAID, CITY_ROLES,
       _actor_city, post_assessment_refusal, _batch_being_paid, _items_within_contract, _subsidy_positive,
       tone="success"),
    _t("return", "退回修改", RETURNABLE, RETURNED, OFFICERS,
       _actor_officer_of_town, _reason_given, needs_reason=True, tone="warning"),
    _t("resubmit", "修改后重新提交", {RETURNED}, "", {ENTERPRISE, CITY, ADMIN},
       _actor_enterprise, _returned_somewhere),
    _t("reject", "不予通过", REJECTABLE, REJECTED, CITY_ROLES, _actor_city, _reason_given,
       needs_reason=True, tone="danger"),
    _t("withdraw", "撤回项目", WITHDRAWABLE, WITHDRAWN, {ENTERPRISE, CITY, ADMIN}, _actor_enterprise,
       _reason_given, needs_reason=True, tone="danger"),
)}

# Transitions the project page offers as plain buttons (others have their own forms or pages).
BUTTONS = ("file_contract", "start", "complete", "apply_acceptance", "confirm_post_assessment", "town_review",
           "city_approve", "resubmit")


def return_target(state: str) -> str:
    """Where a returned project resumes editing: the contract (draft) or the acceptance file (completed)."""
    return DRAFT if state == CONTRACT_FILED else COMPLETED


def resubmit_target(returned_to: str) -> str:
    return CONTRACT_FILED if returned_to == DRAFT else ACCEPTANCE_APPLIED


def target_of(action: str, facts: Facts) -> str:
    transition = TRANSITIONS[action]
    if action == "resubmit":
        return resubmit_target(facts.returned_to)
    return transition.target


def refusal(action: str, facts: Facts) -> str | None:
    """Why `action` may not be taken now (in Chinese), or None when it may."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return "未知的操作"
    if facts.state not in transition.sources:
        return f"项目当前状态为「{STATES.get(facts.state, facts.state)}」，不能{transition.label}"
    if facts.actor_role and facts.actor_role not in transition.roles:
        return f"当前角色不能{transition.label}"
    for guard in transition.guards:
        reason = guard(facts)
        if reason:
            return reason
    return None


def available(facts: Facts) -> list[Transition]:
    """Transitions open to this actor in this state whose role check passes (guards may still refuse,
    the page then shows why)."""
    return [t for t in TRANSITIONS.values() if facts.state in t.sources and facts.actor_role in t.roles]


def editable(state: str, returned_to: str = "") -> str | None:
    """Which part an enterprise may edit: 'contract' (items, provider, contract file, milestones),
    'acceptance' (the acceptance documents), or None."""
    if state == DRAFT or (state == RETURNED and returned_to == DRAFT):
        return "contract"
    if state == COMPLETED or (state == RETURNED and returned_to == COMPLETED):
        return "acceptance"
    return None


def overdue(state: str, today: dt.date, finish_due: dt.date | None, acceptance_due: dt.date | None) -> str | None:
    """A reminder line when a deadline has passed for a project in this state, or None."""
    if state in (DRAFT, CONTRACT_FILED, IN_PROGRESS) and finish_due and today > finish_due:
        return f"改造完成期限 {finish_due.isoformat()} 已过 {(today - finish_due).days} 天"
    if state in (COMPLETED,) and acceptance_due and today > acceptance_due:
        return f"验收申请期限 {acceptance_due.isoformat()} 已过 {(today - acceptance_due).days} 天"
    return None


def due_soon(state: str, today: dt.date, finish_due: dt.date | None, acceptance_due: dt.date | None,
             days: int = 14) -> str | None:
    if state in (DRAFT, CONTRACT_FILED, IN_PROGRESS) and finish_due and today <= finish_due <= today + dt.timedelta(days):
        return f"改造完成期限 {finish_due.isoformat()}（还剩 {(finish_due - today).days} 天）"
    if state == COMPLETED and acceptance_due and today <= acceptance_due <= today + dt.timedelta(days):
        return f"验收申请期限 {acceptance_due.isoformat()}（还剩 {(acceptance_due - today).days} 天）"
    return None


# --- pilot enterprise pool (试点企业库) ---------------------------------------------------------------

LISTING_APPLIED, LISTING_PROPOSED, LISTING_TOWN_APPROVED, LISTING_LISTED, LISTING_REJECTED, LISTING_WITHDRAWN = (
    "applied", "proposed", "town_approved", "listed", "rejected", "withdrawn")
LISTING_STATES: dict[str, str] = {
    LISTING_APPLIED: "企业申请",
    LISTING_PROPOSED: "系统推荐",
    LISTING_TOWN_APPROVED: "镇街审核通过",
    LISTING_LISTED: "已入库",
    LISTING_REJECTED: "未通过",
    LISTING_WITHDRAWN: "已撤回",
}
LISTING_TONES = {LISTING_APPLIED: "info", LISTING_PROPOSED: "secondary", LISTING_TOWN_APPROVED: "warning",
                 LISTING_LISTED: "success", LISTING_REJECTED: "dark", LISTING_WITHDRAWN: "dark"}


@dataclass(frozen=True)
class Firm:
    """What eligibility reads about an enterprise."""

    size_class: str
    industry: str | None
    little_giant: bool
    in_earlier_pilot: str = ""  # the earlier programme's name, or ""


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    sub_industry: str  # code of the matching target sub-industry, or ""
    reasons: tuple[str, ...]  # why not (empty when eligible)
    explanation: tuple[str, ...]


SME_CLASSES = frozenset({"medium", "small", "micro"})
SIZE_NAMES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型", "": "未判定"}


def eligibility(firm: Firm, targets: Mapping[str, tuple[str, frozenset[str]]], *, sme_only: bool = True,
                exclude_little_giants: bool = True, exclude_earlier_pilots: bool = True) -> Eligibility:
    """Whether a firm may be listed: SME, in a target sub-industry (code → (name, classes)), not
    funded as 小巨人, not in an earlier pilot. Every check gives a line of explanation."""
    reasons: list[str] = []
    lines: list[str] = []
    size = SIZE_NAMES.get(firm.size_class, firm.size_class)
    if sme_only:
        if firm.size_class in SME_CLASSES:
            lines.append(f"企业规模：{size}，属于中小企业")
        else:
            reasons.append(f"企业规模为{size}，不属于中小企业")
    matched = next((code for code, (_name, classes) in targets.items() if firm.industry and firm.industry in classes), "")
    names = "、".join(name for name, _classes in targets.values()) or "（未设定）"
    if matched:
        lines.append(f"行业 {firm.industry} 属于试点细分行业「{targets[matched][0]}」")
    else:
        reasons.append(f"行业 {firm.industry or '未填写'} 不在试点细分行业（{names}）内")
    if exclude_little_giants:
        if firm.little_giant:
            reasons.append("已获专精特新“小巨人”资金支持的企业不纳入")
        else:
            lines.append("非专精特新“小巨人”企业")
    if exclude_earlier_pilots:
        if firm.in_earlier_pilot:
            reasons.append(f"已列入此前的试点「{firm.in_earlier_pilot}」")
        else:
            lines.append("未列入此前的试点")
    return Eligibility(not reasons, matched, tuple(reasons), tuple(lines))


# --- payout batches ------------------------------------------------------------------------------------

BATCH_DRAFT, BATCH_REVIEWED, BATCH_APPROVED, BATCH_PAID = "draft", "reviewed", "approved", "paid"
BATCH_STATES = {BATCH_DRAFT: "编制中", BATCH_REVIEWED: "已复核", BATCH_APPROVED: "已审批", BATCH_PAID: "已兑现"}
BATCH_TONES = {BATCH_DRAFT: "secondary", BATCH_REVIEWED: "info", BATCH_APPROVED: "warning", BATCH_PAID: "success"}
BATCH_NEXT = {BATCH_DRAFT: BATCH_REVIEWED, BATCH_REVIEWED: BATCH_APPROVED, BATCH_APPROVED: BATCH_PAID}
BATCH_ACTIONS = {BATCH_DRAFT: "复核通过", BATCH_REVIEWED: "审批通过", BATCH_APPROVED: "确认已拨付"}


def batch_refusal(state: str, project_count: int, exported: bool) -> str | None:
    """Why a batch may not move to its next state."""
    if state not in BATCH_NEXT:
        return "该批次已兑现，不能再变更"
    if project_count == 0:
        return "批次中没有项目"
    if state == BATCH_APPROVED and not exported:
        return "请先导出拨付清单（XLSX）交财政部门"
    return None


def batch_officer_refusal(target: str, actor_id: int | None, drafted_by: int | None, reviewed_by: int | None) -> str | None:
    """Four-eyes on a payout batch: the drafter may not review it; neither the drafter nor the
    reviewer may approve it. `None` ids (the system, an account since deleted) are not compared."""
    if actor_id is None:
        return None
    if target == BATCH_REVIEWED and actor_id == drafted_by:
        return "编制本批次的人员不能复核本批次（四眼原则）：请由另一名市级人员复核"
    if target == BATCH_APPROVED and actor_id in (drafted_by, reviewed_by):
        return "编制或复核本批次的人员不能审批本批次（四眼原则）：请由第三名市级人员审批"
    return None


def mask_account(account: str) -> str:
    """A bank account for the screen: all but the last four characters hidden."""
    account = (account or "").replace(" ", "")
    if not account:
        return ""
    return "*" * max(len(account) - 4, 0) + account[-4:] if len(account) > 4 else "*" * len(account)
