"""Admin pages for the dashboard's reference rows. Comparators are saved through the service, so the admin is
audited like the API; feedback is read-only here (it is recorded on its own page)."""

from django import forms
from django.contrib import admin

from core.errors import DomainError
from reporting.dashboard import services
from reporting.models import KpiComparator, ServiceFeedback


class KpiComparatorForm(forms.ModelForm):
    class Meta:
        model = KpiComparator
        fields = ["kpi", "period_label", "national_value", "similar_areas_value", "source"]
        help_texts = {"national_value": "A rate as a fraction (0.95 is 95%); a count as a number."}

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                services.comparator_check(
                    kpi=data["kpi"],
                    period_label=data["period_label"],
                    national_value=data.get("national_value"),
                    similar_areas_value=data.get("similar_areas_value"),
                    comparator=self.instance if self.instance.pk else None,
                )
            except DomainError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


@admin.register(KpiComparator)
class KpiComparatorAdmin(admin.ModelAdmin):
    form = KpiComparatorForm
    list_display = ["period_label", "kpi", "national_value", "similar_areas_value", "source", "updated_at"]
    list_filter = ["period_label", "kpi"]
    list_select_related = ["kpi"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.comparator_save(
            actor=request.user,
            comparator=KpiComparator.objects.get(pk=obj.pk) if change else None,
            kpi=data["kpi"],
            period_label=data["period_label"],
            national_value=data["national_value"],
            similar_areas_value=data["similar_areas_value"],
            source=data["source"],
        )
        obj.pk = saved.pk


@admin.register(ServiceFeedback)
class ServiceFeedbackAdmin(admin.ModelAdmin):
    list_display = ["received_on", "team", "rating", "given_by", "recorded_by"]
    list_filter = ["team", "rating", "given_by"]
    list_select_related = ["team", "recorded_by"]
    readonly_fields = ["received_on", "team", "rating", "comment", "given_by", "recorded_by", "recorded_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
