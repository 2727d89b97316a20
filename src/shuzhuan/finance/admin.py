"""Finance in Django admin. A bank's profile and branches and the compliance listings (records taken from
their sources) may be corrected here; products, filings, loans, the 助保贷 pool and its loans and
compensations are read-only, because every change goes through the services' guards, the funds ledger
and audit (DESIGN decision 8)."""

from django.contrib import admin

from shuzhuan.core.admin import ReadOnlyAdmin
from shuzhuan.finance.models import (
    BankBranch,
    BankProfile,
    ComplianceFlag,
    Disbursement,
    Filing,
    FilingCounter,
    GuaranteePool,
    IdempotencyRecord,
    InterestClaim,
    Loan,
    LoanProduct,
    PoolCompensation,
    PoolLoan,
    Repayment,
)


class BankBranchInline(admin.TabularInline):
    model = BankBranch
    fields = ("name", "town", "address", "phone")
    extra = 0


@admin.register(BankProfile)
class BankProfileAdmin(admin.ModelAdmin):
    list_display = ("organisation", "short_name", "contact_name", "contact_phone", "cooperating_since")
    search_fields = ("organisation__name", "organisation__uscc", "short_name")
    list_select_related = ("organisation",)
    raw_id_fields = ("organisation",)
    inlines = [BankBranchInline]


@admin.register(BankBranch)
class BankBranchAdmin(admin.ModelAdmin):
    list_display = ("name", "bank", "town", "address", "phone")
    list_filter = ("town",)
    search_fields = ("name", "bank__organisation__name")
    list_select_related = ("bank__organisation", "town")


@admin.register(ComplianceFlag)
class ComplianceFlagAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "kind", "listed_on", "removed_on", "source")
    list_filter = ("kind",)
    search_fields = ("enterprise__organisation__name", "enterprise__organisation__uscc")
    list_select_related = ("enterprise__organisation",)
    raw_id_fields = ("enterprise",)


@admin.register(LoanProduct)
class LoanProductAdmin(ReadOnlyAdmin):
    list_display = ("name", "bank", "rate_min", "rate_max", "amount_min", "amount_max")
    search_fields = ("name", "bank__organisation__name")
    list_select_related = ("bank__organisation",)


@admin.register(Filing)
class FilingAdmin(ReadOnlyAdmin):
    list_display = ("number", "enterprise", "state", "title", "contract_amount")
    list_filter = ("state",)
    search_fields = ("number", "enterprise__organisation__name", "enterprise__organisation__uscc")
    list_select_related = ("enterprise__organisation",)


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ("pk", "reference", "enterprise", "bank", "state", "requested_amount", "applied_on", "credit_amount")
    list_filter = ("state",)
    search_fields = ("reference", "enterprise__organisation__name", "enterprise__organisation__uscc")
    list_select_related = ("enterprise__organisation", "bank__organisation")


@admin.register(GuaranteePool)
class GuaranteePoolAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "leverage", "firm_year_limit", "fee_rate", "government_share")


@admin.register(PoolLoan)
class PoolLoanAdmin(ReadOnlyAdmin):
    list_display = ("pk", "pool", "enterprise", "bank", "amount", "lent_on", "fee", "outstanding", "compensated")
    list_filter = ("pool", "compensated")
    list_select_related = ("pool", "enterprise__organisation", "bank__organisation")


@admin.register(PoolCompensation)
class PoolCompensationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "loan", "loss", "from_fee_pool", "from_deposit", "borne_by_bank", "at")


for model in (FilingCounter, Disbursement, Repayment, IdempotencyRecord, InterestClaim):
    admin.site.register(model, ReadOnlyAdmin)
