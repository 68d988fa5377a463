from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from core import models
from core.roles import REFERENCE_MODELS


@admin.register(models.User)
class StaffAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Caseload", {"fields": ("gender", "caseload_capacity")}))
    list_display = ("username", "first_name", "last_name", "email", "is_active", "caseload_capacity")


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "active")
    list_filter = ("kind", "active")
    filter_horizontal = ("members",)


class ReferenceCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "active", "sort_order")
    list_filter = ("active",)
    search_fields = ("code", "label")

    def has_delete_permission(self, request, obj=None):
        # Old records keep pointing at retired codes: mark a code inactive instead.
        return False


for model_name in REFERENCE_MODELS:
    admin.site.register(apps.get_model("core", model_name), ReferenceCodeAdmin)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_username", "action", "object_type", "object_id", "object_repr", "ip_address")
    list_filter = ("action", "object_type")
    search_fields = ("actor_username", "object_id", "object_repr", "request_id")
    date_hierarchy = "at"


@admin.register(models.JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "state", "progress", "created_at", "finished_at")
    list_filter = ("state", "name")
