from django import forms
from django.contrib import admin

from core.errors import DomainError
from reporting.models import Kpi, KpiRecomputation, KpiSnapshot
from reporting.services import kpi_threshold_change


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = ["threshold"]

    def clean_threshold(self):
        # The service has the rule; here it is only checked early, so the message lands on the field.
        value = self.cleaned_data["threshold"]
        if value is not None and self.instance.kind != "count" and value > 1:
            raise forms.ValidationError("Enter a rate's threshold as a fraction from 0 to 1 (0.95 is 95%).")
        return value


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    """The catalogue is loaded by migration: a data admin changes only the threshold, and each change is audited
    with its old and new value."""

    form = KpiForm
    list_display = ("code", "title", "kind", "comparison", "threshold", "direction", "source")
    readonly_fields = ("code", "title", "population", "numerator", "kind", "comparison", "direction", "source")
    fields = ("code", "title", "population", "numerator", "kind", "comparison", "threshold", "direction", "source")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            kpi_threshold_change(user=request.user, kpi=obj, threshold=form.cleaned_data["threshold"])
        except DomainError as error:
            raise forms.ValidationError(error.message) from None


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(admin.ModelAdmin):
    list_display = ("kpi", "period_label", "team", "numerator", "denominator", "value", "met", "computed_at", "job")
    list_filter = ("period_label", "team")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KpiRecomputation)
class KpiRecomputationAdmin(KpiSnapshotAdmin):
    list_display = ("period_label", "state", "progress", "requested_by", "requested_at", "finished_at")
    list_filter = ("state",)
