"""免申即享 runs: the batch engine lists every entitled enterprise; each entitlement remembers the rule
version and the inputs it read, and one (policy, enterprise, period) is settled at most once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.models import Role, is_city_wide


class RunStatus(models.TextChoices):
    REVIEW = "review", _("镇街审核中")
    CONFIRMING = "confirming", _("企业确认中")
    APPROVED = "approved", _("市级已审批")
    CLOSED = "closed", _("已结束")


class PolicyRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> PolicyRunQuerySet:
        """Runs are the officers' work: the city sees every run, a town the runs that list one of its
        enterprises (and, on the run's page, only its own rows)."""
        if is_city_wide(user):
            return self
        if user.is_authenticated and user.role == Role.TOWN_OFFICER:
            return self.filter(models.Exists(Entitlement.objects.filter(run=models.OuterRef("pk"),
                                                                        enterprise__town_id=user.town_id)))
        return self.none()


class PolicyRun(models.Model):
    policies = models.JSONField(_("政策"), default=list)
    on = models.DateField(_("按哪一天的政策版本"))
    period = models.PositiveSmallIntegerField(_("年度"))
    versions = models.JSONField(_("所用政策版本"), default=dict)  # {code: version label}
    snapshot = models.CharField(_("输入快照（SHA-256）"), max_length=64)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("上一次运行"))
    status = models.CharField(_("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.REVIEW)
    summary = models.JSONField(_("汇总"), default=dict)  # counts, totals, dropped subjects
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("运行时间"), default=timezone.now)

    objects = PolicyRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("免申即享批次")

    def __str__(self) -> str:
        return f"{self.period} {','.join(self.policies)} #{self.pk}"


class PaymentBatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> PaymentBatchQuerySet:
        return self if is_city_wide(user) else self.none()  # payouts are the city's


class PaymentBatch(models.Model):
    """One payout of a run's approved entitlements through the funds ledger (committed → paid)."""

    run = models.ForeignKey(PolicyRun, on_delete=models.PROTECT, related_name="batches", verbose_name=_("批次"))
    count = models.PositiveIntegerField(_("笔数"))
    total = models.DecimalField(_("合计（元）"), max_digits=16, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("支付时间"), default=timezone.now)

    objects = PaymentBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("支付批次")

    def __str__(self) -> str:
        return f"#{self.pk} {self.count} {self.total}"


class EntitlementStatus(models.TextChoices):
    ENTITLED = "entitled", _("待镇街审核")
    EXCLUDED = "excluded", _("镇街已排除")
    OFFERED = "offered", _("待企业确认")
    CONFIRMED = "confirmed", _("企业已确认")
    APPROVED = "approved", _("市级已审批")
    PAID = "paid", _("已支付")
    SETTLED = "settled", _("此前批次已兑现")
    OVER_QUOTA = "over_quota", _("超出名额")


SETTLING = (EntitlementStatus.CONFIRMED, EntitlementStatus.APPROVED, EntitlementStatus.PAID)


class EntitlementQuerySet(models.QuerySet):
    def visible_to(self, user) -> EntitlementQuerySet:
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.TOWN_OFFICER:
            return self.filter(enterprise__town_id=user.town_id)
        if user.role == Role.ENTERPRISE and user.organisation_id:
            return self.filter(enterprise_id=user.organisation_id)
        return self.none()


class Entitlement(models.Model):
    run = models.ForeignKey(PolicyRun, on_delete=models.CASCADE, related_name="entitlements")
    policy = models.CharField(_("政策"), max_length=64)
    version = models.CharField(_("政策版本"), max_length=10)
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="entitlements",
                                   verbose_name=_("企业"))
    period = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2)
    inputs = models.JSONField(_("读取的数据"), default=dict)  # fact key → value as read (money as strings)
    within_quota = models.BooleanField(_("名额内"), default=True)
    change = models.CharField(_("与上次相比"), max_length=10, default="new")
    previous_amount = models.DecimalField(_("上次金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=EntitlementStatus.choices,
                              default=EntitlementStatus.ENTITLED)
    reason = models.CharField(_("排除原因"), max_length=200, blank=True)
    bank_account = models.CharField(_("收款账号"), max_length=34, blank=True)  # shown masked only
    confirmed_at = models.DateTimeField(_("企业确认时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("市级审批时间"), null=True, blank=True)
    batch = models.ForeignKey(PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="entitlements",
                              verbose_name=_("支付批次"))
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)

    objects = EntitlementQuerySet.as_manager()

    class Meta:
        ordering = ["policy", "-amount", "pk"]
        verbose_name = _("可享政策")
        constraints = [
            models.UniqueConstraint(fields=["run", "policy", "enterprise"], name="policy_entitlement_once_per_run"),
            # 免申即享 never pays twice: one settling entitlement per policy, enterprise and period
            models.UniqueConstraint(fields=["policy", "enterprise", "period"], condition=Q(status__in=SETTLING),
                                    name="policy_entitlement_settled_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="policy_entitlement_amount_nonnegative"),
        ]
        indexes = [models.Index(fields=["policy", "enterprise", "period"])]

    def __str__(self) -> str:
        return f"{self.policy} {self.enterprise_id} {self.period}: {self.amount}"

    @property
    def bank_account_masked(self) -> str:
        from shuzhuan.policy.domain.runs import mask_account

        return mask_account(self.bank_account)


class RecognitionKind(models.TextChoices):
    LIGHTHOUSE = "lighthouse", _("灯塔工厂")
    SMART_PILOT = "smart_pilot", _("智能制造试点示范项目")
    PROVINCIAL_IIOT = "provincial_iiot", _("省级工业互联网标杆")
    DEMO_FACTORY = "demo_factory", _("数字化智能化示范工厂")
    DEMO_WORKSHOP = "demo_workshop", _("数字化智能化示范车间")
    IIOT_BENCHMARK = "iiot_benchmark", _("工业互联网标杆示范项目")
    BENCHMARK_PLATFORM = "benchmark_platform", _("标杆平台")
    CLUSTER_PILOT = "cluster_pilot", _("产业集群数字化转型试点")
    ON_CLOUD = "on_cloud", _("上云用平台")
    IDENTIFIER_NODE = "identifier_node", _("标识解析二级节点")


class RecognitionLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


class RecognitionQuerySet(models.QuerySet):
    def visible_to(self, user) -> RecognitionQuerySet:
        return self  # recognitions are published (公示、名单): public


class Recognition(models.Model):
    """A title an organisation was awarded (a demo workshop, a lighthouse factory, …), with its level,
    year, project and document; the award paid for it, when there was one. Facts for other policies."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="recognitions",
                                     verbose_name=_("获评单位"))
    kind = models.CharField(_("类别"), max_length=24, choices=RecognitionKind.choices)
    level = models.CharField(_("级别"), max_length=12, choices=RecognitionLevel.choices, default=RecognitionLevel.CITY)
    year = models.PositiveSmallIntegerField(_("年度"))
    project = models.CharField(_("项目"), max_length=200, blank=True)
    document = models.CharField(_("文件"), max_length=200, blank=True)
    award = models.DecimalField(_("奖补金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    summary = models.TextField(_("建设内容"), blank=True, help_text=_("做了什么（标杆示范案例）"))
    results = models.TextField(_("成效"), blank=True)
    provider_name = models.CharField(_("服务商"), max_length=200, blank=True)

    objects = RecognitionQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "kind", "pk"]
        verbose_name = _("认定与荣誉")
        constraints = [models.CheckConstraint(condition=Q(award__gte=0) | Q(award__isnull=True),
                                              name="policy_recognition_award_nonnegative")]
        indexes = [models.Index(fields=["kind", "organisation"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()}{self.get_kind_display()} {self.year}"


class ReformQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReformQuerySet:
        return self if is_city_wide(user) else self.none()  # what-ifs are the city's drafts


class ReformStatus(models.TextChoices):
    DRAFT = "draft", _("草案")
    PUBLISHED = "published", _("已发布")


class Reform(models.Model):
    """A saved what-if: a parameter diff (and optionally changed conditions) on one policy version,
    with its result on the live registry at the time (cost, beneficiaries, gainers and losers by group)."""

    title = models.CharField(_("名称"), max_length=120)
    policy = models.CharField(_("政策"), max_length=64)
    base_version = models.CharField(_("基准版本"), max_length=10)
    on = models.DateField(_("测算日期"))
    changes = models.JSONField(_("参数调整"), default=dict)  # parameter → new value (money as strings)
    conditions = models.JSONField(_("条件调整"), default=dict)  # index (as a string) → new condition text
    result = models.JSONField(_("测算结果"), default=dict)
    snapshot = models.CharField(_("输入快照（SHA-256）"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ReformStatus.choices, default=ReformStatus.DRAFT)
    published_from = models.DateField(_("新版本生效日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("保存时间"), default=timezone.now)

    objects = ReformQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("政策测算")

    def __str__(self) -> str:
        return self.title


class VersionOverrideQuerySet(models.QuerySet):
    def visible_to(self, user) -> VersionOverrideQuerySet:
        return self  # a published version is public, like the policy library


class VersionOverride(models.Model):
    """A dated version published from a what-if: the engine loads it after the YAML file's versions (it
    starts on `effective_from` and ends where the version it changes ended; that version now ends on
    `effective_from`). Earlier versions are unchanged, so results under them stay reproducible."""

    policy = models.CharField(_("政策"), max_length=64, db_index=True)
    effective_from = models.DateField(_("生效日期"))
    base_version = models.CharField(_("基准版本"), max_length=10)
    changes = models.JSONField(_("参数调整"), default=dict)
    conditions = models.JSONField(_("条件调整"), default=dict)
    reform = models.ForeignKey(Reform, on_delete=models.PROTECT, related_name="+", verbose_name=_("政策测算"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    objects = VersionOverrideQuerySet.as_manager()

    class Meta:
        ordering = ["policy", "effective_from"]
        verbose_name = _("发布的政策版本")
        constraints = [models.UniqueConstraint(fields=["policy", "effective_from"], name="policy_override_once_per_day")]

    def __str__(self) -> str:
        return f"{self.policy} {self.effective_from}"
