"""Programme use cases: the pilot enterprise pool, the project lifecycle, payout batches, satisfaction.

Every state change goes through `transition` (or a use case calling it): one transaction, the
project row locked, the guards of `domain/workflow.py` asked with facts read inside that
transaction, side effects (funds commitment, release, payment), then an audit entry naming the
enterprise's organisation so the step shows on its timeline (一企一档). Pages, the API and the demo
all come here; Django admin is read-only for these models. A payout therefore always re-checks the
post-assessment, and the database CHECK on `Project` refuses anything that slipped past.

Money: `domain.quote` computes the subsidy with what the programme still has
(`funds.free_direct_balance`), and `funds.commit/release/pay` move it under the reference
`project:<id>`.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from shuzhuan.core import audit
from shuzhuan.core.domain import format_yuan
from shuzhuan.core.jobs import private_path
from shuzhuan.core.models import Organisation, Role, User
from shuzhuan.programs import programmes
from shuzhuan.programs.domain import CostItem, QuoteInputError, quote
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.domain.model import LEVEL_NAMES, ProgrammeVersion
from shuzhuan.programs.models import (
    ExpertOpinion,
    InvestmentItem,
    Listing,
    Milestone,
    PayoutBatch,
    Programme,
    Project,
    ProjectDocument,
    Satisfaction,
)
from shuzhuan.registry.models import Enterprise, ZjtxTier


class ServiceError(Exception):
    """A use case refused; the message (in Chinese) is meant for the user."""


def _funds():
    from shuzhuan.funds import services as funds

    return funds


def _role(actor: Any) -> str:
    """The actor's role for the guards; None (the system, e.g. the demo generator) acts as admin."""
    if actor is None:
        return wf.ADMIN
    if getattr(actor, "is_superuser", False):
        return wf.ADMIN
    return getattr(actor, "role", "") or ""


def _user(actor: Any) -> User | None:
    return actor if getattr(actor, "pk", None) else None


def _today() -> dt.date:
    return timezone.localdate()


# --- programmes -----------------------------------------------------------------------------------------

def rules_version(programme: Programme, on: dt.date | None = None) -> ProgrammeVersion:
    """The subsidy rules (the data file with the programme's code) in force on a day."""
    try:
        rules = programmes.load(programme.code)
    except programmes.UnknownProgramme:
        raise ServiceError(f"找不到计划「{programme.name}」的奖补规则文件（{programme.code}.yaml）") from None
    day = on or _today()
    version = rules.version_on(day)
    if version is None:
        raise ServiceError(f"{day.isoformat()} 不在「{rules.title}」任何规则版本的有效期内（{rules.periods}）")
    return version


def categories(programme: Programme) -> dict[str, str]:
    """Cost categories of the programme's current rules (eligible first), code → label."""
    try:
        version = rules_version(programme)
    except ServiceError:
        return {}
    return {**version.eligible_categories, **version.excluded_categories}


def targets(programme: Programme, on: dt.date | None = None) -> dict[str, tuple[str, frozenset[str]]]:
    """The programme's target sub-industries: code → (name, GB/T 4754 classes)."""
    from shuzhuan.registry import sub_industries

    found: dict[str, tuple[str, frozenset[str]]] = {}
    for code in programme.sub_industries or []:
        sub = sub_industries.get(code, on)
        if sub is not None:
            found[code] = (sub.name, sub.classes)
    return found


def sub_industry_names(programme: Programme) -> dict[str, str]:
    return {code: name for code, (name, _classes) in targets(programme).items()}


# --- pilot enterprise pool (试点企业库) -----------------------------------------------------------------

def _earlier_pilots(programme: Programme, enterprise_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Enterprise id → name of an earlier programme it was listed in."""
    rows = Listing.objects.filter(status=wf.LISTING_LISTED, programme__starts_on__lt=programme.starts_on).exclude(
        programme=programme)
    if enterprise_ids is not None:
        rows = rows.filter(enterprise_id__in=list(enterprise_ids))
    return dict(rows.values_list("enterprise_id", "programme__name"))


def check_eligibility(programme: Programme, enterprise: Enterprise) -> wf.Eligibility:
    earlier = _earlier_pilots(programme, [enterprise.pk]).get(enterprise.pk, "")
    firm = wf.Firm(size_class=enterprise.size_class, industry=enterprise.industry_id,
                   little_giant=enterprise.zjtx_tier == ZjtxTier.LITTLE_GIANT, in_earlier_pilot=earlier)
    return wf.eligibility(firm, targets(programme), sme_only=programme.sme_only,
                          exclude_little_giants=programme.exclude_little_giants,
                          exclude_earlier_pilots=programme.exclude_earlier_pilots)


def _baseline_levels(enterprise_ids: Iterable[int]) -> dict[int, int | None]:
    from shuzhuan.assessment.models import Assessment
    from shuzhuan.assessment.results import official_assessments

    rows = official_assessments(Assessment.objects.filter(enterprise_id__in=list(enterprise_ids)))
    return dict(rows.values_list("enterprise_id", "level"))


@transaction.atomic
def apply_for_listing(actor: Any, programme: Programme, enterprise: Enterprise, note: str = "") -> Listing:
    """The enterprise applies to be listed; refused with the reasons when it is not eligible."""
    if programme.closed:
        raise ServiceError("该计划已结束，不再受理申请")
    if Listing.objects.filter(programme=programme, enterprise=enterprise).exists():
        raise ServiceError("本企业已在该计划的试点企业库中（或申请已提交）")
    result = check_eligibility(programme, enterprise)
    if not result.eligible:
        raise ServiceError("不符合申报条件：" + "；".join(result.reasons))
    listing = Listing.objects.create(
        programme=programme, enterprise=enterprise, status=wf.LISTING_APPLIED, sub_industry=result.sub_industry,
        baseline_level=_baseline_levels([enterprise.pk]).get(enterprise.pk), eligibility=list(result.explanation),
        note=note,
    )
    audit.record(actor, "programs.listing.apply", listing, f"申请列入「{programme.name}」试点企业库",
                 organisation=enterprise.pk, reason=note)
    return listing


def proposal(programme: Programme, town_id: int | None = None, limit: int | None = None) -> list[tuple[Enterprise, wf.Eligibility, int | None]]:
    """A batch proposal computed from the registry and the assessments: eligible firms of the target
    sub-industries not yet in the pool, those below 二级 (most in need) first, then by revenue."""
    classes = sorted({c for _name, cls in targets(programme).values() for c in cls})
    if not classes:
        return []
    base = Enterprise.objects.filter(industry_id__in=classes).exclude(pilot_listings__programme=programme)
    if programme.sme_only:
        base = base.filter(size_class__in=sorted(wf.SME_CLASSES))
    if programme.exclude_little_giants:
        base = base.exclude(zjtx_tier=ZjtxTier.LITTLE_GIANT)
    if town_id is not None:
        base = base.filter(town_id=town_id)
    firms = list(base.select_related("organisation", "town").order_by("-revenue", "organisation_id"))
    earlier = _earlier_pilots(programme, [f.pk for f in firms]) if programme.exclude_earlier_pilots else {}
    levels = _baseline_levels([f.pk for f in firms])
    found = []
    for firm in firms:
        result = wf.eligibility(
            wf.Firm(firm.size_class, firm.industry_id, firm.zjtx_tier == ZjtxTier.LITTLE_GIANT, earlier.get(firm.pk, "")),
            targets(programme), sme_only=programme.sme_only, exclude_little_giants=programme.exclude_little_giants,
            exclude_earlier_pilots=programme.exclude_earlier_pilots)
        if result.eligible:
            found.append((firm, result, levels.get(firm.pk)))
    found.sort(key=lambda row: (0 if row[2] is not None and row[2] < 2 else 1 if row[2] is None else 2))
    return found[:limit] if limit else found


@transaction.atomic
def propose(actor: Any, programme: Programme, town_id: int | None = None, limit: int | None = None) -> int:
    """Put the proposal into the pool as 'proposed' rows, for the town to review. Returns how many."""
    rows = proposal(programme, town_id, limit)
    listings = [Listing(programme=programme, enterprise=firm, status=wf.LISTING_PROPOSED, sub_industry=result.sub_industry,
                        baseline_level=level, eligibility=list(result.explanation),
                        note="系统根据企业库与评测结果推荐")
                for firm, result, level in rows]
    Listing.objects.bulk_create(listings, batch_size=1000)
    created = Listing.objects.filter(programme=programme, enterprise_id__in=[f.pk for f, _r, _l in rows])
    audit.AuditEntry.objects.bulk_create([
        audit.entry(actor, "programs.listing.propose", listing, f"系统推荐列入「{programme.name}」试点企业库",
                    organisation=listing.enterprise_id, reason="符合条件：" + "；".join(listing.eligibility))
        for listing in created], batch_size=1000)
    return len(listings)


def _town_may_review(actor: Any, listing: Listing) -> bool:
    role = _role(actor)
    return role in wf.CITY_ROLES or (role == wf.TOWN and actor.town_id == listing.enterprise.town_id)


@transaction.atomic
def review_listings(actor: Any, listing_ids: Iterable[int], approve: bool, reason: str = "") -> int:
    """Town review (applied/proposed → town_approved or rejected) or city approval (town_approved →
    listed or rejected), whichever step each listing is at and the actor may take."""
    role = _role(actor)
    if not approve and not reason.strip():
        raise ServiceError("不通过时请填写原因")
    rows = list(Listing.objects.select_for_update().filter(pk__in=list(listing_ids))
                .select_related("enterprise__town", "programme"))
    if not rows:
        raise ServiceError("请选择要审核的企业")
    today = _today()
    changed = 0
    for listing in rows:
        step = ""
        if listing.status in (wf.LISTING_APPLIED, wf.LISTING_PROPOSED) and _town_may_review(actor, listing):
            step = "town"
            listing.status = wf.LISTING_TOWN_APPROVED if approve else wf.LISTING_REJECTED
            listing.town_reviewed_by, listing.town_reviewed_at = _user(actor), timezone.now()
        elif listing.status == wf.LISTING_TOWN_APPROVED and role in wf.CITY_ROLES:
            step = "city"
            listing.status = wf.LISTING_LISTED if approve else wf.LISTING_REJECTED
            listing.approved_by = _user(actor)
            if approve:
                listing.listed_on = today
                listing.finish_due = wf.add_months(today, listing.programme.finish_months)
        if not step:
            continue
        listing.save()
        changed += 1
        what = {"town": "镇街审核", "city": "市级审定"}[step]
        result = "通过" if approve else "不通过"
        summary = f"试点企业库{what}{result}（{listing.programme.name}）"
        if listing.status == wf.LISTING_LISTED:
            summary += f"，入库日期 {listing.listed_on.isoformat()}，改造完成期限 {listing.finish_due.isoformat()}"
        audit.record(actor, f"programs.listing.{step}_{'approve' if approve else 'reject'}", listing, summary,
                     organisation=listing.enterprise_id, reason=reason)
    if not changed:
        raise ServiceError("所选企业没有可由您审核的记录")
    return changed


# --- projects ---------------------------------------------------------------------------------------

def provider_in_pool(org_id: int | None) -> bool:
    if not org_id:
        return False
    from shuzhuan.marketplace.models import IN_POOL_STATUSES, ProviderProfile

    return ProviderProfile.objects.filter(pk=org_id, pool_status__in=IN_POOL_STATUSES).exists()


def pool_providers():
    from shuzhuan.marketplace.models import IN_POOL_STATUSES

    return Organisation.objects.filter(provider_profile__pool_status__in=IN_POOL_STATUSES).order_by("name")


@transaction.atomic
def create_project(actor: Any, listing: Listing, title: str, provider: Organisation | None = None, **fields: Any) -> Project:
    """A draft project for a listed enterprise (one open project per listing)."""
    if listing.status != wf.LISTING_LISTED:
        raise ServiceError("企业尚未列入试点企业库，不能创建改造项目")
    open_projects = Project.objects.filter(listing=listing).exclude(state__in=[wf.REJECTED, wf.WITHDRAWN])
    if open_projects.exists():
        raise ServiceError("该企业在本计划中已有改造项目")
    project = Project.objects.create(
        programme=listing.programme, listing=listing, enterprise=listing.enterprise, provider=provider, title=title,
        finish_due=listing.finish_due, baseline_level=listing.baseline_level, **fields)
    audit.record(actor, "programs.project.create", project, f"创建改造项目「{title}」", organisation=project.enterprise_id)
    return project


def _editable_or_refuse(project: Project, part: str) -> None:
    if wf.editable(project.state, project.returned_to) != part:
        raise ServiceError(f"项目当前状态为「{project.state_label}」，不能修改{ {'contract': '合同备案信息', 'acceptance': '验收材料'}[part] }")


def _locked(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related("programme", "listing", "enterprise__town").get(pk=project.pk)


@transaction.atomic
def update_contract(actor: Any, project: Project, **values: Any) -> Project:
    """Edit the contract filing (provider, title, contract no., amount, dates) while editable."""
    row = _locked(project)
    _editable_or_refuse(row, "contract")
    allowed = {"title", "provider", "contract_no", "contract_amount", "signed_on"}
    old = {k: getattr(row, k) for k in values if k in allowed}
    for key, value in values.items():
        if key in allowed:
            setattr(row, key, value)
    if row.provider_id and not provider_in_pool(row.provider_id):
        raise ServiceError("所选服务商不在供给资源池中")
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
        raise ServiceError(f"未知的费用类别 {category!r}")
    if not isinstance(amount, Decimal) or amount <= 0:
        raise ServiceError("金额应大于 0")
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
        raise ServiceError("明细不存在")
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
        raise ServiceError("只有在合同备案和实施阶段可以设置里程碑")
    if not _may_deliver(actor, row):
        raise ServiceError("只有企业或承担改造的服务商可以设置里程碑")
    milestone = Milestone.objects.create(project=row, title=title, due_on=due_on)
    audit.record(actor, "programs.project.milestone", row, f"设置里程碑「{title}」（计划 {due_on.isoformat()}）",
                 organisation=row.enterprise_id)
    return milestone


@transaction.atomic
def finish_milestone(actor: Any, project: Project, milestone_id: int, note: str = "") -> Milestone:
    row = _locked(project)
    if row.state != wf.IN_PROGRESS:
        raise ServiceError("项目实施中才能确认里程碑完成")
    if not _may_deliver(actor, row):
        raise ServiceError("只有企业或承担改造的服务商可以确认里程碑")
    milestone = row.milestones.filter(pk=milestone_id, done_on__isnull=True).first()
    if milestone is None:
        raise ServiceError("里程碑不存在或已完成")
    milestone.done_on, milestone.note = _today(), note[:300]
    milestone.save()
    audit.record(actor, "programs.project.milestone", row, f"里程碑「{milestone.title}」完成", organisation=row.enterprise_id,
                 reason=note)
    return milestone


# --- documents ------------------------------------------------------------------------------------

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
_MAGIC = {
    wf.PDF: (b"%PDF-", ""),
    wf.JPG: (b"\xff\xd8\xff", ""),
    wf.PNG: (b"\x89PNG\r\n\x1a\n", ""),
    wf.DOCX: (b"PK\x03\x04", "word/document.xml"),
    wf.XLSX: (b"PK\x03\x04", "xl/workbook.xml"),
}
_EXTENSIONS = {"pdf": wf.PDF, "jpg": wf.JPG, "jpeg": wf.JPG, "png": wf.PNG, "docx": wf.DOCX, "xlsx": wf.XLSX}
CONTENT_TYPES = {wf.PDF: "application/pdf", wf.JPG: "image/jpeg", wf.PNG: "image/png",
                 wf.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 wf.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def file_type_of(upload: Any) -> str:
    """The file's type by extension AND content (magic bytes; the office part inside a ZIP)."""
    name = str(getattr(upload, "name", "") or "")
    file_type = _EXTENSIONS.get(Path(name).suffix.lower().lstrip("."))
    if file_type is None:
        raise ServiceError("不支持的文件类型：仅可上传 PDF、JPG/PNG、DOCX、XLSX 文件")
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        raise ServiceError("文件为空")
    if size > DOCUMENT_MAX_BYTES:
        raise ServiceError(f"文件过大：每个文件不超过 {DOCUMENT_MAX_BYTES // (1024 * 1024)} MB")
    magic, member = _MAGIC[file_type]
    upload.seek(0)
    ok = upload.read(16).startswith(magic)
    upload.seek(0)
    if ok and member:
        try:
            with zipfile.ZipFile(upload) as archive:
                ok = member in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            ok = False
        upload.seek(0)
    if not ok:
        raise ServiceError(f"文件内容与扩展名不符，请上传真实的 {file_type.upper()} 文件")
    return file_type


@transaction.atomic
def upload_document(actor: Any, project: Project, kind: str, upload: Any) -> ProjectDocument:
    """Store a project document privately. The contract goes with the contract filing; the other
    acceptance documents with the acceptance application."""
    document_kind = wf.DOCUMENTS.get(kind)
    if document_kind is None:
        raise ServiceError("未知的材料类型")
    row = _locked(project)
    part = wf.editable(row.state, row.returned_to)
    if part is None or (part == "contract" and kind != "contract"):
        raise ServiceError(f"项目当前状态为「{row.state_label}」，不能上传「{document_kind.label}」")
    if not _may_deliver(actor, row):
        raise ServiceError("只有项目所属企业可以上传材料")
    file_type = file_type_of(upload)
    if file_type not in document_kind.types:
        raise ServiceError(f"「{document_kind.label}」应为 {'/'.join(t.upper() for t in document_kind.types)} 文件")
    relative = f"programs/{row.pk}/{uuid.uuid4().hex}.{file_type}"
    with private_path(relative).open("wb") as fh:
        for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            fh.write(chunk)
    name = Path(str(upload.name)).name[:200]
    document = ProjectDocument.objects.create(project=row, kind=kind, file_type=file_type, path=relative, name=name,
                                              size=upload.size, uploaded_by=_user(actor))
    audit.record(actor, "programs.project.document", row, f"上传「{document_kind.label}」：{name}",
                 organisation=row.enterprise_id)
    return document


def latest_documents(project: Project) -> dict[str, ProjectDocument]:
    """The latest upload of each kind (earlier ones stay for the record)."""
    latest: dict[str, ProjectDocument] = {}
    for document in project.documents.order_by("uploaded_at", "id"):
        latest[document.kind] = document
    return latest


# --- the post-assessment ------------------------------------------------------------------------

def find_post_assessment(project: Project):
    """The enterprise's latest signed on-site post-transformation rating, if any."""
    from shuzhuan.assessment.models import Assessment, Kind, Source, Status

    return (Assessment.objects.filter(enterprise_id=project.enterprise_id, kind=Kind.POST, source=Source.ONSITE,
                                      status=Status.SIGNED)
            .order_by("-assessed_on", "-id").first())


def _assessment_facts(project: Project, assessment: Any) -> dict[str, Any]:
    from shuzhuan.assessment.models import Kind, Source, Status

    if assessment is None:
        return {"post_assessment_found": False}
    return {
        "post_assessment_found": True,
        "post_assessment_signed": assessment.status == Status.SIGNED,
        "post_assessment_onsite": assessment.source == Source.ONSITE,
        "post_assessment_kind_post": assessment.kind == Kind.POST,
        "post_assessment_after_completion": bool(project.completed_on and assessment.assessed_on >= project.completed_on),
        "post_assessment_rater_is_provider": bool(project.provider_id and assessment.rater_organisation_id == project.provider_id),
        "level_achieved": assessment.level,
    }


# --- facts and the one gate ---------------------------------------------------------------------------

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


# --- expert review ---------------------------------------------------------------------------------

@transaction.atomic
def assign_expert(actor: Any, project: Project, expert: User) -> Project:
    row = _locked(project)
    if _role(actor) not in wf.CITY_ROLES:
        raise ServiceError("只有市工信局可以指派评审专家")
    if row.state != wf.TOWN_REVIEWED:
        raise ServiceError("镇街初审通过后才能指派评审专家")
    if expert.role != Role.EXPERT or not expert.is_active:
        raise ServiceError("请选择评审专家账号")
    row.expert = expert
    row.updated_at = timezone.now()
    row.save()
    audit.record(actor, "programs.project.assign_expert", row, f"指派评审专家 {expert}", organisation=row.enterprise_id)
    return row


@transaction.atomic
def submit_expert_opinion(actor: Any, project: Project, score: Decimal, recommend: bool, opinion: str) -> Project:
    """The assigned expert scores and gives an opinion; the project moves to expert_reviewed."""
    row = _locked(project)
    if not (_role(actor) == wf.EXPERT and row.expert_id == actor.pk):
        raise ServiceError("只有被指派评审该项目的专家可以提交评审意见")
    if row.state != wf.TOWN_REVIEWED:
        raise ServiceError(f"项目当前状态为「{row.state_label}」，不能提交评审意见")
    if not (Decimal("0") <= score <= Decimal("100")):
        raise ServiceError("评分应在 0–100 之间")
    if not opinion.strip():
        raise ServiceError("请填写评审意见")
    ExpertOpinion.objects.create(project=row, expert=actor, score=score, recommend=recommend, opinion=opinion.strip())
    return transition(actor, row, "expert_review",
                      reason=f"评分 {score}，{'建议通过' if recommend else '建议不通过'}：{opinion.strip()}")


# --- payout batches ---------------------------------------------------------------------------------

def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def build_batch(actor: Any, programme: Programme, month: dt.date | None = None,
                project_ids: Iterable[int] | None = None) -> PayoutBatch:
    """A new batch for the month holding the city-approved projects not yet in a batch (or those chosen)."""
    if _role(actor) not in wf.CITY_ROLES:
        raise ServiceError("只有市工信局可以编制兑现批次")
    month = month_start(month or _today())
    candidates = Project.objects.select_for_update().filter(programme=programme, state=wf.CITY_APPROVED, batch__isnull=True)
    if project_ids is not None:
        candidates = candidates.filter(pk__in=list(project_ids))
    projects = list(candidates.order_by("approved_on", "pk"))
    if not projects:
        raise ServiceError("没有可列入批次的市级审定项目")
    number = (PayoutBatch.objects.filter(programme=programme, month=month).order_by("-number")
              .values_list("number", flat=True).first() or 0) + 1
    batch = PayoutBatch.objects.create(programme=programme, month=month, number=number, created_by=_user(actor))
    for project in projects:
        transition(actor, project, "add_to_batch", batch=batch)
    audit.record(actor, "programs.batch.build", batch, f"编制兑现批次 {batch.label}：{len(projects)} 个项目")
    return batch


@transaction.atomic
def remove_from_batch(actor: Any, batch: PayoutBatch, project: Project, reason: str) -> None:
    locked = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != wf.BATCH_DRAFT:
        raise ServiceError("只有编制中的批次可以移出项目")
    if project.batch_id != locked.pk:
        raise ServiceError("该项目不在此批次中")
    transition(actor, project, "remove_from_batch", reason=reason)


def batch_total(batch: PayoutBatch) -> Decimal:
    total = Decimal("0.00")
    for amount in batch.projects.values_list("subsidy_amount", flat=True):
        total += amount or Decimal("0.00")
    return total


@transaction.atomic
def advance_batch(actor: Any, batch: PayoutBatch) -> PayoutBatch:
    """draft → reviewed → approved → paid. Paying pays every project (each re-checked by its guards)."""
    if _role(actor) not in wf.CITY_ROLES:
        raise ServiceError("只有市工信局可以审批兑现批次")
    row = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    count = row.projects.count()
    refusal = wf.batch_refusal(row.status, count, row.exported_at is not None)
    if refusal:
        raise ServiceError(refusal)
    now = timezone.now()
    target = wf.BATCH_NEXT[row.status]
    if target == wf.BATCH_REVIEWED:
        row.reviewed_by, row.reviewed_at = _user(actor), now
    elif target == wf.BATCH_APPROVED:
        row.approved_by, row.approved_at = _user(actor), now
    row.status = target
    if target == wf.BATCH_PAID:
        row.paid_by, row.paid_on = _user(actor), _today()
        row.save()
        for project in list(row.projects.order_by("pk")):
            transition(actor, project, "pay", batch=row)
    else:
        row.save()
    audit.record(actor, f"programs.batch.{target}", row,
                 f"兑现批次 {row.label}：{wf.BATCH_STATES[target]}（{count} 个项目，{format_yuan(batch_total(row))} 元）")
    batch.refresh_from_db()
    return row


PAYMENT_COLUMNS = ("序号", "企业名称", "统一社会信用代码", "所属镇街", "项目名称", "改造后等级", "现场评定编号",
                   "补助金额（元）")


def payment_rows(batch: PayoutBatch) -> tuple[list[str], list[list[Any]]]:
    projects = list(batch.projects.select_related("enterprise__organisation", "enterprise__town").order_by("pk"))
    sources: list[str] = []
    labels: dict[str, str] = {}
    try:
        for source in rules_version(batch.programme).fund_sources:
            sources.append(source.code)
            labels[source.code] = source.label
    except ServiceError:
        pass
    header = [*PAYMENT_COLUMNS, *(f"其中{labels[s]}（元）" for s in sources)]
    rows = []
    for index, p in enumerate(projects, 1):
        rows.append([index, p.enterprise.organisation.name, p.enterprise.organisation.uscc, p.enterprise.town.short_name,
                     p.title, LEVEL_NAMES[p.level_achieved] if p.level_achieved is not None else "",
                     p.post_assessment_id, p.subsidy_amount,
                     *(Decimal(p.subsidy_by_source.get(s, "0")) for s in sources)])
    return header, rows


@transaction.atomic
def export_batch(actor: Any, batch: PayoutBatch) -> bytes:
    """The payment list (拨付清单) for the finance bureau as XLSX; records the export."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from shuzhuan.core.xlsx import append_row

    if _role(actor) not in wf.CITY_ROLES:
        raise ServiceError("只有市工信局可以导出拨付清单")
    if batch.status not in (wf.BATCH_APPROVED, wf.BATCH_PAID):
        raise ServiceError("批次审批通过后才能导出拨付清单")
    header, rows = payment_rows(batch)
    wb = Workbook()
    ws = wb.active
    ws.title = "拨付清单"
    append_row(ws, [f"{batch.programme.name} · 兑现批次 {batch.label}"])
    append_row(ws, header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(ws, row)
    money_columns = range(8, len(header) + 1)
    for r in ws.iter_rows(min_row=3, max_row=2 + len(rows)):
        for cell in r:
            if cell.column in money_columns:
                cell.number_format = "#,##0.00"
    total = sum((r[7] for r in rows), Decimal("0.00"))
    append_row(ws, ["合计", "", "", "", "", "", "", total])
    ws.cell(row=ws.max_row, column=8).number_format = "#,##0.00"
    for column, width in zip("ABCDEFGH", (6, 32, 22, 10, 32, 10, 12, 16), strict=True):
        ws.column_dimensions[column].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    if batch.exported_at is None:
        PayoutBatch.objects.filter(pk=batch.pk).update(exported_at=timezone.now())
        batch.refresh_from_db()
    audit.record(actor, "programs.batch.export", batch, f"导出兑现批次 {batch.label} 拨付清单（{len(rows)} 行）")
    return buffer.getvalue()


# --- satisfaction ----------------------------------------------------------------------------------

@transaction.atomic
def rate_provider(actor: Any, project: Project, score: int, comment: str = "") -> Satisfaction:
    """After payout the enterprise rates its provider 1–5 (once per project)."""
    row = _locked(project)
    if not (_role(actor) == wf.ENTERPRISE and actor.organisation_id == row.enterprise_id):
        raise ServiceError("只有项目所属企业可以评价服务商")
    if row.state != wf.PAID:
        raise ServiceError("补助兑现后才能评价服务商")
    if Satisfaction.objects.filter(project=row).exists():
        raise ServiceError("已评价过该项目的服务商")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ServiceError("满意度应为 1–5 的整数")
    rating = Satisfaction.objects.create(project=row, provider_id=row.provider_id, score=score, comment=comment.strip(),
                                         rated_by=_user(actor))
    audit.record(actor, "programs.project.rate", row, f"评价服务商满意度 {score} 分", organisation=row.enterprise_id,
                 reason=comment.strip())
    refresh_provider_stars(row.provider_id, actor)
    return rating


def delivery_record(provider_id: int):
    """The provider's delivery record for its star rating: satisfaction (1–5 → 0–100), projects that
    applied for acceptance and how many did so on time, and its admission score."""
    from django.db.models import Avg, Count, F, Q

    from shuzhuan.marketplace.domain.stars import DeliveryRecord
    from shuzhuan.marketplace.models import ProviderProfile

    rated = Satisfaction.objects.filter(provider_id=provider_id).aggregate(n=Count("pk"), mean=Avg("score"))
    accepted = Project.objects.filter(provider_id=provider_id, acceptance_applied_on__isnull=False).aggregate(
        n=Count("pk"),
        on_time=Count("pk", filter=Q(acceptance_due__isnull=True) | Q(acceptance_applied_on__lte=F("acceptance_due"))),
    )
    mean = rated["mean"]
    profile = ProviderProfile.objects.filter(pk=provider_id).only("admission_score").first()
    return DeliveryRecord(
        rated_projects=rated["n"],
        satisfaction=None if mean is None else (Decimal(str(mean)) * 20).quantize(Decimal("0.01")),
        accepted_projects=accepted["n"], on_time_projects=accepted["on_time"],
        admission_score=profile.admission_score if profile else None,
    )


def refresh_provider_stars(provider_id: int | None, actor: Any = None) -> None:
    """Satisfaction and acceptance feed the pool's star rating (issue 5 item 7, DESIGN decision 12)."""
    from shuzhuan.marketplace.models import ProviderProfile
    from shuzhuan.marketplace.services_pool import refresh_stars

    profile = ProviderProfile.objects.filter(pk=provider_id).first() if provider_id else None
    if profile is not None:
        refresh_stars(profile, delivery_record(provider_id), actor)


# --- conflict of interest (DESIGN decision 3) ----------------------------------------------------

def contracted_providers(enterprise: Enterprise | int) -> set[int]:
    """Organisation ids of the providers contracted by this enterprise on any project still alive."""
    enterprise_id = enterprise if isinstance(enterprise, int) else enterprise.pk
    return set(Project.objects.filter(enterprise_id=enterprise_id, provider__isnull=False)
               .exclude(state__in=[wf.WITHDRAWN, wf.REJECTED]).values_list("provider_id", flat=True))


def rater_conflict(enterprise: Enterprise | int, organisation: Organisation | int | None) -> str | None:
    """Why this organisation may not rate the enterprise on site, or None."""
    if organisation is None:
        return None
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    if org_id in contracted_providers(enterprise):
        return "该服务商是企业改造项目的签约服务商，不能担任其现场评定机构"
    return None


# --- deadlines and reminders -------------------------------------------------------------------------

OPEN_STATES = (wf.DRAFT, wf.CONTRACT_FILED, wf.IN_PROGRESS, wf.COMPLETED)


def overdue_projects(queryset=None, today: dt.date | None = None):
    """Projects past a deadline in the state that deadline applies to."""
    today = today or _today()
    base = queryset if queryset is not None else Project.objects.all()
    return base.filter(
        Q(state__in=[wf.DRAFT, wf.CONTRACT_FILED, wf.IN_PROGRESS], finish_due__lt=today)
        | Q(state=wf.COMPLETED, acceptance_due__lt=today))


def remind_deadlines(today: dt.date | None = None, every_days: int = 7) -> int:
    """Write a reminder on each overdue or soon-due project's timeline, at most once a week each."""
    today = today or _today()
    soon = today + dt.timedelta(days=14)
    due = Project.objects.filter(
        Q(state__in=[wf.DRAFT, wf.CONTRACT_FILED, wf.IN_PROGRESS], finish_due__lte=soon)
        | Q(state=wf.COMPLETED, acceptance_due__lte=soon)).filter(
        Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lte=today - dt.timedelta(days=every_days)))
    count = 0
    for project in due.select_related("programme"):
        line = (wf.overdue(project.state, today, project.finish_due, project.acceptance_due)
                or wf.due_soon(project.state, today, project.finish_due, project.acceptance_due))
        if not line:
            continue
        with transaction.atomic():
            Project.objects.filter(pk=project.pk).update(last_reminded_on=today)
            audit.record(None, "programs.project.remind", project, f"期限提醒：「{project.title}」{line}",
                         organisation=project.enterprise_id)
        count += 1
    return count


# --- the project archive (一企一档) -----------------------------------------------------------------

def archive_zip(project: Project) -> bytes:
    """The project's documents and a summary (项目摘要.txt) as one ZIP."""
    from shuzhuan.core.models import AuditEntry

    buffer = io.BytesIO()
    documents = list(project.documents.order_by("kind", "uploaded_at", "id"))
    labels = {k.code: k.label for k in wf.DOCUMENT_KINDS}
    cats = categories(project.programme)
    lines = [
        f"改造项目档案：{project.title}",
        f"企业：{project.enterprise.organisation.name}（{project.enterprise.organisation.uscc}），{project.enterprise.town.name}",
        f"试点计划：{project.programme.name}",
        f"服务商：{project.provider.name if project.provider else '—'}",
        f"状态：{project.state_label}",
        f"合同编号：{project.contract_no or '—'}；合同金额：{format_yuan(project.contract_amount)} 元；签订日期：{project.signed_on or '—'}",
        f"改造前等级：{LEVEL_NAMES[project.baseline_level] if project.baseline_level is not None else '未评定'}；"
        f"改造后等级：{LEVEL_NAMES[project.level_achieved] if project.level_achieved is not None else '未评定'}"
        + (f"（现场评定 #{project.post_assessment_id}）" if project.post_assessment_id else ""),
        "",
        "投资明细：",
        *(f"  {cats.get(i.category, i.category)} {format_yuan(i.amount)} 元 {i.description}" for i in project.items.all()),
        "",
        f"补助金额：{format_yuan(project.subsidy_amount)} 元（规则版本 {project.rules_version or '—'}）",
        *(f"  {line}" for line in project.subsidy_explanation),
        "",
        "材料：",
        *(f"  {labels.get(d.kind, d.kind)}：{d.name}（{d.uploaded_at:%Y-%m-%d}）" for d in documents),
        "",
        "办理记录：",
    ]
    history = AuditEntry.objects.filter(target_type="programs.project", target_id=str(project.pk)).order_by("at", "id")
    for entry in history:
        lines.append(f"  {timezone.localtime(entry.at):%Y-%m-%d %H:%M} {entry.actor_label}：{entry.summary}"
                     + (f"（原因：{entry.reason}）" if entry.reason else ""))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("项目摘要.txt", "\n".join(lines) + "\n")
        seen: set[str] = set()
        for document in documents:
            path = private_path(document.path)
            if not path.is_file():
                continue
            name = f"{labels.get(document.kind, document.kind)}/{document.name}"
            while name in seen:
                name = f"{labels.get(document.kind, document.kind)}/{document.pk}-{document.name}"
            seen.add(name)
            archive.write(path, name)
    return buffer.getvalue()
