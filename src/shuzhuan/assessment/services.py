"""Assessment use cases: the enterprise's self-assessment, the on-site rating (现场评定), evidence.

Each use case is one transaction and writes an audit entry naming the enterprise's organisation, so
every step shows on the enterprise's timeline (一企一档). Scoring is `results.apply_score` (the one
scorer); nothing here computes points.

Conflict of interest (DESIGN decision 3): `rater_conflicts(enterprise, organisation)` is asked
before a provider (or an expert's organisation) is assigned as on-site rater. It returns the reason
for refusing, or None. The apps that hold contracts answer it through `register_conflict_rule`:
the programmes app registers its rule in `ready()` (the provider contracted by the enterprise in a
transformation project may not rate it).
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.domain.errors import AssessmentInputError, FieldError
from shuzhuan.assessment.domain.model import QuestionType
from shuzhuan.assessment.domain.scoring import Result, Sheet, validate
from shuzhuan.assessment.models import Assessment, Evidence, Kind, RaterAssignment, Source, Status
from shuzhuan.assessment.results import apply_score, refresh_official
from shuzhuan.core import audit
from shuzhuan.core.jobs import private_path
from shuzhuan.core.models import Organisation, OrganisationKind, Role, User, is_officer

PLEDGE_TEXT = ("本企业郑重承诺：本次评测所填报的数据和上传的支撑材料真实、准确、完整，"
               "不存在虚报、瞒报；如有不实，愿承担相应责任，并接受主管部门核查。")


class ServiceError(Exception):
    """A use case refused: the message (in Chinese) is meant for the user."""


# --- helpers ----------------------------------------------------------------------------------------


def _record(actor: Any, action: str, assessment: Assessment, summary: str, **kwargs: Any) -> None:
    audit.record(actor, action, assessment, summary, organisation=assessment.enterprise_id, **kwargs)


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("enterprise__organisation").get(pk=assessment.pk)


def level_label(indicator_set_id: str, level: int | None) -> str:
    """A level's name as the indicator set defines it (0 = below the first level), translated."""
    if level is None:
        return _("未评定")
    try:
        names = indicator_sets.level_names(indicator_set_id)
    except indicator_sets.UnknownIndicatorSet:
        return str(level)
    return _(names[level]) if 0 <= level < len(names) else str(level)


def points_text(value: Any) -> str:
    """Decimal('50.000') → '50'; None → '—'."""
    if value is None:
        return "—"
    return format(Decimal(value).normalize(), "f")


def resolved(assessment: Assessment) -> Sheet:
    """The sheet as the scorer reads it (band questions resolved from their figures), drafts included."""
    return validate(indicator_sets.load(assessment.indicator_set), assessment.answers, assessment.scenarios,
                    partial=True, figures=assessment.figures)


def _merge(target: dict, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        if value is None or value == "" or value == []:
            target.pop(key, None)
        else:
            target[key] = value


def _apply_values(row: Assessment, answers: Mapping[str, Any], figures: Mapping[str, Any],
                  scenarios: Mapping[str, Any]) -> Result:
    """Merge part of a sheet into the row (None removes an answer) and score it in partial mode."""
    row.answers, row.figures, row.scenarios = dict(row.answers), dict(row.figures), dict(row.scenarios)
    _merge(row.answers, answers)
    _merge(row.figures, {k: (None if v is None else str(v)) for k, v in figures.items()})
    _merge(row.scenarios, scenarios)
    return apply_score(row, partial=True)


def preview(assessment: Assessment, *, answers: Mapping[str, Any], figures: Mapping[str, Any],
            scenarios: Mapping[str, Any]) -> tuple[Result, Sheet]:
    """The live subtotal: the draft with these values, scored in partial mode, never saved."""
    row = Assessment(pk=assessment.pk, enterprise_id=assessment.enterprise_id, kind=assessment.kind,
                     indicator_set=assessment.indicator_set, answers=assessment.answers,
                     figures=assessment.figures, scenarios=assessment.scenarios)
    result = _apply_values(row, answers, figures, scenarios)
    return result, resolved(row)


# --- self-assessment ----------------------------------------------------------------------------------


def can_fill(user: Any, assessment: Assessment) -> bool:
    return bool(
        assessment.source == Source.SELF and assessment.status == Status.DRAFT and user.is_authenticated
        and user.role == Role.ENTERPRISE and user.organisation_id == assessment.enterprise_id
    )


@transaction.atomic
def start_self_assessment(actor: Any, enterprise: Any, kind: str, indicator_set: str = indicator_sets.DEFAULT) -> Assessment:
    """A new draft self-assessment; an enterprise has at most one draft at a time (it is returned)."""
    if kind not in Kind.values:
        raise ServiceError(_("未知的评测类型"))
    existing = Assessment.objects.filter(enterprise=enterprise, source=Source.SELF, status=Status.DRAFT).first()
    if existing is not None:
        return existing
    assessment = Assessment.objects.create(
        enterprise=enterprise, kind=kind, source=Source.SELF, status=Status.DRAFT, indicator_set=indicator_set,
        version=indicator_sets.load(indicator_set).version, created_by=actor if getattr(actor, "pk", None) else None,
    )
    _record(actor, "assessment.start", assessment, _("开始数字化水平自评（%(kind)s）") % {"kind": assessment.get_kind_display()})
    return assessment


@transaction.atomic
def save_draft(actor: Any, assessment: Assessment, *, answers: Mapping[str, Any], figures: Mapping[str, Any],
               scenarios: Mapping[str, Any], label: str = "") -> Result:
    """Save part of the sheet (a section): None/empty removes an answer. Scored in partial mode; an
    invalid answer raises `AssessmentInputError` and nothing is saved."""
    row = _locked(assessment)
    if row.source != Source.SELF or row.status != Status.DRAFT:
        raise ServiceError(_("该评测已提交，不能再修改"))
    result = _apply_values(row, answers, figures, scenarios)
    row.save()
    summary = _("保存自评草稿%(label)s：当前小计 %(score)s 分") % {"label": f"（{label}）" if label else "",
                                                              "score": points_text(result.score)}
    from shuzhuan.core.models import AuditEntry

    saved_before = AuditEntry.objects.filter(target_type=row._meta.label_lower, target_id=str(row.pk),
                                             action="assessment.save").exists()
    if saved_before:  # audited, but only the first save of a draft goes on the enterprise's timeline
        audit.record(actor, "assessment.save", row, summary)
    else:
        _record(actor, "assessment.save", row, summary)
    assessment.refresh_from_db()
    return result


@transaction.atomic
def submit(actor: Any, assessment: Assessment, pledge: bool) -> Result:
    """Full validation, the truthfulness pledge, then status submitted."""
    if not pledge:
        raise AssessmentInputError([FieldError("pledge", _("请阅读并勾选真实性承诺后再提交"))])
    row = _locked(assessment)
    if row.source != Source.SELF or row.status != Status.DRAFT:
        raise ServiceError(_("该评测已提交"))
    result = apply_score(row)
    now = timezone.now()
    row.status, row.submitted_at, row.pledge_accepted_at = Status.SUBMITTED, now, now
    row.assessed_on = timezone.localdate()
    row.save()
    refresh_official([row.enterprise_id])
    _record(actor, "assessment.submit", row,
            _("提交数字化水平自评（%(kind)s）：总分 %(score)s 分，%(level)s")
            % {"kind": row.get_kind_display(), "score": points_text(result.score), "level": level_label(row.indicator_set, result.level)},
            reason=PLEDGE_TEXT)
    assessment.refresh_from_db()
    return result


# --- evidence ---------------------------------------------------------------------------------------

def evidence_max_bytes() -> int:
    """The one document upload limit (settings.DOCUMENT_MAX_UPLOAD_BYTES)."""
    return int(settings.DOCUMENT_MAX_UPLOAD_BYTES)

EVIDENCE_PER_QUESTION = 10
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class FileType:
    content_type: str
    magic: bytes
    zip_member: str = ""  # an office file is a ZIP holding this part


EVIDENCE_TYPES = {
    "pdf": FileType("application/pdf", b"%PDF-"),
    "jpg": FileType("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": FileType("image/jpeg", b"\xff\xd8\xff"),
    "png": FileType("image/png", b"\x89PNG\r\n\x1a\n"),
    "docx": FileType(_DOCX, b"PK\x03\x04", "word/document.xml"),
    "xlsx": FileType(_XLSX, b"PK\x03\x04", "xl/workbook.xml"),
}
EVIDENCE_ACCEPT = ",".join(f".{ext}" for ext in EVIDENCE_TYPES)


def check_evidence_file(upload: Any) -> FileType:
    """Type by extension AND content (magic bytes, and the office part inside a ZIP); size limit."""
    name = str(getattr(upload, "name", "") or "")
    ext = Path(name).suffix.lower().lstrip(".")
    file_type = EVIDENCE_TYPES.get(ext)
    if file_type is None:
        raise ServiceError(_("不支持的文件类型：仅可上传 PDF、JPG/PNG 图片、DOCX、XLSX 文件"))
    if upload.size == 0:
        raise ServiceError(_("文件为空"))
    if upload.size > evidence_max_bytes():
        raise ServiceError(_("文件过大：每个文件不超过 %(mb)d MB") % {"mb": evidence_max_bytes() // (1024 * 1024)})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    ok = head.startswith(file_type.magic)
    if ok and file_type.zip_member:
        try:
            with zipfile.ZipFile(upload) as archive:
                ok = file_type.zip_member in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            ok = False
        upload.seek(0)
    if not ok:
        raise ServiceError(_("文件内容与扩展名 .%(ext)s 不符，请上传真实的 %(ext_upper)s 文件")
                           % {"ext": ext, "ext_upper": ext.upper()})
    return file_type


def can_add_evidence(user: Any, assessment: Assessment) -> bool:
    if can_fill(user, assessment):
        return True
    return assessment.source == Source.ONSITE and rater_assignment(user, assessment) is not None


@transaction.atomic
def add_evidence(actor: Any, assessment: Assessment, question: str, upload: Any) -> Evidence:
    indicator_set = indicator_sets.load(assessment.indicator_set)
    if question and question not in indicator_set.question_index and question not in indicator_set.scenario_index:
        raise ServiceError(_("未知的题号"))
    if assessment.status != Status.DRAFT:
        raise ServiceError(_("评测已提交或签署，不能再上传材料"))
    file_type = check_evidence_file(upload)
    if Evidence.objects.filter(assessment=assessment, question=question).count() >= EVIDENCE_PER_QUESTION:
        raise ServiceError(_("每题最多上传 %(n)d 个文件") % {"n": EVIDENCE_PER_QUESTION})
    ext = Path(upload.name).suffix.lower()
    relative = Path("assessment", str(assessment.pk), f"{uuid.uuid4().hex}{ext}")
    target = private_path(str(relative))
    with target.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    try:
        evidence = Evidence.objects.create(
            assessment=assessment, question=question, path=str(relative), name=Path(upload.name).name[:200],
            size=upload.size, content_type=file_type.content_type,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        _record(actor, "assessment.evidence", assessment,
                _("上传支撑材料 %(name)s（%(q)s）") % {"name": evidence.name, "q": question or _("整体")})
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return evidence


def evidence_file(evidence: Evidence) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT, evidence.path)


@transaction.atomic
def delete_evidence(actor: Any, evidence: Evidence) -> None:
    assessment = evidence.assessment
    if assessment.status != Status.DRAFT:
        raise ServiceError(_("评测已提交或签署，不能删除材料"))
    path = evidence_file(evidence)
    name = evidence.name
    evidence.delete()
    _record(actor, "assessment.evidence", assessment, _("删除支撑材料 %(name)s") % {"name": name})
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


# --- on-site rating ---------------------------------------------------------------------------------


ConflictRule = Callable[[Any, Any], "str | None"]
_CONFLICT_RULES: list[ConflictRule] = []


def register_expert_assessments(rule: Any) -> None:
    """A higher app names the assessments an expert may read (the hook lives with the model's manager)."""
    from shuzhuan.assessment.models import register_expert_assessments as register

    register(rule)


def register_conflict_rule(rule: ConflictRule) -> None:
    """Apps that know about contracts (programmes) register `rule(enterprise, organisation) -> reason | None`."""
    if rule not in _CONFLICT_RULES:
        _CONFLICT_RULES.append(rule)


def rater_conflicts(enterprise: Any, organisation: Organisation | None) -> str | None:
    """Why `organisation` may not rate `enterprise` on site (DESIGN decision 3: never the provider
    contracted by that enterprise), or None; the registered rules decide."""
    for rule in _CONFLICT_RULES:
        reason = rule(enterprise, organisation)
        if reason:
            return reason
    return None


RaterRule = Callable[[Any], "str | None"]
_RATER_RULES: list[tuple[RaterRule, Any]] = []


def register_rater_rule(rule: RaterRule, choices: Any = None) -> None:
    """Apps that know which organisations may rate (the marketplace's pool) register
    `rule(organisation) -> reason | None`, and optionally `choices`, a Q over Organisation for the
    assignment form's list."""
    if all(rule is not known for known, _q in _RATER_RULES):
        _RATER_RULES.append((rule, choices))


def rater_ineligible(organisation: Organisation | None) -> str | None:
    """Why this organisation may not rate on site at all (e.g. removed from the pool, 出池), or None."""
    if organisation is None:
        return None
    for rule, _choices in _RATER_RULES:
        reason = rule(organisation)
        if reason:
            return reason
    return None


def rater_choices():
    """The provider organisations an officer may assign (the registered rules' lists)."""
    queryset = Organisation.objects.filter(kind=OrganisationKind.PROVIDER)
    for _rule, choices in _RATER_RULES:
        if choices is not None:
            queryset = queryset.filter(choices)
    return queryset.order_by("name")


def assignable(assessment: Assessment) -> bool:
    return assessment.source == Source.SELF and assessment.status == Status.SUBMITTED


def rater_assignment(user: Any, assessment: Assessment) -> RaterAssignment | None:
    """The open assignment that lets `user` rate this on-site row (or the self-assessment it rates)."""
    if not user.is_authenticated or user.role not in (Role.PROVIDER, Role.EXPERT):
        return None
    self_id = assessment.based_on_id if assessment.source == Source.ONSITE else assessment.pk
    if self_id is None:
        return None
    return (RaterAssignment.objects.visible_to(user).filter(assessment_id=self_id, done_at__isnull=True)
            .select_related("assessment").first())


@transaction.atomic
def assign_rater(actor: Any, assessment: Assessment, *, organisation: Organisation | None = None,
                 user: User | None = None) -> RaterAssignment:
    """City or town officers assign a provider organisation or an expert to rate a submitted
    self-assessment on site; before the rating starts they may assign someone else."""
    if not is_officer(actor):
        raise ServiceError(_("只有市、镇街工信部门可以指派现场评定"))
    if not Assessment.objects.visible_to(actor).filter(pk=assessment.pk).exists():
        raise ServiceError(_("不在您的管辖范围内"))
    if (organisation is None) == (user is None):
        raise ServiceError(_("请选择一家服务商或一位专家（二选一）"))
    if not assignable(assessment):
        raise ServiceError(_("只能为已提交的企业自评指派现场评定"))
    if organisation is not None and organisation.kind != OrganisationKind.PROVIDER:
        raise ServiceError(_("评定机构必须是服务商"))
    if user is not None and (user.role != Role.EXPERT or not user.is_active):
        raise ServiceError(_("评定人必须是评审专家"))
    if organisation is not None:
        ineligible = rater_ineligible(organisation)
        if ineligible:
            raise ServiceError(_("不能指派：%(why)s") % {"why": ineligible})
    conflict_org = organisation if organisation is not None else (user.organisation if user and user.organisation_id else None)
    if conflict_org is not None:
        conflict = rater_conflicts(assessment.enterprise, conflict_org)
        if conflict:
            raise ServiceError(_("存在利益冲突，不能指派：%(why)s") % {"why": conflict})
    started = Assessment.objects.filter(based_on=assessment, source=Source.ONSITE)
    if started.filter(status=Status.SIGNED).exists():
        raise ServiceError(_("该自评已完成现场评定"))
    open_assignment = (RaterAssignment.objects.select_for_update()
                       .filter(assessment=assessment, done_at__isnull=True).first())
    rater = str(organisation or user)
    if open_assignment is not None:
        if started.exists():
            raise ServiceError(_("现场评定已开始，不能改派"))
        before = str(open_assignment.rater_organisation or open_assignment.rater_user)
        open_assignment.rater_organisation, open_assignment.rater_user = organisation, user
        open_assignment.assigned_by, open_assignment.assigned_at = actor, timezone.now()
        open_assignment.save()
        _record(actor, "assessment.assign", assessment, _("改派现场评定：%(rater)s") % {"rater": rater},
                changes={"rater": [before, rater]})
        return open_assignment
    assignment = RaterAssignment.objects.create(
        enterprise=assessment.enterprise, assessment=assessment, rater_organisation=organisation, rater_user=user,
        assigned_by=actor,
    )
    _record(actor, "assessment.assign", assessment, _("指派现场评定：%(rater)s") % {"rater": rater})
    return assignment


@transaction.atomic
def start_onsite(actor: Any, assignment: RaterAssignment) -> Assessment:
    """Copy the self-assessment's sheet into a new on-site row (source onsite, based_on the self one)."""
    assignment = RaterAssignment.objects.select_for_update().select_related("assessment").get(pk=assignment.pk)
    if assignment.done_at is not None:
        raise ServiceError(_("该评定任务已完成"))
    base = assignment.assessment
    existing = Assessment.objects.filter(based_on=base, source=Source.ONSITE).first()
    if existing is not None:
        return existing
    if base.status != Status.SUBMITTED:
        raise ServiceError(_("只能对已提交的自评开展现场评定"))
    row = Assessment(
        enterprise_id=base.enterprise_id, kind=base.kind, source=Source.ONSITE, status=Status.DRAFT,
        indicator_set=base.indicator_set, answers=dict(base.answers), scenarios=dict(base.scenarios),
        figures=dict(base.figures), based_on=base, rater_organisation=assignment.rater_organisation,
        created_by=actor if getattr(actor, "pk", None) else None, changes={},
    )
    apply_score(row, partial=True)
    row.save()
    _record(actor, "assessment.onsite", row, _("开始现场评定（依据 %(date)s 提交的自评）")
            % {"date": base.assessed_on.isoformat()})
    return row


def shown(letters: tuple[str, ...] | None, question_type: QuestionType | None) -> Any:
    if letters is None:
        return None
    return list(letters) if question_type is QuestionType.MULTI else letters[0]


def _differences(indicator_set: Any, base: Sheet, base_figures: Mapping[str, Any], now: Sheet,
                 now_figures: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{code: {from, to[, figures]}} for every question or scenario the rating differs on."""
    found: dict[str, dict[str, Any]] = {}
    for q in indicator_set.questions:
        before, after = base.choices.get(q.code), now.choices.get(q.code)
        figures = {}
        if q.measure is not None:
            figures = {k: [base_figures.get(k), now_figures.get(k)] for k in q.measure.keys()
                       if base_figures.get(k) != now_figures.get(k)}
        if before != after or figures:
            found[q.code] = {"from": shown(before, q.type), "to": shown(after, q.type)}
            if figures:
                found[q.code]["figures"] = figures
    for s in indicator_set.scenarios:
        before, after = base.scenario_levels.get(s.code), now.scenario_levels.get(s.code)
        if before != after:
            found[s.code] = {"from": before, "to": after}
    return found


@transaction.atomic
def change_answer(actor: Any, onsite: Assessment, code: str, *, value: Any = None,
                  figures: Mapping[str, Any] | None = None, reason: str = "", evidence: Any = None) -> Result:
    """The rater changes one answer (a band question through its figures) with a reason (and
    optionally evidence). `changes` then holds every difference to the self-assessment."""
    indicator_set = indicator_sets.load(onsite.indicator_set)
    question, scenario = indicator_set.question(code), indicator_set.scenario(code)
    field = f"scenarios.{code}" if scenario else f"answers.{code}"
    if question is None and scenario is None:
        raise AssessmentInputError([FieldError(field, _("未知的题号"))])
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentInputError([FieldError("reason", _("请填写调整理由"))])
    row = _locked(onsite)
    if row.source != Source.ONSITE or row.status != Status.DRAFT:
        raise ServiceError(_("现场评定已签署，不能再调整"))
    before_edit, figures_before = resolved(row), dict(row.figures)
    if question is not None and question.type is QuestionType.BAND:
        new = {k: (None if v is None else str(v)) for k, v in (figures or {}).items() if k in question.measure.keys()}
        _merge(row.figures, new)
        missing = [k for k in question.measure.keys() if k not in row.figures]
        if missing:
            raise AssessmentInputError([FieldError(f"figures.{k}", _("档位题需填写完整数据")) for k in missing])
        # the figures decide: drop explicit letters of every band question reading a changed figure
        for q in indicator_set.questions:
            if q.measure is not None and set(q.measure.keys()) & set(new):
                row.answers.pop(q.code, None)
    elif question is not None:
        _merge(row.answers, {code: value})
    else:
        _merge(row.scenarios, {code: value})
    result = apply_score(row, partial=True)
    after_edit = resolved(row)
    base = row.based_on
    base_sheet = resolved(base)
    differences = _differences(indicator_set, base_sheet, base.figures, after_edit, row.figures)
    moved = set(_differences(indicator_set, before_edit, figures_before, after_edit, row.figures))
    if not moved:
        raise AssessmentInputError([FieldError(field, _("与当前评定答案相同，无需调整"))])
    old = row.changes or {}
    row.changes = {
        c: {**d, "reason": reason if (c in moved or c == code) else old.get(c, {}).get("reason", reason)}
        for c, d in differences.items()
    }
    row.save()
    summary = "；".join(f"{c}：{_text(d['from'])} → {_text(d['to'])}" for c, d in differences.items() if c in moved)
    _record(actor, "assessment.change", row, _("现场评定调整 %(what)s") % {"what": summary},
            changes={c: [differences[c]["from"], differences[c]["to"]] for c in moved if c in differences},
            reason=reason)
    if evidence is not None:
        add_evidence(actor, row, code, evidence)
    onsite.refresh_from_db()
    return result


def _text(value: Any) -> str:
    if value is None:
        return _("未答")
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


@transaction.atomic
def sign(actor: Any, onsite: Assessment) -> Result:
    """Full validation, then status signed: the on-site rating becomes the official result."""
    row = _locked(onsite)
    if row.source != Source.ONSITE or row.status != Status.DRAFT:
        raise ServiceError(_("现场评定已签署"))
    ineligible = rater_ineligible(row.rater_organisation)
    if ineligible:
        raise ServiceError(_("不能签署：%(why)s") % {"why": ineligible})
    result = apply_score(row)
    now = timezone.now()
    row.status, row.signed_by, row.signed_at = Status.SIGNED, actor, now
    row.submitted_at = now
    row.assessed_on = timezone.localdate()
    row.save()
    refresh_official([row.enterprise_id])
    RaterAssignment.objects.filter(assessment_id=row.based_on_id, done_at__isnull=True).update(done_at=now)
    base = row.based_on
    _record(actor, "assessment.sign", row,
            _("签署现场评定：总分 %(score)s 分，%(level)s（自评 %(self_score)s 分，%(self_level)s），调整 %(n)d 项")
            % {"score": points_text(result.score), "level": level_label(row.indicator_set, result.level), "self_score": points_text(base.score),
               "self_level": level_label(base.indicator_set, base.level), "n": len(row.changes)},
            changes={"score": [points_text(base.score), points_text(result.score)], "level": [base.level, result.level]})
    onsite.refresh_from_db()
    return result
