from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from shuzhuan.core.models import ApiToken, AuditEntry, Job, Organisation, Town, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit and workflow records are written by services only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class PlatformUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "town", "organisation", "is_active")
    list_filter = ("role", "town", "is_active")
    fieldsets = UserAdmin.fieldsets + (("平台", {"fields": ("role", "town", "organisation", "mobile", "display_name")}),)
    raw_id_fields = ("organisation",)


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "kind", "active")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("uscc", "name", "kind")
    search_fields = ("uscc", "name")
    list_filter = ("kind",)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "summary")
    list_filter = ("action",)


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "status", "created_at")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("user", "name", "prefix", "created_at", "revoked_at")
