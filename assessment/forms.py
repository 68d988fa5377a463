"""Forms for the assessment sections and the TOP. They carry the version they started from (optimistic locking);
the rules live in assessment.services."""

from django import forms

from assessment.models import TOP_RATINGS, TOP_WEEKLY_ITEMS, TOP_YES_NO, Assessment
from assessment.services import MAX_SUBSTANCES, SECTIONS
from core.models import Route, Substance, TreatmentStage
from core.widgets import NhsDateField


class VersionedForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["version"] = self.instance.version
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = field.queryset.filter(active=True)


def section_form_class(section: str):
    fields = SECTIONS[section]
    overrides = {}
    if "health_assessment_on" in fields:
        overrides["health_assessment_on"] = NhsDateField(label="Health assessment date", required=False)
    attrs = {"Meta": type("Meta", (), {"model": Assessment, "fields": fields}), **overrides}
    form_class = type(f"{section.capitalize()}SectionForm", (VersionedForm,), attrs)
    if section == "drugs":
        form_class = type("DrugsSectionForm", (SubstanceFieldsMixin, form_class), {})
    return form_class


class SubstanceFieldsMixin:
    """Three ranked substance rows as flat fields (substance_1, route_1, ...): simpler than a formset to lock."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rows = {s.rank: s for s in self.instance.substances.all()} if self.instance.pk else {}
        for rank in range(1, MAX_SUBSTANCES + 1):
            title = "Main substance (DRUG1)" if rank == 1 else f"Substance {rank} (DRUG{rank})"
            row = rows.get(rank)
            self.fields[f"substance_{rank}"] = forms.ModelChoiceField(
                Substance.objects.filter(active=True), required=False, label=title
            )
            self.fields[f"route_{rank}"] = forms.ModelChoiceField(
                Route.objects.filter(active=True), required=False, label=f"Substance {rank}: route"
            )
            self.fields[f"days_used_{rank}"] = forms.IntegerField(
                required=False, min_value=0, max_value=28, label=f"Substance {rank}: days used in the last 28"
            )
            self.fields[f"age_first_use_{rank}"] = forms.IntegerField(
                required=False, min_value=0, max_value=120, label=f"Substance {rank}: age of first use"
            )
            self.fields[f"age_first_use_declined_{rank}"] = forms.BooleanField(
                required=False, label=f"Substance {rank}: age of first use declined / not known"
            )
            self.fields[f"amount_{rank}"] = forms.CharField(
                required=False, max_length=100, label=f"Substance {rank}: typical amount"
            )
            if row and not self.is_bound:
                self.initial.update(
                    {
                        f"substance_{rank}": row.substance_id,
                        f"route_{rank}": row.route_id,
                        f"days_used_{rank}": row.days_used,
                        f"age_first_use_{rank}": row.age_first_use,
                        f"age_first_use_declined_{rank}": row.age_first_use_declined,
                        f"amount_{rank}": row.amount,
                    }
                )

    def substance_rows(self):
        data = self.cleaned_data
        keys = ["substance", "route", "days_used", "age_first_use", "age_first_use_declined", "amount"]
        return [{key: data.get(f"{key}_{rank}") for key in keys} for rank in range(1, MAX_SUBSTANCES + 1)]


def _narrow_number(width: int):
    # Typed, not a spinner: a number box's arrows and scroll wheel change a day count by accident.
    return forms.TextInput(
        attrs={"inputmode": "numeric", "class": f"nhsuk-input--width-{width}", "autocomplete": "off"}
    )


def _top_fields():
    fields = {}
    for prefix, ndtms, label in TOP_WEEKLY_ITEMS:
        for week in range(1, 5):
            fields[f"{prefix}_week{week}"] = forms.IntegerField(
                min_value=0, max_value=7, initial=0, label=f"{label} ({ndtms}), week {week}", widget=_narrow_number(2)
            )
    for prefix, ndtms, label in TOP_RATINGS:
        fields[prefix] = forms.IntegerField(
            min_value=0, max_value=20, label=f"{label} ({ndtms}), 0 to 20", widget=_narrow_number(2)
        )
    for prefix, ndtms, label in TOP_YES_NO:
        fields[prefix] = forms.BooleanField(required=False, label=f"{label} ({ndtms})")
    return fields


class TopForm(forms.Form):
    stage = forms.ModelChoiceField(TreatmentStage.objects.all(), label="Stage", to_field_name="code")
    top_date = NhsDateField(label="TOP date")

    def weekly_rows(self):
        """For the template: one row per item with its four week boxes."""
        return [
            (label, ndtms, [self[f"{prefix}_week{week}"] for week in range(1, 5)])
            for prefix, ndtms, label in TOP_WEEKLY_ITEMS
        ]

    def other_fields(self):
        return [self[prefix] for prefix, _n, _l in TOP_RATINGS + TOP_YES_NO]

    def values(self):
        return {k: v for k, v in self.cleaned_data.items() if k not in ("stage", "top_date")}


TopForm.base_fields.update(_top_fields())


class CompleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
