"""Code lists data admins keep (labels, retiring codes). Assessments and TOPs are written only through the
services, which hold the rules and the audit trail."""

from django.contrib import admin

from assessment.models import AccommodationNeed, ChildrenLivingWith, DualDiagnosis, EmploymentStatus, ParentalStatus
from core.admin import ReferenceCodeAdmin

for model in (AccommodationNeed, EmploymentStatus, ParentalStatus, DualDiagnosis):
    admin.site.register(model, ReferenceCodeAdmin)


@admin.register(ChildrenLivingWith)
class ChildrenLivingWithAdmin(ReferenceCodeAdmin):
    list_display = ("code", "label", "children_in_household", "active", "sort_order")
