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
    """Name, period and status are edited here; eligibility and deadlines are the programme's
    versioned, cited rules in data/programmes/<code>.yaml, shown read-only."""

    list_display = ("code", "name", "starts_on", "ends_on", "finish_months", "acceptance_months", "active")
    readonly_fields = ("eligibility_rules",)

    @admin.display(description="资格条件与期限（规则文件，只读）")
    def eligibility_rules(self, obj: Programme) -> str:
        if obj.pk is None:
            return "—"
        e = obj.eligibility
        return (f"细分行业：{'、'.join(e.sub_industries) or '—'}；仅限中小企业：{'是' if e.sme_only else '否'}；"
                f"排除“小巨人”：{'是' if e.exclude_little_giants else '否'}；排除此前试点：{'是' if e.exclude_earlier_pilots else '否'}；"
                f"入库后 {e.finish_months} 个月内完成改造；完成后 {e.acceptance_months} 个月内申请验收"
                f"（data/programmes/{obj.code}.yaml）")


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
