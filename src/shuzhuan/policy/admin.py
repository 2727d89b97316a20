"""Admin: recognitions are records an officer may correct; runs and entitlements are read-only, because
every change goes through the services' guards and audit (DESIGN decision 8)."""

from django.contrib import admin

from shuzhuan.core.admin import ReadOnlyAdmin
from shuzhuan.policy.models import Entitlement, PaymentBatch, PolicyRun, Recognition, Reform, VersionOverride


@admin.register(Recognition)
class RecognitionAdmin(admin.ModelAdmin):
    list_display = ("organisation", "kind", "level", "year", "project", "award")
    list_filter = ("kind", "level", "year")
    search_fields = ("organisation__name", "organisation__uscc", "project")
    raw_id_fields = ("organisation",)


@admin.register(PolicyRun)
class PolicyRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "period", "on", "status", "created_at")


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdmin):
    list_display = ("pk", "run", "policy", "enterprise", "period", "amount", "status")
    list_filter = ("policy", "status", "period")
    exclude = ("bank_account",)


for model in (PaymentBatch, Reform, VersionOverride):  # written by the services (runs, what-if), audited
    admin.site.register(model, ReadOnlyAdmin)
