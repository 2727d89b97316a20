"""Assessments (评测) of enterprises on an indicator set, their evidence, and on-site rater assignments.

An assessment row is one answer sheet: a self-assessment by the enterprise, an on-site rating
(现场评定) that starts from a self-assessment, a bulk import, or a result-only record from the
national system. It remembers the indicator set and version it was scored with, so results stay
reproducible after a set is revised. The official result of an enterprise is its latest signed
on-site rating if any, else its latest submitted self-assessment (DESIGN decision 7).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.models import Organisation, Role, is_city_wide
from shuzhuan.registry.models import Enterprise


class Kind(models.TextChoices):
    BASELINE = "baseline", _("改造前（基线）")
    POST = "post", _("改造后")
    PERIODIC = "periodic", _("定期评测")


class Source(models.TextChoices):
    SELF = "self", _("企业自评")
    ONSITE = "onsite", _("现场评定")
    IMPORT = "import", _("批量导入")
    RESULT_ONLY = "result_only", _("仅结果（外部系统）")


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    SIGNED = "signed", _("已签署")


FINAL_STATUSES = (Status.SUBMITTED, Status.SIGNED)


def related_enterprises(user) -> Q | None:
    """Providers and experts see the enterprises they are assigned to rate on site, while the
    assignment is open and for `RELATIONSHIP_GRACE_DAYS` after it was done."""
    from shuzhuan.registry.models import relationship_cutoff

    current = RaterAssignment.objects.filter(Q(done_at__isnull=True) | Q(done_at__gte=relationship_cutoff()))
    if user.role == Role.PROVIDER and user.organisation_id:
        return Q(rater_assignments__in=current.filter(rater_organisation_id=user.organisation_id))
    if user.role == Role.EXPERT:
        return Q(rater_assignments__in=current.filter(rater_user_id=user.pk))
    return None


AssessmentRule = Callable[[Any], "Q | None"]
_EXPERT_ASSESSMENT_RULES: list[AssessmentRule] = []


def register_expert_assessments(rule: AssessmentRule) -> None:
    """Apps that give an expert a reason to read one assessment (a project review) register
    `rule(user) -> Q over Assessment | None`; experts see nothing else."""
    if rule not in _EXPERT_ASSESSMENT_RULES:
        _EXPERT_ASSESSMENT_RULES.append(rule)


def _expert_condition(user) -> Q:
    """The assessments an expert was assigned to rate (the self-assessment and its on-site row)."""
    from shuzhuan.registry.models import relationship_cutoff

    current = RaterAssignment.objects.filter(Q(done_at__isnull=True) | Q(done_at__gte=relationship_cutoff()),
                                             rater_user_id=user.pk)
    condition = Q(pk__in=current.values("assessment_id")) | Q(based_on_id__in=current.values("assessment_id"))
    for rule in _EXPERT_ASSESSMENT_RULES:
        q = rule(user)
        if q is not None:
            condition |= q
    return condition


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssessmentQuerySet:
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.EXPERT:  # only the items assigned, not every assessment of the firm
            return self.filter(_expert_condition(user))
        return self.filter(enterprise__in=Enterprise.objects.visible_to(user))

    def final(self) -> AssessmentQuerySet:
        return self.filter(status__in=FINAL_STATUSES)


class Assessment(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("企业"))
    kind = models.CharField(_("评测类型"), max_length=12, choices=Kind.choices, default=Kind.BASELINE)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.SELF)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    indicator_set = models.CharField(_("指标体系"), max_length=32, default="miit-2024")
    version = models.CharField(_("版本"), max_length=32, blank=True)
    assessed_on = models.DateField(_("评测日期"), default=timezone.localdate)
    # the sheet: option letters per question, scenario levels 0–4, raw figures for banded questions
    answers = models.JSONField(_("答案"), default=dict, blank=True)
    scenarios = models.JSONField(_("场景等级"), default=dict, blank=True)
    figures = models.JSONField(_("填报数据"), default=dict, blank=True)
    # the result as the scorer computed it (score exact to 0.001; level 0 = below 一级; null = not scored)
    score = models.DecimalField(_("总分"), max_digits=7, decimal_places=3, null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("等级"), null=True, blank=True, db_index=True)
    dimensions = models.JSONField(default=dict, blank=True)
    second_levels = models.JSONField(default=dict, blank=True)
    indicators = models.JSONField(default=dict, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    # the enterprise's official result (results.refresh_official keeps it; statistics read it at scale)
    is_official = models.BooleanField(_("官方结果"), default=False, db_default=False)
    # on-site rating: the self-assessment it started from, who rated, and why answers changed
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="onsite_ratings",
                                 verbose_name=_("依据的自评"))
    rater_organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+", verbose_name=_("评定机构"))
    changes = models.JSONField(_("评定调整"), default=dict, blank=True,
                               help_text=_("{题号: {from, to, reason}}：现场评定相对自评的调整及理由"))
    pledge_accepted_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "status", "-assessed_on"]),
            models.Index(fields=["source", "status"]),
            models.Index(fields=["is_official", "level"]),
            # statistics read only official results: on PostgreSQL this covers every column they aggregate, so the
            # one GROUP BY is an index-only scan of a few MB instead of a pass over the wide rows (answers, JSON)
            models.Index(fields=["enterprise"], name="assessment_official_cover", condition=Q(is_official=True),
                         include=["level", "score", *(f"scenario_s{i:02d}" for i in range(1, 17))]),
        ]
        verbose_name = _("评测")
        verbose_name_plural = _("评测")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.get_kind_display()} {self.get_source_display()} {self.assessed_on}"


# The 16 scenario levels (0–4) of the 2024 edition as columns the database computes from `scenarios`:
# every writer (form, API, import, COPY in the demo) fills them without knowing, the migration that
# adds them backfills, and statistics sum plain integers instead of reading JSON per row. A value
# that is not one of 0–4 (a draft's gap, a stray string) is NULL, as the JSON read treated it.
SCENARIO_COLUMNS = tuple(f"S{i:02d}" for i in range(1, 17))
SCENARIO_LEVEL_TEXTS = ("0", "1", "2", "3", "4")


def scenario_column(code: str) -> str:
    return f"scenario_{code.lower()}"


def _scenario_level(code: str) -> Case:
    text = Cast(KT(f"scenarios__{code}"), models.CharField(max_length=8))
    return Case(When(In(text, SCENARIO_LEVEL_TEXTS), then=Cast(text, models.SmallIntegerField())),
                default=None, output_field=models.SmallIntegerField())


for _code in SCENARIO_COLUMNS:
    Assessment.add_to_class(scenario_column(_code), models.GeneratedField(
        expression=_scenario_level(_code), output_field=models.SmallIntegerField(null=True), db_persist=True,
    ))


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> EvidenceQuerySet:
        return self.filter(assessment__in=Assessment.objects.visible_to(user))


class Evidence(models.Model):
    """A supporting document (支撑材料) for a question, stored privately (core.jobs.private_path)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    question = models.CharField(_("题号"), max_length=8, blank=True)
    path = models.CharField(max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["question", "uploaded_at"]
        verbose_name = _("支撑材料")
        verbose_name_plural = _("支撑材料")

    def __str__(self) -> str:
        return self.name


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssignmentQuerySet:
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.TOWN_OFFICER:
            return self.filter(enterprise__town_id=user.town_id)
        if user.role == Role.PROVIDER:
            return self.filter(rater_organisation_id=user.organisation_id)
        if user.role == Role.EXPERT:
            return self.filter(rater_user_id=user.pk)
        if user.role == Role.ENTERPRISE:
            return self.filter(enterprise_id=user.organisation_id)
        return self.none()


class RaterAssignment(models.Model):
    """The city or town assigns an on-site rater: a provider organisation or an expert (DESIGN decision 3:
    never the provider contracted by that enterprise)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="rater_assignments")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments",
                                   verbose_name=_("待评定的自评"))
    rater_organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="rater_assignments", verbose_name=_("评定服务商"))
    rater_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="rater_assignments", verbose_name=_("评定专家"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assigned_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rater_organisation__isnull=False) | Q(rater_user__isnull=False), name="assignment_has_rater"
            ),
        ]
        verbose_name = _("现场评定指派")
        verbose_name_plural = _("现场评定指派")

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.rater_organisation_id or self.rater_user_id}"


class IndicatorSetVerification(models.Model):
    """The city's statement that an indicator set's level rule was checked against a named official
    document (the data file may say `unverified`: it was taken from secondary sources). The latest
    statement for a set and version counts; each one is an audited action."""

    indicator_set = models.CharField(_("指标体系"), max_length=32, db_index=True)
    version = models.CharField(_("版本"), max_length=32)
    document = models.CharField(_("核实依据文件"), max_length=200)
    article = models.CharField(_("条款或页码"), max_length=100, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-verified_at", "-id"]
        verbose_name = _("指标体系核实")
        verbose_name_plural = _("指标体系核实")

    def __str__(self) -> str:
        return f"{self.indicator_set} {self.version} · {self.document}"
