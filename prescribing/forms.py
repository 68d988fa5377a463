from django import forms

from core.widgets import NhsDateField
from prescribing.choices import Regime
from prescribing.models import Medication, Pharmacy


def add_domain_error(form, exc) -> None:
    """Put a service's message on the field it names, so the NHS.UK error summary links to it."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class ClinicalAssessmentForm(forms.Form):
    assessed_on = NhsDateField(label="Date of clinical assessment")
    findings = forms.CharField(label="Findings", widget=forms.Textarea(attrs={"rows": 6}))
    children_in_home = forms.BooleanField(
        label="Children or young people live in or visit the home",
        required=False,
        help_text="A lockable safe storage box must then be offered before any take-home dose.",
    )


class PrescriptionForm(forms.Form):
    medication = forms.ModelChoiceField(queryset=Medication.objects.filter(active=True))
    # Free text so the service's "a number greater than 0" message is the one people see.
    dose = forms.CharField(label="Dose", help_text="In the medication's unit, for example 30 for 30ml methadone.")
    regime = forms.ChoiceField(choices=Regime.choices)
    dispensing_interval_days = forms.IntegerField(label="Dispensing interval (days)", min_value=1, initial=1)
    supervised = forms.BooleanField(label="Supervised consumption", required=False, initial=True)
    pharmacy = forms.ModelChoiceField(queryset=Pharmacy.objects.filter(active=True), required=False)
    starts_on = NhsDateField(label="Start date")
    ends_on = NhsDateField(label="End date", required=False)
    review_on = NhsDateField(label="Review date", required=False)
    released_from_prison_on = NhsDateField(
        label="Released from prison on", required=False, help_text="Only if released from prison on a script."
    )
    gap_reason = forms.CharField(
        label="Reason for a gap after release", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ChangeDoseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    dose = forms.CharField(label="New dose")
    starts_on = NhsDateField(label="New dose starts on", help_text="The current dose ends the day before.")
    supervised = forms.BooleanField(label="Supervised consumption", required=False)
