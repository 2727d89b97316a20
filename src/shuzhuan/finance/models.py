"""Banks, their 数字贷 products, compliance listings read by eligibility rules, and project filings (备案)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.models import Organisation, Role, Town, is_city_wide
from shuzhuan.finance.domain import filing as fd
from shuzhuan.finance.domain import loan as ld
from shuzhuan.registry.models import Enterprise

OFFICER_ROLES = {Role.ADMIN, Role.CITY_OFFICER, Role.TOWN_OFFICER}


class BankQuerySet(models.QuerySet):
    def visible_to(self, user) -> BankQuerySet:
        return self  # cooperating banks are public (the product shelf names them)


class BankProfile(models.Model):
    """A cooperating bank: one-to-one with an Organisation of kind bank (DESIGN decision 1); its staff
    are the bank-role users of that organisation."""

    organisation = models.OneToOneField(Organisation, primary_key=True, on_delete=models.CASCADE,
                                        related_name="bank_profile", verbose_name=_("组织"))
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    introduction = models.TextField(_("简介"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    cooperating_since = models.DateField(_("合作起始日期"), null=True, blank=True)

    objects = BankQuerySet.as_manager()

    class Meta:
        verbose_name = _("合作银行")
        verbose_name_plural = _("合作银行")

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name


class BankBranch(models.Model):
    bank = models.ForeignKey(BankProfile, on_delete=models.CASCADE, related_name="branches", verbose_name=_("银行"))
    name = models.CharField(_("网点名称"), max_length=100)
    town = models.ForeignKey(Town, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("所在镇街"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("银行网点")
        verbose_name_plural = _("银行网点")
        constraints = [models.UniqueConstraint(fields=["bank", "name"], name="finance_branch_unique_name")]

    def __str__(self) -> str:
        return self.name


class Collateral(models.TextChoices):
    CREDIT = "credit", _("信用")
    MORTGAGE = "mortgage", _("抵押")
    PLEDGE = "pledge", _("质押")
    GUARANTEE = "guarantee", _("保证")


class ProductQuerySet(models.QuerySet):
    def published(self) -> ProductQuerySet:
        return self.filter(published=True)

    def visible_to(self, user) -> ProductQuerySet:
        """Published products: everyone. Drafts: the bank's own staff, the city, and the officers of a town
        where the bank has a branch (as town officers see the providers located in their town)."""
        if is_city_wide(user):
            return self
        if user.is_authenticated and user.role == Role.TOWN_OFFICER and user.town_id:
            return self.filter(Q(published=True) | Q(bank__branches__town_id=user.town_id)).distinct()
        if user.is_authenticated and user.role == Role.BANK and user.organisation_id:
            return self.filter(Q(published=True) | Q(bank_id=user.organisation_id))
        return self.filter(published=True)


class LoanProduct(models.Model):
    """A 数字贷 product on the shelf. Rates are annual percentages (3.45 = 3.45 %)."""

    bank = models.ForeignKey(BankProfile, on_delete=models.PROTECT, related_name="products", verbose_name=_("银行"))
    name = models.CharField(_("产品名称"), max_length=100)
    summary = models.CharField(_("产品简介"), max_length=300, blank=True)
    rate_min = models.DecimalField(_("年利率下限（%）"), max_digits=5, decimal_places=2)
    rate_max = models.DecimalField(_("年利率上限（%）"), max_digits=5, decimal_places=2)
    term_months_min = models.PositiveSmallIntegerField(_("期限下限（月）"))
    term_months_max = models.PositiveSmallIntegerField(_("期限上限（月）"))
    amount_min = models.DecimalField(_("额度下限（元）"), max_digits=14, decimal_places=2)
    amount_max = models.DecimalField(_("额度上限（元）"), max_digits=14, decimal_places=2)
    collateral = models.CharField(_("担保方式"), max_length=16, choices=Collateral.choices)
    target_firms = models.CharField(_("适用企业"), max_length=300, blank=True)
    published = models.BooleanField(_("已上架"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("数字贷产品")
        verbose_name_plural = _("数字贷产品")
        ordering = ["bank__organisation__name", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(rate_min__gt=0) & Q(rate_max__gte=models.F("rate_min")),
                                   name="finance_product_rate_range"),
            models.CheckConstraint(condition=Q(term_months_min__gt=0) & Q(term_months_max__gte=models.F("term_months_min")),
                                   name="finance_product_term_range"),
            models.CheckConstraint(condition=Q(amount_min__gt=0) & Q(amount_max__gte=models.F("amount_min")),
                                   name="finance_product_amount_range"),
        ]

    def __str__(self) -> str:
        return self.name


class FlagKind(models.TextChoices):
    DISHONESTY = "dishonesty", _("失信被执行人")
    MAJOR_TAX = "major_tax", _("重大税收违法失信主体")
    TWO_HIGH = "two_high", _("两高（高耗能、高排放）")
    MAJOR_INCIDENT = "major_incident", _("重大安全、环保、质量事故")


class ComplianceFlagQuerySet(models.QuerySet):
    def visible_to(self, user) -> ComplianceFlagQuerySet:
        if is_city_wide(user):
            return self
        if user.is_authenticated and user.role == Role.TOWN_OFFICER:
            return self.filter(enterprise__town_id=user.town_id)
        return self.none()

    def active(self, on) -> ComplianceFlagQuerySet:
        return self.filter(Q(listed_on__lte=on) & (Q(removed_on__isnull=True) | Q(removed_on__gt=on)))


class ComplianceFlag(models.Model):
    """A listing an eligibility rule reads (dishonesty list, 两高, a major incident…), from its source."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="compliance_flags",
                                   verbose_name=_("企业"))
    kind = models.CharField(_("类别"), max_length=16, choices=FlagKind.choices)
    listed_on = models.DateField(_("列入日期"))
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)

    objects = ComplianceFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("合规记录")
        verbose_name_plural = _("合规记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.listed_on}）"


class FilingQuerySet(models.QuerySet):
    def visible_to(self, user) -> FilingQuerySet:
        """City: all. Town: its town's. Enterprise: its own. Bank: filed filings naming it."""
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.TOWN_OFFICER and user.town_id:
            return self.filter(enterprise__town_id=user.town_id)
        if user.role == Role.ENTERPRISE and user.organisation_id:
            return self.filter(enterprise_id=user.organisation_id)
        if user.role == Role.BANK and user.organisation_id:
            return self.filter(pk__in=Filing.objects.filter(
                intended_banks=user.organisation_id, number__isnull=False).values("pk"))
        return self.none()


class Filing(models.Model):
    """A 数字贷 project filing (备案): the project, its itemised contract, provider and intended banks."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="loan_filings",
                                   verbose_name=_("企业"))
    number = models.CharField(_("备案编号"), max_length=16, unique=True, null=True, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=list(fd.STATES.items()), default=fd.SUBMITTED,
                             db_index=True)
    title = models.CharField(_("项目名称"), max_length=200)
    approval_number = models.CharField(_("投资项目备案（核准）编号"), max_length=64)
    provider = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("实施服务商"))
    provider_name = models.CharField(_("实施服务商名称"), max_length=200)
    contract_amount = models.DecimalField(_("合同金额（元）"), max_digits=16, decimal_places=2)
    items = models.JSONField(_("投资明细"), default=dict)  # {category: "amount"} (domain CATEGORIES)
    investment = models.DecimalField(_("合规投资额（元）"), max_digits=16, decimal_places=2)
    loan_demand = models.DecimalField(_("融资需求（元）"), max_digits=16, decimal_places=2)
    intended_banks = models.ManyToManyField(BankProfile, related_name="filings", verbose_name=_("意向银行"))
    eligibility = models.JSONField(_("资格审查"), default=dict)  # the policy outcome at submission
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    town_reviewed_at = models.DateTimeField(_("镇街审核时间"), null=True, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    voided_on = models.DateField(_("失效日期"), null=True, blank=True)
    reason = models.TextField(_("审核意见"), blank=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = _("数字贷项目备案")
        verbose_name_plural = _("数字贷项目备案")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(investment__gte=0) & Q(loan_demand__gt=0) & Q(contract_amount__gt=0),
                                   name="finance_filing_amounts"),
        ]

    def __str__(self) -> str:
        return self.number or self.title

    @property
    def state_label(self) -> str:
        return fd.STATES.get(self.state, self.state)

    @property
    def item_rows(self) -> list[tuple[str, str]]:
        return [(fd.CATEGORIES.get(k, k), v) for k, v in self.items.items()]


class FilingCounter(models.Model):
    """The last filing number issued per year (locked while a number is drawn)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class LoanQuerySet(models.QuerySet):
    def visible_to(self, user) -> LoanQuerySet:
        """City: all. Town: loans of its town's firms. Enterprise: its own. Bank: its own loans."""
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.TOWN_OFFICER and user.town_id:
            return self.filter(enterprise__town_id=user.town_id)
        if user.role in (Role.ENTERPRISE,) and user.organisation_id:
            return self.filter(enterprise_id=user.organisation_id)
        if user.role == Role.BANK and user.organisation_id:
            return self.filter(bank_id=user.organisation_id)
        return self.none()


class Loan(models.Model):
    """A 数字贷 loan as its bank reports it: application quoting a filing number, credit, disbursements,
    monthly repayments with the interest actually paid. Running totals are written by the services only."""

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="loans", verbose_name=_("备案"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="loans", verbose_name=_("企业"))
    bank = models.ForeignKey(BankProfile, on_delete=models.PROTECT, related_name="loans", verbose_name=_("银行"))
    product = models.ForeignKey(LoanProduct, null=True, blank=True, on_delete=models.PROTECT, related_name="loans",
                                verbose_name=_("产品"))
    reference = models.CharField(_("银行业务编号"), max_length=64)
    state = models.CharField(_("状态"), max_length=12, choices=list(ld.STATES.items()), default=ld.APPLIED, db_index=True)
    requested_amount = models.DecimalField(_("申请金额（元）"), max_digits=16, decimal_places=2)
    applied_on = models.DateField(_("申请日期"))
    credit_amount = models.DecimalField(_("授信金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(_("年利率（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("期限（月）"), null=True, blank=True)
    granted_on = models.DateField(_("授信日期"), null=True, blank=True)
    disbursed = models.DecimalField(_("累计放款（元）"), max_digits=16, decimal_places=2, default=0)
    repaid_principal = models.DecimalField(_("累计还本（元）"), max_digits=16, decimal_places=2, default=0)
    interest_paid = models.DecimalField(_("累计实付利息（元）"), max_digits=16, decimal_places=2, default=0)
    last_event_on = models.DateField(_("最近报送日期"), null=True, blank=True)
    settled_on = models.DateField(_("结清日期"), null=True, blank=True)

    objects = LoanQuerySet.as_manager()

    class Meta:
        verbose_name = _("数字贷贷款")
        verbose_name_plural = _("数字贷贷款")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "reference"], name="finance_loan_bank_reference"),
            models.CheckConstraint(condition=Q(disbursed__gte=0) & Q(repaid_principal__gte=0) & Q(interest_paid__gte=0)
                                   & Q(repaid_principal__lte=models.F("disbursed")), name="finance_loan_totals"),
            models.CheckConstraint(condition=Q(credit_amount__isnull=True) | Q(disbursed__lte=models.F("credit_amount")),
                                   name="finance_loan_within_credit"),
        ]

    def __str__(self) -> str:
        return f"{self.bank} {self.reference}"

    @property
    def state_label(self) -> str:
        return ld.STATES.get(self.state, self.state)

    @property
    def outstanding(self):
        return self.disbursed - self.repaid_principal

    def facts(self) -> ld.LoanFacts:
        return ld.LoanFacts(self.state, self.applied_on, self.credit_amount, self.granted_on, self.disbursed,
                            self.repaid_principal, self.last_event_on)


class Disbursement(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="disbursements", verbose_name=_("贷款"))
    on = models.DateField(_("放款日期"))
    amount = models.DecimalField(_("放款金额（元）"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("放款")
        verbose_name_plural = _("放款")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="finance_disbursement_positive")]

    def __str__(self) -> str:
        return f"{self.on} {self.amount}"


class Repayment(models.Model):
    """One repayment as the bank reports it; `interest` is the interest actually paid on `on`."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments", verbose_name=_("贷款"))
    on = models.DateField(_("还款日期"))
    principal = models.DecimalField(_("还款本金（元）"), max_digits=16, decimal_places=2)
    interest = models.DecimalField(_("实付利息（元）"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("还款")
        verbose_name_plural = _("还款")
        ordering = ["on", "id"]
        constraints = [models.CheckConstraint(condition=Q(principal__gte=0) & Q(interest__gte=0),
                                              name="finance_repayment_nonnegative")]

    def __str__(self) -> str:
        return f"{self.on} {self.principal}+{self.interest}"


def related_enterprises(user):
    """Banks reach an enterprise only through a filed filing naming them or a loan with them."""
    if user.role == Role.BANK and user.organisation_id:
        return (Q(loan_filings__intended_banks=user.organisation_id, loan_filings__number__isnull=False)
                | Q(loans__bank_id=user.organisation_id))
    return None


class IdempotencyRecord(models.Model):
    """The first answer to a bank's POST under an Idempotency-Key: a replay returns it; the same key
    with another body is refused (409)."""

    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    operation = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="finance_idempotency_user_key")]

    def __str__(self) -> str:
        return self.key


class GuaranteePool(models.Model):
    """助保贷 pool (DOMAIN §8): the government deposit and the guarantee-fee pool are funds ledger accounts
    (lines of programmes `<code>-deposit` / `<code>-fees`); parameters as data on the pool."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    leverage = models.PositiveSmallIntegerField(_("放大倍数"), default=10)
    firm_year_limit = models.DecimalField(_("每户每年上限（元）"), max_digits=14, decimal_places=2,
                                          default=Decimal("15000000.00"))
    fee_rate = models.DecimalField(_("助保金费率（年）"), max_digits=5, decimal_places=4, default=Decimal("0.0200"))
    government_share = models.DecimalField(_("政府分担比例"), max_digits=5, decimal_places=4, default=Decimal("0.5000"))

    objects = BankQuerySet.as_manager()

    class Meta:
        verbose_name = _("助保贷资金池")
        verbose_name_plural = _("助保贷资金池")

    def __str__(self) -> str:
        return self.name


class PoolLoanQuerySet(models.QuerySet):
    def visible_to(self, user) -> PoolLoanQuerySet:
        return _pool_scope(self, user)


def _pool_scope(queryset, user):
    if is_city_wide(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.role == Role.TOWN_OFFICER and user.town_id:
        return queryset.filter(enterprise__town_id=user.town_id)
    if user.role in (Role.ENTERPRISE, Role.BANK) and user.organisation_id:
        field = "enterprise_id" if user.role == Role.ENTERPRISE else "bank_id"
        return queryset.filter(**{field: user.organisation_id})
    return queryset.none()


class PoolLoan(models.Model):
    pool = models.ForeignKey(GuaranteePool, on_delete=models.PROTECT, related_name="loans", verbose_name=_("资金池"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="pool_loans", verbose_name=_("企业"))
    bank = models.ForeignKey(BankProfile, on_delete=models.PROTECT, related_name="pool_loans", verbose_name=_("银行"))
    amount = models.DecimalField(_("贷款金额（元）"), max_digits=16, decimal_places=2)
    lent_on = models.DateField(_("放款日期"))
    fee = models.DecimalField(_("助保金（元）"), max_digits=14, decimal_places=2)
    outstanding = models.DecimalField(_("贷款余额（元）"), max_digits=16, decimal_places=2)
    compensated = models.BooleanField(_("已代偿"), default=False)

    objects = PoolLoanQuerySet.as_manager()

    class Meta:
        verbose_name = _("助保贷贷款")
        verbose_name_plural = _("助保贷贷款")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0) & Q(outstanding__gte=0) & Q(fee__gte=0),
                                              name="finance_pool_loan_amounts")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.amount}"


class PoolCompensation(models.Model):
    """One default compensated by the waterfall (the ledger transaction holds the money's moves)."""

    loan = models.OneToOneField(PoolLoan, on_delete=models.PROTECT, related_name="compensation", verbose_name=_("贷款"))
    loss = models.DecimalField(_("损失（元）"), max_digits=16, decimal_places=2)
    from_fee_pool = models.DecimalField(_("助保金池支付"), max_digits=16, decimal_places=2)
    from_deposit = models.DecimalField(_("风险补偿金支付"), max_digits=16, decimal_places=2)
    borne_by_bank = models.DecimalField(_("银行承担"), max_digits=16, decimal_places=2)
    transaction = models.ForeignKey("funds.LedgerTransaction", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("助保贷代偿")
        verbose_name_plural = _("助保贷代偿")

    def __str__(self) -> str:
        return f"{self.loan} {self.loss}"


class InterestClaimQuerySet(models.QuerySet):
    def visible_to(self, user) -> InterestClaimQuerySet:
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.TOWN_OFFICER:
            return self.filter(enterprise__town_id=user.town_id)
        if user.role == Role.ENTERPRISE and user.organisation_id:
            return self.filter(enterprise_id=user.organisation_id)
        return self.none()


class InterestClaim(models.Model):
    """One enterprise's quarterly 数字贷 interest-subsidy claim (免申即享): the policy run's entitlement
    it was offered as, and the ledger payment (reference `interest-claim:<id>`). At most one per
    enterprise and quarter: a rerun of the quarter never claims twice."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="interest_claims",
                                   verbose_name=_("企业"))
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    policy = models.CharField(_("政策"), max_length=64)
    amount = models.DecimalField(_("本季度贴息（元）"), max_digits=16, decimal_places=2)
    cumulative = models.DecimalField(_("截至本季度累计贴息（元）"), max_digits=16, decimal_places=2)
    interest_counted = models.DecimalField(_("截至本季度计入利息（元）"), max_digits=16, decimal_places=2)
    explanation = models.JSONField(_("计算说明"), default=list)
    entitlement = models.OneToOneField("policy.Entitlement", on_delete=models.PROTECT, related_name="interest_claim",
                                       verbose_name=_("可享政策"))
    transaction = models.ForeignKey("funds.LedgerTransaction", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("支付记账"))
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    objects = InterestClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("贴息季度申领")
        verbose_name_plural = _("贴息季度申领")
        ordering = ["-year", "-quarter", "-amount", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "quarter", "policy"],
                                    name="finance_interest_claim_once_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="finance_interest_claim_quarter"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_interest_claim_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}Q{self.quarter}: {self.amount}"

    @property
    def reference(self) -> str:
        return f"interest-claim:{self.pk}"
