from django import forms

from core.models import ModalityExitStatus, ModalitySetting, Team
from core.widgets import NhsDateField
from recovery_plans.models import Intervention


class InterventionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # The intervention fixes the NDTMS modality type; saying which avoids a surprise in the return.
        return f"{obj.label} ({obj.modality_type.label})"


class ReferModalityForm(forms.Form):
    intervention = InterventionChoiceField(
        queryset=Intervention.objects.filter(active=True).select_related("modality_type"),
        empty_label="Choose an intervention",
        help_text="The intervention decides the modality type reported to NDTMS.",
        error_messages={"required": "Choose an intervention"},
    )
    setting = forms.ModelChoiceField(
        queryset=ModalitySetting.objects.filter(active=True),
        empty_label="Choose a setting",
        error_messages={"required": "Choose the setting"},
    )
    referred_on = NhsDateField(label="Referral date", help_text="The waiting-time clock starts on this day.")
    provider_team = forms.ModelChoiceField(
        queryset=Team.objects.filter(active=True),
        required=False,
        empty_label="Not one of our teams",
        label="Provider team",
        help_text="A team of this service. Its staff will then see this person.",
    )
    provider = forms.CharField(
        label="Named provider",
        required=False,
        max_length=200,
        help_text="For a provider outside the service, for example an inpatient unit or a rehab.",
    )

    def clean(self):
        data = super().clean()
        if not data.get("provider_team") and not (data.get("provider") or "").strip():
            self.add_error("provider_team", "Choose a provider team or name the provider")
        return data


class VersionedForm(forms.Form):
    # The version of the modality the form was opened on: a save after someone else's is refused.
    version = forms.IntegerField(widget=forms.HiddenInput)


class FirstOfferForm(VersionedForm):
    first_offered_on = NhsDateField(label="Date the first appointment was offered")


class StartForm(VersionedForm):
    started_on = NhsDateField(label="Start date", help_text="The day the person attended the first appointment.")


class EndForm(VersionedForm):
    ended_on = NhsDateField(label="End date")
    exit_status = forms.ModelChoiceField(
        queryset=ModalityExitStatus.objects.filter(active=True),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Exit status",
        error_messages={"required": "Choose an exit status"},
    )


class CloseUnstartedForm(VersionedForm):
    ended_on = NhsDateField(label="Date closed", help_text="The day the person declined, or the service closed it.")
    exit_status = forms.ModelChoiceField(
        # A planned exit (A) needs a start; a modality that never started is withdrawn or unplanned.
        queryset=ModalityExitStatus.objects.filter(active=True, code__in=["B", "C"]),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Exit status",
        error_messages={"required": "Choose the exit status: withdrawn or unplanned"},
    )
    reason = forms.CharField(
        label="Why it never started",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: declined the place, did not attend any appointment offered.",
        error_messages={"required": "Say why the modality never started"},
    )


class ReviewForm(VersionedForm):
    reviewed_on = NhsDateField(label="Review date")
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Progress, and whether the intervention still meets the person's needs.",
    )
