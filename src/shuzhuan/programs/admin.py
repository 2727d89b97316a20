"""Admin: programmes are configuration (editable); the workflow records are read-only, because every
change must go through the services' guards and audit (DESIGN decision 8)."""

from django.contrib import admin

from shuzhuan.core.admin import ReadOnlyAdmin
from shuzhuan.programs.models import (
    ExpertOpinion,
    InvestmentItem,
    Listing,
    Milestone,
    PayoutBatch,
    Programme,
    Project,
    ProjectDocument,
    Satisfaction,
)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "starts_on", "ends_on", "finish_months", "acceptance_months", "active")


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("pk", "title", "enterprise", "provider", "state", "level_achieved", "subsidy_amount", "batch")
    list_filter = ("state", "programme")
    search_fields = ("title", "enterprise__organisation__name")
    list_select_related = ("enterprise__organisation", "provider", "batch")


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = ("pk", "programme", "enterprise", "status", "listed_on", "finish_due")
    list_filter = ("status", "programme")
    list_select_related = ("programme", "enterprise__organisation")


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ("pk", "programme", "month", "number", "status", "paid_on")


for model in (InvestmentItem, Milestone, ProjectDocument, ExpertOpinion, Satisfaction):
    admin.site.register(model, ReadOnlyAdmin)
