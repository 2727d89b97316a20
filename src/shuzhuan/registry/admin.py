"""The registry in Django admin: read-only. Enterprises change through the import and the profile
services, which keep history and write audit entries; industry classes are reference data."""

from django.contrib import admin

from shuzhuan.core.admin import ReadOnlyAdmin
from shuzhuan.registry.models import Enterprise, EnterpriseYear, IndustryClass


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "town", "industry", "size_class", "above_scale")
    list_filter = ("town", "size_class", "above_scale")
    search_fields = ("organisation__name", "organisation__uscc")
    list_select_related = ("organisation", "town", "industry")


@admin.register(EnterpriseYear)
class EnterpriseYearAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "year", "employees", "revenue", "tax")
    list_select_related = ("enterprise__organisation",)


@admin.register(IndustryClass)
class IndustryClassAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level")
    search_fields = ("code", "name")
