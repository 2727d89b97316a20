"""Use cases of the supply resource pool (供给资源池): provider profiles, admission with expert review
and public notice (公示), sanctions, star ratings, and the offerings' review before they go public.

Each function is one transaction and writes an audit entry naming the provider's organisation, so
the provider's page shows its history. Guards raise `PoolError` with a sentence for the user.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhuan.core import audit, jobs
from shuzhuan.core.models import Organisation, OrganisationKind, Role, User
from shuzhuan.marketplace.domain import stars as star_rules
from shuzhuan.marketplace.domain.workdays import WorkCalendar
from shuzhuan.marketplace.models import (
    IN_POOL_STATUSES,
    ApplicationDocument,
    ApplicationStatus,
    ExpertReview,
    NoticeObjection,
    Offering,
    OfferingKind,
    OfferingStatus,
    PoolApplication,
    PoolSanction,
    PoolStatus,
    ProductType,
    ProviderProfile,
    SanctionKind,
    SolutionCategory,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class PoolError(Exception):
    """A step that is not allowed now; the message is shown to the user."""


# --- rules as data ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PoolRules:
    notice_workdays: int
    min_experts: int
    pass_score: Decimal
    max_document_bytes: int
    document_extensions: tuple[str, ...]
    document_kinds: dict[str, str]
    calendar: WorkCalendar
    sources: dict[str, str]


@cache
def pool_rules() -> PoolRules:
    with (DATA_DIR / "pool_rules.yaml").open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    params = data["versions"][-1]["parameters"]
    docs = data["documents"]
    overrides = data.get("workday_overrides") or {}
    return PoolRules(
        notice_workdays=int(params["notice_workdays"]["value"]),
        min_experts=int(params["min_experts"]["value"]),
        pass_score=Decimal(str(params["pass_score"]["value"])),
        max_document_bytes=int(settings.DOCUMENT_MAX_UPLOAD_BYTES),
        document_extensions=tuple(str(e).lower() for e in docs["extensions"]),
        document_kinds={str(k): str(v) for k, v in docs["kinds"].items()},
        calendar=WorkCalendar.with_overrides(overrides.get("holidays") or (), overrides.get("workdays") or ()),
        sources={k: v["source"] for k, v in params.items()},
    )


@cache
def star_rule_versions() -> list[star_rules.StarRule]:
    with (DATA_DIR / "star_rule.yaml").open(encoding="utf-8") as fh:
        return star_rules.parse_rules(yaml.safe_load(fh))


def satisfaction_points(mean_rating: Decimal | float | str) -> Decimal:
    """A mean 1–5 satisfaction rating on the star rule's 0–100 scale (the factor is in star_rule.yaml)."""
    return star_rules.rule_for(star_rule_versions(), today()).satisfaction_points(Decimal(str(mean_rating)))


def today() -> dt.date:
    return timezone.localdate()


def _org(provider: ProviderProfile) -> int:
    return provider.organisation_id


# --- provider profile -------------------------------------------------------------------------------

PROFILE_FIELDS = ("town", "address", "introduction", "qualifications", "staff_count", "engineer_count",
                  "contact_name", "contact_phone")


@transaction.atomic
def create_profile(actor: User, values: dict[str, Any]) -> ProviderProfile:
    """A provider user's organisation gets its profile (status 申请中) — the first step to apply."""
    org = Organisation.objects.select_for_update().get(pk=actor.organisation_id)
    if org.kind != OrganisationKind.PROVIDER:
        raise PoolError(_("只有服务商类组织可以建立服务商档案。"))
    if ProviderProfile.objects.filter(pk=org.pk).exists():
        raise PoolError(_("本单位已建立服务商档案。"))
    profile = ProviderProfile.objects.create(organisation=org, **{k: values.get(k) for k in PROFILE_FIELDS if k in values})
    audit.record(actor, "pool.profile_create", profile, f"建立服务商档案：{org.name}", organisation=org.pk)
    return profile


@transaction.atomic
def update_profile(actor: User, profile: ProviderProfile, values: dict[str, Any]) -> dict:
    old = {k: getattr(profile, k) for k in PROFILE_FIELDS}
    new = {k: values.get(k) for k in PROFILE_FIELDS if k in values}
    changes = audit.diff(old, new)
    if changes:
        for k, v in new.items():
            setattr(profile, k, v)
        profile.save()
        audit.record(actor, "pool.profile_update", profile, "修改服务商档案", organisation=_org(profile), changes=changes)
    return changes


# --- application: provider side -----------------------------------------------------------------------

OPEN_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.NOTICE)


def current_application(profile: ProviderProfile) -> PoolApplication | None:
    """The provider's open application, else its latest one."""
    apps = list(profile.applications.order_by("-created_at", "-pk")[:20])
    return next((a for a in apps if a.status in OPEN_STATUSES), apps[0] if apps else None)


@transaction.atomic
def start_application(actor: User, profile: ProviderProfile) -> PoolApplication:
    if profile.pool_status in (*IN_POOL_STATUSES, PoolStatus.SUSPENDED):
        raise PoolError(_("本单位已在资源池中，无需再次申请。"))
    if profile.applications.filter(status__in=OPEN_STATUSES).exists():
        raise PoolError(_("已有一份进行中的入池申请。"))
    application = PoolApplication.objects.create(
        provider=profile, qualifications=profile.qualifications,
    )
    audit.record(actor, "pool.apply_start", application, "开始填写入池申请", organisation=_org(profile))
    return application


@transaction.atomic
def save_application(actor: User, application: PoolApplication, values: dict[str, Any]) -> dict:
    if application.status != ApplicationStatus.DRAFT:
        raise PoolError(_("申请已提交，不能再修改。"))
    fields = ("qualifications", "cases", "staff")
    changes = audit.diff({k: getattr(application, k) for k in fields}, {k: values[k] for k in fields if k in values})
    if changes:
        for k in changes:
            setattr(application, k, values[k])
        application.save()
        audit.record(actor, "pool.apply_edit", application, "修改入池申请材料", organisation=_org(application.provider),
                     changes=changes)
    return changes


def document_problem(name: str, size: int) -> str | None:
    """Why an upload is refused (type or size), or None."""
    rules = pool_rules()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in rules.document_extensions:
        return f"不支持的文件类型 .{ext or '（无扩展名）'}：仅接受 {'、'.join(rules.document_extensions)}"
    if size <= 0:
        return "文件为空"
    if size > rules.max_document_bytes:
        return f"文件过大（{size / 1048576:.1f} MB），单个文件不超过 {rules.max_document_bytes // 1048576} MB"
    return None


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls


def content_matches(uploaded: Any, ext: str) -> bool:
    """The file's content is what its extension says (magic bytes, the office part inside a ZIP), as
    evidence uploads are checked (`assessment.services.EVIDENCE_TYPES`)."""
    import zipfile

    from shuzhuan.assessment.services import EVIDENCE_TYPES

    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if ext in ("doc", "xls"):
        return head.startswith(_OLE_MAGIC)
    file_type = EVIDENCE_TYPES.get(ext)
    if file_type is None or not head.startswith(file_type.magic):
        return False
    if file_type.zip_member:
        try:
            with zipfile.ZipFile(uploaded) as archive:
                return file_type.zip_member in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            uploaded.seek(0)
    return True


@transaction.atomic
def add_document(actor: User, application: PoolApplication, kind: str, uploaded: Any) -> ApplicationDocument:
    from django.utils.translation import gettext

    if application.status != ApplicationStatus.DRAFT:
        raise PoolError(gettext("申请已提交，不能再上传材料。"))
    problem = document_problem(uploaded.name, uploaded.size)
    if problem:
        raise PoolError(problem)
    ext = uploaded.name.rsplit(".", 1)[-1].lower()
    if not content_matches(uploaded, ext):
        raise PoolError(gettext("文件内容与扩展名 .%(ext)s 不符，请上传真实的 %(upper)s 文件") % {"ext": ext, "upper": ext.upper()})
    if kind not in pool_rules().document_kinds:
        raise PoolError(_("请选择材料类型。"))
    ext = uploaded.name.rsplit(".", 1)[-1].lower()
    relative = f"pool/{application.pk}/{uuid.uuid4().hex}.{ext}"
    with jobs.private_path(relative).open("wb") as fh:
        for chunk in uploaded.chunks():
            fh.write(chunk)
    doc = ApplicationDocument.objects.create(application=application, kind=kind, path=relative,
                                             name=Path(uploaded.name).name[:200], size=uploaded.size)
    audit.record(actor, "pool.document_add", application, f"上传申请材料：{doc.name}（{pool_rules().document_kinds[kind]}）",
                 organisation=_org(application.provider))
    return doc


def document_path(doc: ApplicationDocument) -> Path:
    return jobs.private_path(doc.path)


@transaction.atomic
def delete_document(actor: User, doc: ApplicationDocument) -> None:
    application = doc.application
    if application.status != ApplicationStatus.DRAFT:
        raise PoolError(_("申请已提交，不能再删除材料。"))
    path = document_path(doc)
    name = doc.name
    doc.delete()
    path.unlink(missing_ok=True)
    audit.record(actor, "pool.document_delete", application, f"删除申请材料：{name}", organisation=_org(application.provider))


def application_gaps(application: PoolApplication) -> list[str]:
    """What is still missing before the application can be submitted."""
    gaps = []
    if not application.qualifications.strip():
        gaps.append("资质情况")
    if not application.cases.strip():
        gaps.append("典型案例")
    if not application.staff.strip():
        gaps.append("团队情况")
    if not application.documents.exists():
        gaps.append("至少一份申请材料")
    profile = application.provider
    if not (profile.contact_name and profile.contact_phone):
        gaps.append("档案中的联系人与联系电话")
    return gaps


def _locked(application: PoolApplication) -> PoolApplication:
    return PoolApplication.objects.select_for_update(of=("self",)).select_related("provider__organisation").get(pk=application.pk)


@transaction.atomic
def submit_application(actor: User, application: PoolApplication) -> PoolApplication:
    application = _locked(application)
    if application.status != ApplicationStatus.DRAFT:
        raise PoolError(_("只有草稿状态的申请可以提交。"))
    gaps = application_gaps(application)
    if gaps:
        raise PoolError(_("请先补充：%(items)s。") % {"items": "、".join(gaps)})
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["status", "submitted_at"])
    audit.record(actor, "pool.submit", application, "提交入池申请", organisation=_org(application.provider))
    return application


@transaction.atomic
def withdraw_application(actor: User, application: PoolApplication, reason: str = "") -> PoolApplication:
    application = _locked(application)
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW):
        raise PoolError(_("当前状态的申请不能撤回。"))
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status"])
    audit.record(actor, "pool.withdraw", application, "撤回入池申请", organisation=_org(application.provider), reason=reason)
    return application


# --- application: city and experts ------------------------------------------------------------------

def experts() -> Any:
    return User.objects.filter(role=Role.EXPERT, is_active=True).order_by("display_name", "username")


@transaction.atomic
def assign_experts(actor: User, application: PoolApplication, chosen: Iterable[User]) -> list[ExpertReview]:
    application = _locked(application)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW):
        raise PoolError(_("只有已提交或评审中的申请可以分配专家。"))
    chosen = [u for u in chosen if u.role == Role.EXPERT]
    if not chosen:
        raise PoolError(_("请至少选择一位评审专家。"))
    existing = set(application.reviews.values_list("expert_id", flat=True))
    added = [ExpertReview.objects.create(application=application, expert=u) for u in chosen if u.pk not in existing]
    if not added:
        raise PoolError(_("所选专家已分配。"))
    application.status = ApplicationStatus.IN_REVIEW
    application.save(update_fields=["status"])
    names = "、".join(str(r.expert) for r in added)
    audit.record(actor, "pool.assign", application, f"分配评审专家：{names}", organisation=_org(application.provider))
    return added


@transaction.atomic
def submit_review(actor: User, application: PoolApplication, score: Decimal, opinion: str) -> ExpertReview:
    application = _locked(application)
    if application.status != ApplicationStatus.IN_REVIEW:
        raise PoolError(_("该申请不在专家评审阶段。"))
    review = ExpertReview.objects.select_for_update().filter(application=application, expert=actor).first()
    if review is None:
        raise PoolError(_("您未被分配评审该申请。"))
    if not Decimal(0) <= score <= Decimal(100):
        raise PoolError(_("评分应在 0–100 之间。"))
    if not opinion.strip():
        raise PoolError(_("请填写评审意见。"))
    resubmit = review.submitted_at is not None
    review.score, review.opinion, review.submitted_at = score, opinion.strip(), timezone.now()
    review.save(update_fields=["score", "opinion", "submitted_at"])
    audit.record(actor, "pool.review", application, f"专家{'修改' if resubmit else '提交'}评审意见：{score} 分",
                 organisation=_org(application.provider))
    return review


def mean_score(reviews: Iterable[ExpertReview]) -> Decimal | None:
    scores = [r.score for r in reviews if r.submitted_at and r.score is not None]
    if not scores:
        return None
    return (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@transaction.atomic
def decide(actor: User, application: PoolApplication, admit_to_notice: bool, reason: str, on: dt.date | None = None) -> PoolApplication:
    """After the experts: start the public notice (公示), or reject with a reason."""
    application = _locked(application)
    reviews = list(application.reviews.all())
    if not admit_to_notice:
        if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.NOTICE):
            raise PoolError(_("当前状态的申请不能驳回。"))
        if not reason.strip():
            raise PoolError(_("驳回须填写理由。"))
        application.status = ApplicationStatus.REJECTED
        application.score = mean_score(reviews)
        application.decision_reason = reason.strip()
        application.decided_at, application.decided_by = timezone.now(), actor
        application.save()
        audit.record(actor, "pool.reject", application, "入池申请未通过", organisation=_org(application.provider),
                     reason=reason.strip())
        return application
    if application.status != ApplicationStatus.IN_REVIEW:
        raise PoolError(_("只有专家评审中的申请可以进入公示。"))
    rules = pool_rules()
    done = [r for r in reviews if r.submitted_at]
    if len(done) < max(rules.min_experts, 1) or len(done) < len(reviews):
        raise PoolError(_("还有专家未提交评审意见（已提交 %(done)s / %(total)s）。") % {"done": len(done), "total": len(reviews)})
    start = on or today()
    application.status = ApplicationStatus.NOTICE
    application.score = mean_score(done)
    application.notice_start = start
    application.notice_end = rules.calendar.period_end(start, rules.notice_workdays)
    application.decision_reason = reason.strip()
    application.save()
    last_day = application.notice_end - dt.timedelta(days=1)
    audit.record(actor, "pool.notice", application,
                 f"专家平均分 {application.score} 分，进入公示：{start:%Y-%m-%d} 至 {last_day:%Y-%m-%d}（{rules.notice_workdays} 个工作日）",
                 organisation=_org(application.provider), reason=reason.strip())
    return application


OBJECTION_CONTACT = re.compile(r"^(?:\+?[0-9][0-9 -]{6,19}|[^@\s]+@[^@\s]+\.[^@\s]+)$")


def _objection_allowed(address: str, per_day: int) -> bool:
    """Count this address's objections in a day-long cache window (the address is hashed, never stored)."""
    import hashlib

    from django.core.cache import cache

    key = "pool-objection:" + hashlib.sha256((address or "-").encode()).hexdigest()[:32]
    if cache.add(key, 1, timeout=24 * 3600):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=24 * 3600)
        return True
    return count <= per_day


@transaction.atomic
def file_objection(application: PoolApplication, text: str, contact: str, on: dt.date | None = None,
                   address: str = "") -> NoticeObjection:
    """Anyone may object while the notice runs, with a contact (phone or e-mail) so the bureau can
    verify; one address may file `OBJECTIONS_PER_ADDRESS_PER_DAY` objections a day (issue 10 item 9)."""
    from django.conf import settings
    from django.utils.translation import gettext

    application = _locked(application)
    day = on or today()
    if application.status != ApplicationStatus.NOTICE or not (application.notice_start <= day < application.notice_end):
        raise PoolError(gettext("该服务商不在公示期内，不能提出异议。"))
    if not text.strip():
        raise PoolError(gettext("请填写异议内容。"))
    if not OBJECTION_CONTACT.match(contact.strip()):
        raise PoolError(gettext("请填写联系电话或电子邮箱，便于核实异议情况。"))
    if not _objection_allowed(address, settings.OBJECTIONS_PER_ADDRESS_PER_DAY):
        raise PoolError(gettext("提交异议过于频繁：同一网络每天最多提交 %(n)d 条，请明天再试或致电市工信局。")
                        % {"n": settings.OBJECTIONS_PER_ADDRESS_PER_DAY})
    objection = NoticeObjection.objects.create(application=application, text=text.strip()[:4000], contact=contact.strip()[:100])
    audit.record(None, "pool.objection", application, "公示期收到异议", organisation=_org(application.provider))
    return objection


@transaction.atomic
def resolve_objection(actor: User, objection: NoticeObjection, upheld: bool, resolution: str) -> NoticeObjection:
    objection = NoticeObjection.objects.select_for_update(of=("self",)).select_related("application__provider").get(pk=objection.pk)
    if objection.resolved_at:
        raise PoolError(_("该异议已处理。"))
    if not resolution.strip():
        raise PoolError(_("请填写处理结果。"))
    objection.upheld, objection.resolution, objection.resolved_at = upheld, resolution.strip(), timezone.now()
    objection.save()
    audit.record(actor, "pool.objection_resolve", objection.application,
                 f"处理公示异议：{'异议成立' if upheld else '异议不成立'}",
                 organisation=_org(objection.application.provider), reason=resolution.strip())
    return objection


def admit_blockers(application: PoolApplication, on: dt.date | None = None) -> list[str]:
    """Why the city cannot admit now (empty when it can)."""
    day = on or today()
    if application.status != ApplicationStatus.NOTICE:
        return ["只有公示中的申请可以确认入池。"]
    problems = []
    if day < application.notice_end:
        last = application.notice_end - dt.timedelta(days=1)
        problems.append(f"公示期至 {last:%Y-%m-%d} 结束，{application.notice_end:%Y-%m-%d} 起方可确认入池。")
    objections = list(application.objections.all())
    if any(o.resolved_at is None for o in objections):
        problems.append("还有未处理的公示异议。")
    if any(o.upheld for o in objections):
        problems.append("有成立的异议，请驳回该申请。")
    return problems


@transaction.atomic
def admit(actor: User, application: PoolApplication, on: dt.date | None = None) -> ProviderProfile:
    application = _locked(application)
    day = on or today()
    problems = admit_blockers(application, day)
    if problems:
        raise PoolError(" ".join(problems))
    application.status = ApplicationStatus.ADMITTED
    application.decided_at, application.decided_by = timezone.now(), actor
    application.save()
    profile = ProviderProfile.objects.select_for_update().get(pk=application.provider_id)
    profile.pool_status = PoolStatus.IN_POOL
    profile.admitted_on = day
    profile.admission_score = application.score
    profile.save(update_fields=["pool_status", "admitted_on", "admission_score"])
    audit.record(actor, "pool.admit", profile, f"公示期满，确认入池（评审得分 {application.score} 分）",
                 organisation=profile.organisation_id, changes={"pool_status": [PoolStatus.APPLICANT, PoolStatus.IN_POOL]})
    return profile


# --- sanctions (警示、暂停、出池、恢复) ----------------------------------------------------------------

SANCTION_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    SanctionKind.WARNING: ((PoolStatus.IN_POOL, PoolStatus.WARNED), PoolStatus.WARNED),
    SanctionKind.SUSPENSION: ((PoolStatus.IN_POOL, PoolStatus.WARNED), PoolStatus.SUSPENDED),
    SanctionKind.REMOVAL: ((PoolStatus.IN_POOL, PoolStatus.WARNED, PoolStatus.SUSPENDED), PoolStatus.REMOVED),
    SanctionKind.REINSTATEMENT: ((PoolStatus.WARNED, PoolStatus.SUSPENDED), PoolStatus.IN_POOL),
}


def allowed_sanctions(profile: ProviderProfile) -> list[str]:
    return [kind for kind, (sources, _to) in SANCTION_TRANSITIONS.items() if profile.pool_status in sources]


@transaction.atomic
def sanction(actor: User, profile: ProviderProfile, kind: str, reason: str) -> PoolSanction:
    profile = ProviderProfile.objects.select_for_update().select_related("organisation").get(pk=profile.pk)
    if kind not in SANCTION_TRANSITIONS:
        raise PoolError(_("未知的处理类型。"))
    sources, target = SANCTION_TRANSITIONS[kind]
    label = SanctionKind(kind).label
    if profile.pool_status not in sources:
        raise PoolError(_("当前状态（%(status)s）不能%(label)s。") % {"status": profile.get_pool_status_display(), "label": label})
    if not reason.strip():
        raise PoolError(_("请填写原因。"))
    before = profile.pool_status
    item = PoolSanction.objects.create(provider=profile, kind=kind, reason=reason.strip(), by=actor)
    profile.pool_status = target
    profile.save(update_fields=["pool_status"])
    audit.record(actor, f"pool.{kind}", profile, f"{label}：{profile.organisation.name}", organisation=profile.organisation_id,
                 changes={"pool_status": [before, target]}, reason=reason.strip())
    return item


# --- stars ----------------------------------------------------------------------------------------------

@transaction.atomic
def refresh_stars(profile: ProviderProfile, record: star_rules.DeliveryRecord, actor: Any = None,
                  on: dt.date | None = None) -> star_rules.StarResult:
    """Recompute a provider's stars from its delivery record (called after acceptance and satisfaction
    ratings); stores the stars and the explanation, or clears them while there is no data."""
    rule = star_rules.rule_for(star_rule_versions(), on or today())
    result = star_rules.rate(rule, record)
    stars = Decimal(result.stars) if result.stars is not None else None
    if profile.stars != stars or list(profile.stars_explanation) != list(result.explanation):
        before = profile.stars
        profile.stars, profile.stars_explanation = stars, list(result.explanation)
        profile.save(update_fields=["stars", "stars_explanation"])
        if before != stars:
            audit.record(actor, "pool.stars", profile, f"星级评定：{result.stars or '暂无'}{' 星' if result.stars else ''}",
                         organisation=profile.organisation_id, changes=audit.diff({"stars": before}, {"stars": stars}))
    return result


# --- offerings ---------------------------------------------------------------------------------------------

OFFERING_FIELDS = ("kind", "category", "product_type", "name", "summary", "description", "price_min", "price_max",
                   "pilot_discount", "deployment_days", "deployment", "scenarios", "industries", "min_level",
                   "max_level", "case_references")
EDITABLE_STATUSES = (OfferingStatus.DRAFT, OfferingStatus.REJECTED, OfferingStatus.WITHDRAWN, OfferingStatus.PUBLISHED)


def _offering_values(values: dict[str, Any]) -> dict[str, Any]:
    data = {k: values.get(k) for k in OFFERING_FIELDS if k in values}
    if data.get("kind") == OfferingKind.SOLUTION:
        data["product_type"] = ""
    elif data.get("kind") == OfferingKind.PRODUCT:
        data["category"] = None
    return data


@transaction.atomic
def create_offering(actor: User, profile: ProviderProfile, values: dict[str, Any]) -> Offering:
    offering = Offering.objects.create(provider=profile, **_offering_values(values))
    audit.record(actor, "offering.create", offering, f"新建{offering.get_kind_display()}：{offering.name}",
                 organisation=profile.organisation_id)
    return offering


@transaction.atomic
def update_offering(actor: User, offering: Offering, values: dict[str, Any]) -> dict:
    """Saving a published offering takes it off the catalogue until the city approves it again."""
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    if offering.status not in EDITABLE_STATUSES:
        raise PoolError(_("待审核的内容不能修改，请等待审核结果。"))
    new = _offering_values(values)
    changes = audit.diff({k: getattr(offering, k) for k in new}, new)
    if not changes:
        return {}
    for k, v in new.items():
        setattr(offering, k, v)
    if offering.status in (OfferingStatus.PUBLISHED, OfferingStatus.WITHDRAWN, OfferingStatus.REJECTED):
        changes["status"] = [offering.status, OfferingStatus.DRAFT]
        offering.status = OfferingStatus.DRAFT
    offering.updated_at = timezone.now()
    offering.save()
    audit.record(actor, "offering.update", offering, f"修改{offering.get_kind_display()}：{offering.name}",
                 organisation=offering.provider_id, changes=changes)
    return changes


def _transition(actor: User, offering: Offering, sources: tuple[str, ...], target: str, action: str, summary: str,
                note: str = "", error: str = "") -> Offering:
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    if offering.status not in sources:
        raise PoolError(error or _("当前状态（%(status)s）不能执行此操作。") % {"status": offering.get_status_display()})
    before = offering.status
    offering.status = target
    offering.updated_at = timezone.now()
    if action.startswith("offering.review"):
        offering.review_note, offering.reviewed_by, offering.reviewed_at = note, actor, timezone.now()
    offering.save()
    audit.record(actor, action, offering, f"{summary}：{offering.name}", organisation=offering.provider_id,
                 changes={"status": [before, target]}, reason=note)
    return offering


@transaction.atomic
def submit_offering(actor: User, offering: Offering) -> Offering:
    return _transition(actor, offering, (OfferingStatus.DRAFT, OfferingStatus.REJECTED, OfferingStatus.WITHDRAWN),
                       OfferingStatus.PENDING, "offering.submit", "提交审核")


@transaction.atomic
def review_offering(actor: User, offering: Offering, approve: bool, note: str) -> Offering:
    if not approve and not note.strip():
        raise PoolError(_("退回须填写审核意见。"))
    target = OfferingStatus.PUBLISHED if approve else OfferingStatus.REJECTED
    return _transition(actor, offering, (OfferingStatus.PENDING,), target,
                       "offering.review_approve" if approve else "offering.review_return",
                       "审核通过并发布" if approve else "审核退回", note.strip(), "只有待审核的内容可以审核。")


@transaction.atomic
def withdraw_offering(actor: User, offering: Offering, note: str = "") -> Offering:
    return _transition(actor, offering, (OfferingStatus.PUBLISHED, OfferingStatus.PENDING), OfferingStatus.WITHDRAWN,
                       "offering.withdraw", "下架", note.strip())


# --- figures --------------------------------------------------------------------------------------------------

def pool_figures(providers: Any, offerings: Any) -> dict[str, Any]:
    """The pool overview's counts (within what the caller may see): providers in the pool, published
    solutions by category and products by type — the seed's 103 / 82 in 3 / 287."""
    in_pool = providers.filter(pool_status__in=IN_POOL_STATUSES).count()
    by_status = dict(providers.values_list("pool_status").annotate(n=Count("pk")))
    public = offerings.filter(status=OfferingStatus.PUBLISHED, provider__pool_status__in=IN_POOL_STATUSES)
    by_category = dict(public.filter(kind=OfferingKind.SOLUTION).values_list("category_id").annotate(n=Count("pk")))
    by_type = dict(public.filter(kind=OfferingKind.PRODUCT).values_list("product_type").annotate(n=Count("pk")))
    categories = list(SolutionCategory.objects.all())
    return {
        "in_pool": in_pool,
        "by_status": [(PoolStatus(s).label, s, by_status.get(s, 0)) for s in PoolStatus.values],
        "solutions": sum(by_category.values()),
        "categories": [(c, by_category.get(c.pk, 0)) for c in categories],
        "category_count": sum(1 for c in categories if by_category.get(c.pk)),
        "products": sum(by_type.values()),
        "types": [(ProductType(t).label, t, by_type.get(t, 0)) for t in ProductType.values],
        "pending_offerings": offerings.filter(status=OfferingStatus.PENDING).count(),
        "open_applications": PoolApplication.objects.filter(
            Q(status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.NOTICE)),
            provider__in=providers,
        ).count(),
    }


# --- what other apps ask of the pool (the programmes): they never query pool models ---------------------

def provider_in_pool(organisation_id: int | None) -> bool:
    """Whether this organisation is a provider currently in the pool."""
    if not organisation_id:
        return False
    return ProviderProfile.objects.filter(pk=organisation_id, pool_status__in=IN_POOL_STATUSES).exists()


def pool_organisations():
    """The organisations of the providers in the pool, by name."""
    return Organisation.objects.filter(provider_profile__pool_status__in=IN_POOL_STATUSES).order_by("name")


def admission_score(provider_id: int) -> Decimal | None:
    """The provider's admission score (it feeds the star rating), or None."""
    profile = ProviderProfile.objects.filter(pk=provider_id).only("admission_score").first()
    return profile.admission_score if profile else None


def refresh_stars_of(provider_id: int | None, record: Callable[[], star_rules.DeliveryRecord], actor: Any = None) -> None:
    """Recompute the stars of this provider, if it has a pool profile, from `record()` (called only then)."""
    profile = ProviderProfile.objects.filter(pk=provider_id).first() if provider_id else None
    if profile is not None:
        refresh_stars(profile, record(), actor)
