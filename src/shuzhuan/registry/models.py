"""The enterprise registry (一企一档): one row per enterprise, yearly figures in their own table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.models import Organisation, Role, Town, is_city_wide


class IndustryClass(models.Model):
    """A GB/T 4754-2017 item: section (C), division (38), group (387) or class (3872)."""

    code = models.CharField(_("代码"), max_length=4, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10)  # section / division / group / class
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SizeClass(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class ZjtxTier(models.TextChoices):
    NONE = "", _("无")
    INNOVATIVE = "innovative", _("创新型中小企业")
    ZJTX = "zjtx", _("专精特新中小企业")
    LITTLE_GIANT = "little_giant", _("专精特新“小巨人”")


# Providers, banks and experts see an enterprise only through a relationship that another app owns
# (an on-site rating assignment, a contact request, a contract, a loan filing, a consent). Each app
# registers a function user -> Q over Enterprise in its AppConfig.ready(); the registry never imports them.
RelationshipRule = Callable[[Any], Q | None]
_RELATIONSHIPS: list[RelationshipRule] = []


def register_relationship(rule: RelationshipRule) -> None:
    if rule not in _RELATIONSHIPS:
        _RELATIONSHIPS.append(rule)


# Apps above the registry that keep records naming enterprises by USCC before they are registered
# (a chain leader's supplier list) register a callback here in their AppConfig.ready(); the
# registry calls each one after it has added enterprises, in the same transaction.
EnterprisesAdded = Callable[[], Any]
_ADDED_HOOKS: list[EnterprisesAdded] = []


def register_enterprises_added(hook: EnterprisesAdded) -> None:
    if hook not in _ADDED_HOOKS:
        _ADDED_HOOKS.append(hook)


def enterprises_added() -> None:
    """Tell the registered apps that new enterprises exist (called by the import after its writes)."""
    for hook in _ADDED_HOOKS:
        hook()


class EnterpriseQuerySet(models.QuerySet):
    def visible_to(self, user) -> EnterpriseQuerySet:
        """City: all. Town officer: own town. Enterprise user: itself. Provider, bank, expert: the
        enterprises related to them through a registered relationship."""
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.TOWN_OFFICER:
            return self.filter(town_id=user.town_id)
        if user.role == Role.ENTERPRISE:
            return self.filter(pk=user.organisation_id) if user.organisation_id else self.none()
        condition = Q(pk__in=[])
        for rule in _RELATIONSHIPS:
            q = rule(user)
            if q is not None:
                condition |= q
        # Rules join to-many relations (several contact requests, assignments…): a subquery keeps one row
        # per enterprise, so lists don't repeat a firm and a detail lookup never finds two.
        return self.filter(pk__in=Enterprise.objects.filter(condition).values("pk"))


class Enterprise(models.Model):
    """An enterprise's profile. USCC and name live on its Organisation (DESIGN decision 1)."""

    organisation = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.CASCADE, related_name="enterprise", verbose_name=_("组织")
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    town = models.ForeignKey(Town, verbose_name=_("所属镇街"), on_delete=models.PROTECT, related_name="enterprises")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    industry = models.ForeignKey(
        IndustryClass, verbose_name=_("行业"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    # tags
    zjtx_tier = models.CharField(_("专精特新"), max_length=16, choices=ZjtxTier.choices, blank=True, default="")
    high_tech = models.BooleanField(_("高新技术企业"), default=False)
    chain_leader = models.BooleanField(_("链主企业"), default=False)
    cultivation_directory = models.BooleanField(_("上规上限培育库"), default=False)
    on_cloud = models.BooleanField(_("上云用平台"), default=False)
    # contact
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    # derived from the latest year (registry.services.refresh_derived); kept for filters at scale
    latest_year = models.PositiveSmallIntegerField(_("最新年度"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    revenue = models.DecimalField(_("营业收入（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    tax = models.DecimalField(_("纳税总额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    size_class = models.CharField(_("企业规模"), max_length=8, choices=SizeClass.choices, blank=True, default="")
    above_scale = models.BooleanField(_("规模以上"), default=False)
    created_at = models.DateTimeField(_("建档时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        indexes = [
            models.Index(fields=["town", "size_class"]),
            models.Index(fields=["size_class"]),
            models.Index(fields=["above_scale", "town"]),
            # sort keys of the list; PostgreSQL also gets DESC NULLS LAST twins (migration 0004)
            models.Index(fields=["revenue"], name="enterprise_revenue"),
            models.Index(fields=["employees"], name="enterprise_employees"),
            models.Index(fields=["-updated_at"], name="enterprise_updated_desc"),
        ]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def uscc(self) -> str:
        return self.organisation.uscc

    @property
    def name(self) -> str:
        return self.organisation.name

    def tags(self) -> list[str]:
        tags = []
        if self.zjtx_tier:
            tags.append(self.get_zjtx_tier_display())
        for field in ("high_tech", "chain_leader", "cultivation_directory", "on_cloud"):
            if getattr(self, field):
                tags.append(str(self._meta.get_field(field).verbose_name))
        return tags


class EnterpriseYearQuerySet(models.QuerySet):
    def visible_to(self, user) -> EnterpriseYearQuerySet:
        return self.filter(enterprise__in=Enterprise.objects.visible_to(user))


class EnterpriseYear(models.Model):
    """Yearly figures: an import row keyed by USCC + 年度 adds a year or updates it."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    employees = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    revenue = models.DecimalField(_("营业收入（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    tax = models.DecimalField(_("纳税总额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)

    objects = EnterpriseYearQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "-year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="one_row_per_enterprise_year")]
        verbose_name = _("年度数据")
        verbose_name_plural = _("年度数据")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"


def relationship_cutoff():
    """The moment before which an ended relationship no longer gives access (settings.RELATIONSHIP_GRACE_DAYS)."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    return timezone.now() - dt.timedelta(days=settings.RELATIONSHIP_GRACE_DAYS)
