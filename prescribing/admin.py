"""Reference lists data admins keep: medications (with units) and pharmacies. Clinical records are written
only through the services, which hold the rules and the audit trail."""

from django.contrib import admin

from core.admin import ReferenceCodeAdmin
from prescribing.models import Medication, Pharmacy


@admin.register(Medication)
class MedicationAdmin(ReferenceCodeAdmin):
    list_display = ("code", "label", "unit", "maintenance", "active", "sort_order")


@admin.register(Pharmacy)
class PharmacyAdmin(admin.ModelAdmin):
    list_display = ("name", "ods_code", "active")
    list_filter = ("active",)
    search_fields = ("name", "ods_code")

    def has_delete_permission(self, request, obj=None):
        return False
