"""Programmes, the pilot enterprise pool (试点企业库), transformation projects (改造项目) with their
investment items, milestones, documents and expert reviews, payout batches and satisfaction ratings.

The state machine lives in `domain/workflow.py`; only `services` changes a state. A database
CHECK makes a payout without a passing post-assessment impossible even for raw SQL: a project in a
batch or paid must name its post-assessment and have reached the level the rules required.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.models import Organisation, Role, is_city_wide
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.domain.model import EligibilityRules
from shuzhuan.registry.models import Enterprise

User = settings.AUTH_USER_MODEL


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProgrammeQuerySet:
        return self  # programmes are public: their rules are published


class Programme(models.Model):
    """A programme run on the platform; its subsidy rules are the data file with the same code."""

    code = models.SlugField(_("代码"), max_length=64, unique=True, help_text=_("与奖补规则文件同名，如 demo-pilot"))
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期（不含）"))
    active = models.BooleanField(_("进行中"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("试点计划")
        verbose_name_plural = _("试点计划")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="programme_period_valid")]

    def __str__(self) -> str:
        return self.name

    @property
    def period(self) -> str:
        return f"{self.starts_on:%Y-%m-%d} 至 {self.ends_on:%Y-%m-%d}（不含）"

    # Eligibility and deadlines are part of the programme's versioned rules (its data file, each
    # value cited), not database settings: the version in force today, else the nearest one.
    @property
    def eligibility(self) -> EligibilityRules:
        from shuzhuan.programs import programmes

        try:
            rules = programmes.load(self.code)
        except programmes.UnknownProgramme:
            return EligibilityRules(sub_industries=())
        today = timezone.localdate()
        version = rules.version_on(today) or max(
            (v for v in rules.versions if v.effective_from <= today), key=lambda v: v.effective_from,
            default=rules.versions[0])
        return version.eligibility or EligibilityRules(sub_industries=())

    @property
    def sub_industries(self) -> list[str]:
        return list(self.eligibility.sub_industries)

    @property
    def sme_only(self) -> bool:
        return self.eligibility.sme_only

    @property
    def exclude_little_giants(self) -> bool:
        return self.eligibility.exclude_little_giants

    @property
    def exclude_earlier_pilots(self) -> bool:
        return self.eligibility.exclude_earlier_pilots

    @property
    def finish_months(self) -> int:
        return self.eligibility.finish_months

    @property
    def acceptance_months(self) -> int:
        return self.eligibility.acceptance_months


def _enterprise_scope(user, prefix: str) -> Q | None:
    """Officers by town, enterprises their own; None = no scope of its own (providers, experts, …)."""
    if user.role == Role.TOWN_OFFICER:
        return Q(**{f"{prefix}town_id": user.town_id})
    if user.role == Role.ENTERPRISE:
        return Q(**{f"{prefix}organisation_id": user.organisation_id}) if user.organisation_id else Q(pk__in=[])
    return None


class ListingQuerySet(models.QuerySet):
    def visible_to(self, user) -> ListingQuerySet:
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        scope = _enterprise_scope(user, "enterprise__")
        return self.filter(scope) if scope is not None else self.none()

    def listed(self) -> ListingQuerySet:
        return self.filter(status=wf.LISTING_LISTED)


class Listing(models.Model):
    """An enterprise in a programme's pilot pool: applied or proposed → town review → city approval."""

    STATUS_CHOICES = list(wf.LISTING_STATES.items())

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="listings", verbose_name=_("试点计划"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="pilot_listings", verbose_name=_("企业"))
    status = models.CharField(_("状态"), max_length=16, choices=STATUS_CHOICES, db_index=True)
    sub_industry = models.CharField(_("细分行业"), max_length=32, blank=True)
    baseline_level = models.PositiveSmallIntegerField(_("改造前等级"), null=True, blank=True)
    eligibility = models.JSONField(_("资格核验"), default=list, blank=True)
    note = models.TextField(_("说明"), blank=True)
    town_reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    town_reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    listed_on = models.DateField(_("入库日期"), null=True, blank=True)
    finish_due = models.DateField(_("改造完成期限"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("试点企业")
        verbose_name_plural = _("试点企业库")
        constraints = [
            models.UniqueConstraint(fields=["programme", "enterprise"], name="one_listing_per_programme"),
            models.CheckConstraint(condition=~Q(status="listed") | (Q(listed_on__isnull=False) & Q(finish_due__isnull=False)),
                                   name="listed_has_dates"),
        ]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.enterprise_id} {self.status}"

    @property
    def status_label(self) -> str:
        return wf.LISTING_STATES.get(self.status, self.status)

    @property
    def status_tone(self) -> str:
        return wf.LISTING_TONES.get(self.status, "secondary")


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProjectQuerySet:
        """City: all. Town: its town. Enterprise: its own. Provider: projects it is contracted on.
        Expert: projects assigned to it for review."""
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.PROVIDER:
            return self.filter(provider_id=user.organisation_id) if user.organisation_id else self.none()
        if user.role == Role.EXPERT:
            return self.filter(expert_id=user.pk)
        scope = _enterprise_scope(user, "enterprise__")
        return self.filter(scope) if scope is not None else self.none()


STATE_CHOICES = list(wf.STATES.items())


class Project(models.Model):
    """A transformation project (改造项目) of a listed enterprise with a pool provider."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="projects", verbose_name=_("试点计划"))
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="projects", verbose_name=_("试点企业"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="programme_projects",
                                   verbose_name=_("企业"))
    provider = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="programme_projects", verbose_name=_("服务商"))
    title = models.CharField(_("项目名称"), max_length=200)
    state = models.CharField(_("状态"), max_length=20, choices=STATE_CHOICES, default=wf.DRAFT, db_index=True)
    contract_no = models.CharField(_("合同编号"), max_length=64, blank=True)
    contract_amount = models.DecimalField(_("合同金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    payee_bank = models.CharField(_("收款开户行"), max_length=100, blank=True)
    payee_account = models.CharField(_("收款账号"), max_length=34, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    finish_due = models.DateField(_("改造完成期限"), null=True, blank=True)
    acceptance_due = models.DateField(_("验收申请期限"), null=True, blank=True)
    acceptance_applied_on = models.DateField(_("申请验收日期"), null=True, blank=True)
    baseline_level = models.PositiveSmallIntegerField(_("改造前等级"), null=True, blank=True)
    post_assessment = models.ForeignKey("assessment.Assessment", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("改造后现场评定"))
    level_achieved = models.PositiveSmallIntegerField(_("改造后等级"), null=True, blank=True)
    required_level = models.PositiveSmallIntegerField(_("验收所需等级"), default=2)
    expert = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("评审专家"))
    subsidy_amount = models.DecimalField(_("补助金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    subsidy_by_source = models.JSONField(_("资金来源分担"), default=dict, blank=True)
    subsidy_explanation = models.JSONField(_("计算说明"), default=list, blank=True)
    rules_version = models.CharField(_("规则版本"), max_length=16, blank=True)
    approved_on = models.DateField(_("审定日期"), null=True, blank=True)
    # Four-eyes (programme controls): the first officer's confirmation of a commitment above the
    # threshold, which a second officer completes.
    first_approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                          verbose_name=_("第一审定人"))
    first_approved_amount = models.DecimalField(_("第一审定金额（元）"), max_digits=14, decimal_places=2, null=True,
                                                blank=True)
    batch = models.ForeignKey("PayoutBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="projects",
                              verbose_name=_("兑现批次"))
    paid_on = models.DateField(_("兑现日期"), null=True, blank=True)
    returned_to = models.CharField(_("退回至"), max_length=20, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("改造项目")
        verbose_name_plural = _("改造项目")
        indexes = [models.Index(fields=["programme", "state"]), models.Index(fields=["provider", "state"])]
        constraints = [
            # A payout without a passing post-assessment is impossible, whatever writes the row.
            models.CheckConstraint(
                condition=~Q(state__in=[wf.IN_BATCH, wf.PAID]) | (
                    Q(post_assessment__isnull=False) & Q(level_achieved__isnull=False)
                    & Q(level_achieved__gte=F("required_level")) & Q(required_level__gte=1)
                    & Q(subsidy_amount__gt=0) & Q(batch__isnull=False)),
                name="payout_needs_passing_post_assessment",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=sorted(wf.NEEDS_POST_ASSESSMENT)) | (
                    Q(post_assessment__isnull=False) & Q(level_achieved__gte=F("required_level"))),
                name="accepted_needs_post_assessment",
            ),
            models.CheckConstraint(condition=Q(subsidy_amount__isnull=True) | Q(subsidy_amount__gte=0),
                                   name="subsidy_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        """The funds ledger's reference for this project's commitment and payment."""
        return f"project:{self.pk}"

    @property
    def state_label(self) -> str:
        return wf.STATES.get(self.state, self.state)

    @property
    def payee_account_masked(self) -> str:
        """The account number for the screen: the last four digits only (the export carries it whole)."""
        return wf.mask_account(self.payee_account)

    @property
    def state_tone(self) -> str:
        return wf.STATE_TONES.get(self.state, "secondary")

    def overdue(self, today) -> str | None:
        return wf.overdue(self.state, today, self.finish_due, self.acceptance_due)


class InvestmentItem(models.Model):
    """One line of the itemised investment (by the programme's cost categories)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    category = models.CharField(_("费用类别"), max_length=32)
    description = models.CharField(_("内容"), max_length=200, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="item_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.category} {self.amount}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("里程碑"), max_length=200)
    due_on = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectDocument(models.Model):
    """A file of the project, stored privately and served only through a scoped view."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=32, choices=[(k.code, k.label) for k in wf.DOCUMENT_KINDS])
    file_type = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ExpertOpinion(models.Model):
    """The assigned expert's score and opinion on an acceptance (验收专家评审)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="expert_opinions")
    expert = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("评分（0–100）"), max_digits=5, decimal_places=2)
    recommend = models.BooleanField(_("建议通过"), default=True)
    opinion = models.TextField(_("评审意见"))
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="expert_score_range")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.score}"


class BatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> BatchQuerySet:
        """City: all. Town officers: batches holding a project of their town (they see their rows)."""
        if is_city_wide(user):
            return self
        if user.is_authenticated and user.role == Role.TOWN_OFFICER:
            return self.filter(projects__enterprise__town_id=user.town_id).distinct()
        return self.none()


class PayoutBatch(models.Model):
    """A monthly payout batch (兑现批次): build → review → approve → export → paid."""

    STATUS_CHOICES = list(wf.BATCH_STATES.items())

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="batches", verbose_name=_("试点计划"))
    month = models.DateField(_("批次月份"), help_text=_("当月第一天"))
    number = models.PositiveSmallIntegerField(_("当月序号"), default=1)
    status = models.CharField(_("状态"), max_length=12, choices=STATUS_CHOICES, default=wf.BATCH_DRAFT)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    paid_on = models.DateField(null=True, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "-number"]
        verbose_name = _("兑现批次")
        verbose_name_plural = _("兑现批次")
        constraints = [models.UniqueConstraint(fields=["programme", "month", "number"], name="one_batch_number_a_month")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.month:%Y年%m月}第{self.number}批"

    @property
    def status_label(self) -> str:
        return wf.BATCH_STATES.get(self.status, self.status)

    @property
    def status_tone(self) -> str:
        return wf.BATCH_TONES.get(self.status, "secondary")


class SatisfactionQuerySet(models.QuerySet):
    def visible_to(self, user) -> SatisfactionQuerySet:
        return self.filter(project__in=Project.objects.visible_to(user))


class Satisfaction(models.Model):
    """The enterprise's rating of its provider after payout (feeds the pool's star rating)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="satisfaction")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="satisfaction_ratings",
                                 verbose_name=_("服务商"))
    score = models.PositiveSmallIntegerField(_("满意度（1–5）"))
    comment = models.TextField(_("评价"), blank=True)
    rated_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    rated_at = models.DateTimeField(default=timezone.now)

    objects = SatisfactionQuerySet.as_manager()

    class Meta:
        ordering = ["-rated_at"]
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        constraints = [models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="satisfaction_1_to_5")]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.score}"


def related_enterprises(user) -> Q | None:
    """Providers see the enterprises they are contracted with, experts those they review: while the
    project is alive and for `RELATIONSHIP_GRACE_DAYS` after it ended (paid, rejected, withdrawn)."""
    from shuzhuan.registry.models import relationship_cutoff

    live = Project.objects.exclude(state__in=list(wf.FINAL)) | Project.objects.filter(
        state__in=list(wf.FINAL), updated_at__gte=relationship_cutoff())
    if user.role == Role.PROVIDER and user.organisation_id:
        return Q(programme_projects__in=live.filter(provider_id=user.organisation_id))
    if user.role == Role.EXPERT:
        return Q(programme_projects__in=live.filter(expert_id=user.pk))
    return None


def expert_assessments(user) -> Q | None:
    """An expert reviewing a project sees the post-assessment it rests on (and nothing else of the firm's)."""
    if user.role == Role.EXPERT:
        return Q(pk__in=Project.objects.filter(expert_id=user.pk, post_assessment__isnull=False)
                 .values("post_assessment_id"))
    return None
