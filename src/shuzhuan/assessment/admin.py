"""Assessments in Django admin: read-only. Sheets, ratings and evidence change only through
`assessment.services` (scoring, guards, audit on the enterprise's timeline); so do the city's
audited statements that an indicator set was checked against its official document."""

from django.contrib import admin

from shuzhuan.assessment.models import Assessment, Evidence, IndicatorSetVerification, RaterAssignment
from shuzhuan.core.admin import ReadOnlyAdmin


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "enterprise", "kind", "source", "status", "assessed_on", "score", "level")
    list_filter = ("status", "kind", "source", "level")
    search_fields = ("enterprise__organisation__name", "enterprise__organisation__uscc")
    list_select_related = ("enterprise__organisation",)


@admin.register(IndicatorSetVerification)
class IndicatorSetVerificationAdmin(ReadOnlyAdmin):
    list_display = ("indicator_set", "version", "document", "article", "verified_by", "verified_at")
    list_filter = ("indicator_set",)


for model in (Evidence, RaterAssignment):
    admin.site.register(model, ReadOnlyAdmin)
