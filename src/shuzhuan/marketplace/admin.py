"""The marketplace in Django admin: read-only. Pool admission, offerings, needs, contact requests,
consortia and chain lists change only through the marketplace services (state machines, audit)."""

from django.contrib import admin

from shuzhuan.core.admin import ReadOnlyAdmin
from shuzhuan.marketplace.models import (
    ApplicationDocument,
    ChainLink,
    Consortium,
    ContactRequest,
    ExpertReview,
    Need,
    NoticeObjection,
    Offering,
    PoolApplication,
    PoolSanction,
    ProviderProfile,
    SolutionCategory,
)


@admin.register(ProviderProfile)
class ProviderProfileAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "town", "pool_status", "stars")
    list_filter = ("pool_status",)
    search_fields = ("organisation__name", "organisation__uscc")
    list_select_related = ("organisation", "town")


@admin.register(Offering)
class OfferingAdmin(ReadOnlyAdmin):
    list_display = ("pk", "name", "provider", "kind", "status", "price_min", "price_max")
    list_filter = ("kind", "status")
    search_fields = ("name",)
    list_select_related = ("provider__organisation",)


@admin.register(Consortium)
class ConsortiumAdmin(ReadOnlyAdmin):
    list_display = ("name", "sector", "traction_unit", "lead_provider")


for model in (PoolApplication, ApplicationDocument, ExpertReview, NoticeObjection, PoolSanction, SolutionCategory,
              Need, ContactRequest, ChainLink):
    admin.site.register(model, ReadOnlyAdmin)
