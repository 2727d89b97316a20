"""Assessments in Django admin: read-only. Sheets, ratings and evidence change only through
`assessment.services` (scoring, guards, audit on the enterprise's timeline)."""

from django.contrib import admin

from shuzhuan.assessment.models import Assessment, Evidence, RaterAssignment
from shuzhuan.core.admin import ReadOnlyAdmin


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "enterprise", "kind", "source", "status", "assessed_on", "score", "level")
    list_filter = ("status", "kind", "source", "level")
    search_fields = ("enterprise__organisation__name", "enterprise__organisation__uscc")
    list_select_related = ("enterprise__organisation",)


for model in (Evidence, RaterAssignment):
    admin.site.register(model, ReadOnlyAdmin)
