"""The ledger in Django admin: read-only. Money moves only through `funds.services` (DESIGN decision 8)."""

from django.contrib import admin

from shuzhuan.core.admin import ReadOnlyAdmin
from shuzhuan.funds.models import Account, BudgetLine, Commitment, FundSource, LedgerTransaction, Posting


@admin.register(FundSource)
class FundSourceAdmin(ReadOnlyAdmin):
    list_display = ("code", "label")


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ("name", "programme", "source", "purpose", "year")
    list_filter = ("programme", "source", "purpose")


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "programme", "source", "line", "bucket", "balance")
    list_filter = ("programme", "bucket", "source")
    list_select_related = ("source", "line")


class PostingInline(admin.TabularInline):
    model = Posting
    fields = ("account", "amount")
    readonly_fields = ("account", "amount")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "kind", "programme", "reference", "memo", "by_label")
    list_filter = ("kind", "programme")
    search_fields = ("reference", "memo")
    inlines = [PostingInline]


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ("id", "transaction", "account", "amount")
    list_select_related = ("transaction", "account__line", "account__source")


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ("reference", "programme", "purpose", "amount", "status")
    list_filter = ("status", "programme")
    search_fields = ("reference",)
