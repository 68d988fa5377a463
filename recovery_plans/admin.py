"""Data admins keep the intervention list (what exactly is offered, and its NDTMS modality type). Plans and
modalities are written only through the services, which hold the rules and the audit trail."""

from django.contrib import admin

from core.admin import ReferenceCodeAdmin
from recovery_plans.models import Intervention


@admin.register(Intervention)
class InterventionAdmin(ReferenceCodeAdmin):
    list_display = ("code", "label", "modality_type", "active", "sort_order")
    list_filter = ("active", "modality_type")
