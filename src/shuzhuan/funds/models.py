"""Fund sources, budget lines and the double-entry ledger (issue 5).

Money moves only as a `LedgerTransaction` whose `Posting`s sum to zero. Each budget line has three
accounts (available → committed → paid); each fund source of a programme has one `funding`
account, the outside world the money comes from (its balance is minus what was allocated).

`Account.balance` is a stored balance (DESIGN decision 8): written only by `services._post`, never
below zero for a line's account (CHECK constraint), and reconciled with the postings by
`services.reconcile()` and the tests.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.models import is_city_wide


class SourceCode(models.TextChoices):
    CENTRAL = "central", _("中央")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    TOWN = "town", _("镇级")


class Purpose(models.TextChoices):
    DIRECT_SME = "direct_sme", _("直接补助中小企业")
    PUBLIC_SERVICES = "public_services", _("公共服务")


class Bucket(models.TextChoices):
    AVAILABLE = "available", _("可用")
    COMMITTED = "committed", _("已承诺")
    PAID = "paid", _("已支付")
    FUNDING = "funding", _("资金来源")


class Kind(models.TextChoices):
    ALLOCATION = "allocation", _("下达")
    COMMITMENT = "commitment", _("承诺")
    RELEASE = "release", _("释放")
    PAYMENT = "payment", _("支付")
    ADJUSTMENT = "adjustment", _("调整")


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("未结")
    RELEASED = "released", _("已释放")
    PAID = "paid", _("已支付")


class LedgerQuerySet(models.QuerySet):
    """Budgets and the ledger are the city's: admins and city officers see them, nobody else."""

    def visible_to(self, user: Any) -> LedgerQuerySet:
        if is_city_wide(user):
            return self.all()
        return self.none()


class FundSource(models.Model):
    code = models.CharField(_("代码"), max_length=16, choices=SourceCode.choices, unique=True)
    label = models.CharField(_("名称"), max_length=32)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label


class BudgetLine(models.Model):
    """One source's money for one purpose within a programme (the code of its rules file)."""

    programme = models.CharField(_("奖补计划"), max_length=64, db_index=True)
    source = models.ForeignKey(FundSource, on_delete=models.PROTECT, related_name="lines", verbose_name=_("资金来源"))
    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    name = models.CharField(_("名称"), max_length=128)
    year = models.PositiveSmallIntegerField(_("预算年度"), help_text=_("预算线设立的年度"))

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("预算线")
        verbose_name_plural = _("预算线")
        ordering = ["programme", "source_id", "purpose"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "source", "purpose"], name="funds_line_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    programme = models.CharField(_("奖补计划"), max_length=64, db_index=True)
    source = models.ForeignKey(FundSource, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("资金来源"))
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts",
                             verbose_name=_("预算线"))
    bucket = models.CharField(_("类别"), max_length=16, choices=Bucket.choices)
    balance = models.DecimalField(_("余额"), max_digits=14, decimal_places=2, default=0)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        ordering = ["id"]
        constraints = [
            # The last line of defence: the posting service never lets a line's account go negative.
            models.CheckConstraint(condition=Q(balance__gte=0) | Q(bucket="funding"), name="funds_account_not_negative"),
            models.CheckConstraint(condition=Q(bucket="funding", line__isnull=True) | (~Q(bucket="funding") & Q(line__isnull=False)),
                                   name="funds_account_funding_has_no_line"),
            models.UniqueConstraint(fields=["line", "bucket"], condition=Q(line__isnull=False), name="funds_account_line_bucket"),
            models.UniqueConstraint(fields=["programme", "source"], condition=Q(bucket="funding"),
                                    name="funds_account_one_funding"),
        ]

    def __str__(self) -> str:
        if self.line_id is None:
            return f"{self.programme} {self.source} {self.get_bucket_display()}"
        return f"{self.line} {self.get_bucket_display()}"


class LedgerTransaction(models.Model):
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    programme = models.CharField(_("奖补计划"), max_length=64, db_index=True)
    reference = models.CharField(_("业务编号"), max_length=64, blank=True, db_index=True,
                                 help_text=_("如 project:123、batch:5"))
    memo = models.CharField(_("摘要"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("经办人"))
    by_label = models.CharField(_("经办人"), max_length=150, blank=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.reference}".strip()


class Posting(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="postings",
                                    verbose_name=_("凭证"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings", verbose_name=_("账户"))
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2, help_text=_("借方为负，贷方为正"))

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        ordering = ["transaction_id", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="funds_posting_not_zero")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"


class Commitment(models.Model):
    """The money set aside for one reference (a project) at approval, until it is paid or released.

    Only one open commitment per reference (a partial unique index), and closing it is a
    conditional update of `status`, so a reference is never paid or released twice, even at once.
    """

    reference = models.CharField(_("业务编号"), max_length=64)
    programme = models.CharField(_("奖补计划"), max_length=64)
    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    status = models.CharField(_("状态"), max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN)
    opened = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="opened_commitments",
                               verbose_name=_("承诺凭证"))
    closed = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("结清凭证"))

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("资金承诺")
        verbose_name_plural = _("资金承诺")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["reference"], condition=Q(status="open"), name="funds_one_open_commitment"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_commitment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount}"
