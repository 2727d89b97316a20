"""Consents (consent-receipt fields, ISO/IEC TS 27560 / Kantara), the access log an enterprise reads,
and the outcomes banks report. A bank reaches a portrait only through an active consent (DESIGN 14)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.models import Organisation, Role, is_city_wide
from shuzhuan.credit import domain as cd
from shuzhuan.registry.models import Enterprise


def _enterprise_scope(queryset, user, field: str):
    """City: all. Town officer: its town's firms. Enterprise: its own. Bank: its own consents."""
    if is_city_wide(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.role == Role.TOWN_OFFICER and user.town_id:
        return queryset.filter(**{f"{field}__town_id": user.town_id})
    if user.role == Role.ENTERPRISE and user.organisation_id:
        return queryset.filter(**{f"{field}_id": user.organisation_id})
    if user.role == Role.BANK and user.organisation_id:
        return queryset.filter(bank_id=user.organisation_id)
    return queryset.none()


class ConsentQuerySet(models.QuerySet):
    def visible_to(self, user) -> ConsentQuerySet:
        return _enterprise_scope(self, user, "enterprise")

    def active(self, today=None) -> ConsentQuerySet:
        today = today or timezone.localdate()
        return self.filter(status=cd.ACTIVE, expires__gte=today)


class Consent(models.Model):
    """One enterprise (principal) authorising one bank (controller) for one purpose until `expires`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="credit_consents",
                                   verbose_name=_("授权企业"))
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="credit_consents_received",
                             verbose_name=_("被授权银行"))
    purpose = models.CharField(_("用途"), max_length=32, choices=list(cd.PURPOSES.items()))
    data_categories = models.JSONField(_("数据类别"), default=list)
    starts = models.DateTimeField(_("生效时间"), default=timezone.now)
    expires = models.DateField(_("到期日"))
    method = models.CharField(_("授权方式"), max_length=16, default=cd.METHOD_WEB)
    status = models.CharField(_("状态"), max_length=16, default=cd.ACTIVE)
    history = models.JSONField(_("状态记录"), default=list)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts"]
        indexes = [models.Index(fields=["enterprise", "bank", "status", "expires"], name="credit_consent_lookup")]
        verbose_name = _("数据授权")
        verbose_name_plural = _("数据授权")

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.bank_id} {self.purpose}"

    @property
    def is_active(self) -> bool:
        return cd.consent_active(self.status, self.expires, timezone.localdate())

    @property
    def purpose_label(self) -> str:
        return cd.PURPOSES.get(self.purpose, self.purpose)


class AccessLogQuerySet(models.QuerySet):
    def visible_to(self, user) -> AccessLogQuerySet:
        return _enterprise_scope(self, user, "enterprise")


class AccessLog(models.Model):
    """Every read of a portrait (who, when, purpose, what fields), listed to the enterprise."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="credit_reads")
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="credit_reads_made")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="reads")
    at = models.DateTimeField(_("查看时间"), default=timezone.now)
    purpose = models.CharField(_("用途"), max_length=32)
    fields = models.JSONField(_("查看内容"), default=list)
    channel = models.CharField(_("渠道"), max_length=8, default="api")

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("查看记录")
        verbose_name_plural = _("查看记录")

    def __str__(self) -> str:
        return f"{self.bank_id} read {self.enterprise_id} at {self.at:%Y-%m-%d %H:%M}"


class Outcome(models.Model):
    """The bank's answer after reading a portrait: granted with an amount, or declined with a reason."""

    GRANTED, DECLINED = "granted", "declined"
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="credit_outcomes")
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="credit_outcomes_reported")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="outcomes")
    decision = models.CharField(_("结果"), max_length=16, choices=[(GRANTED, _("已授信")), (DECLINED, _("未授信"))])
    amount = models.DecimalField(_("授信金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    model_version = models.CharField(_("模型版本"), max_length=32)
    reported_at = models.DateTimeField(_("报送时间"), default=timezone.now)

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("授信结果")
        verbose_name_plural = _("授信结果")

    def __str__(self) -> str:
        return f"{self.bank_id} {self.decision} {self.enterprise_id}"




class PublicRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> PublicRecordQuerySet:
        """Raw records stay in the domain: officers by town, the enterprise its own; never a bank."""
        if user.is_authenticated and user.role == Role.BANK:
            return self.none()
        return _enterprise_scope(self, user, "enterprise")


class PublicRecord(models.Model):
    """One department's figures for one enterprise and period, as declared in data/feeds.yaml."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="public_records")
    feed = models.CharField(_("数据源"), max_length=32)
    period = models.CharField(_("期间"), max_length=10)
    values = models.JSONField(_("数据"), default=dict)
    department = models.CharField(_("报送部门"), max_length=64)
    batch = models.CharField(_("批次"), max_length=64)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)

    objects = PublicRecordQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "feed", "-period"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "feed", "period"], name="one_record_per_feed_period")]
        verbose_name = _("公共数据记录")
        verbose_name_plural = _("公共数据记录")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.feed} {self.period}"


class ModelVersion(models.Model):
    """One fitted scorecard: its metrics on held-out data, IV table, PSI, and the fitted model itself, so a
    score is reproducible under its version. The newest active version scores portraits."""

    version = models.CharField(_("版本"), max_length=32, unique=True)
    kind = models.CharField(_("模型"), max_length=32, default="default_scorecard")
    trained_at = models.DateTimeField(_("训练时间"), default=timezone.now)
    target_year = models.PositiveSmallIntegerField(_("目标年度"))
    metrics = models.JSONField(_("指标"), default=dict)
    iv_table = models.JSONField(_("IV 表"), default=list)
    fitted = models.BinaryField(_("模型参数"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["-trained_at"]
        verbose_name = _("模型版本")
        verbose_name_plural = _("模型版本")

    def __str__(self) -> str:
        return self.version
