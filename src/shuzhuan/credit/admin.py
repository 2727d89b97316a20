"""Credit in Django admin: read-only. Consents change only through the enterprise's own actions (grant,
revoke — audited, with their status history), access-log rows and outcomes are evidence, public records
come from the departments' feeds, and model versions from training (DESIGN decision 14)."""

from django.contrib import admin

from shuzhuan.core.admin import ReadOnlyAdmin
from shuzhuan.credit.models import AccessLog, Consent, ModelVersion, Outcome, PublicRecord


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("id", "enterprise", "bank", "purpose", "status", "starts", "expires")
    list_filter = ("purpose", "status")
    list_select_related = ("enterprise__organisation", "bank")


for model in (AccessLog, Outcome, PublicRecord, ModelVersion):
    admin.site.register(model, ReadOnlyAdmin)
