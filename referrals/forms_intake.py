"""Forms for intake pages. They only shape input: every rule lives in the services."""

from django import forms

from core.models import Ethnicity, ReferralSource, Sex, Substance
from core.widgets import NhsDateField, NhsDateTimeField
from referrals.choices import ContactMethod, Urgency
from referrals.models import Person
from referrals.services.intake import CLOSURE_OUTCOMES, TRIAGE_OUTCOMES
from referrals.services.people import PERSON_FIELDS


class PersonForm(forms.ModelForm):
    """Create and edit a person; `version` carries the version the editor started from."""

    date_of_birth = NhsDateField(label="Date of birth", help_text="For example, 15 3 1984")
    consent_asked_on = NhsDateField(
        label="Date asked about consent",
        required=False,
        help_text="Leave empty if the person has not been asked yet. Ticking a consent box dates it today.",
    )
    released_from_prison_on = NhsDateField(
        label="Date released from prison",
        required=False,
        help_text="If released from prison recently. A maintenance script then continues without a gap.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        # Plain words for reception: the model's help names the national return's codes (GPPTCE, LA).
        help_texts = {
            "nhs_number": "Optional. 10 digits, for example 943 476 5919.",
            "gp_practice": "The code of the person's GP practice, for example M85001.",
            "local_authority": "The code of the council area the person lives in, for example E08000035.",
        }
        labels = {"consent_national_return": "Consents to the national drug and alcohol treatment return"}
        error_messages = {
            "given_name": {"required": "Enter the given name"},
            "family_name": {"required": "Enter the family name"},
            "sex": {"required": "Select the sex"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nhs_number"].max_length = 14
        self.fields["nhs_number"].widget.attrs["maxlength"] = 14
        self.fields["sex"].queryset = Sex.objects.filter(active=True)
        self.fields["ethnicity"].queryset = Ethnicity.objects.filter(active=True)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True

    def _post_clean(self):
        # Model validation (unique NHS number, check constraints) is the service's job, with
        # messages a person can act on; the form only parses input.
        pass


class ReferralForm(forms.Form):
    received_at = NhsDateTimeField(
        label="Date and time received",
        help_text="For example, 2 12 2026 and 14:30.",
        error_messages={"required": "Enter the date and time the referral was received"},
    )
    # Shown with the service's question when the date is more than 30 days back (intake.OLD_REFERRAL_DAYS).
    received_date_confirmed = forms.BooleanField(
        label="Yes, this is the date the referral was received", required=False
    )
    source = forms.ModelChoiceField(
        label="Referral source",
        queryset=ReferralSource.objects.filter(active=True),
        error_messages={"required": "Select the referral source"},
    )
    referrer_name = forms.CharField(max_length=200, required=False)
    referrer_organisation = forms.CharField(max_length=200, required=False)
    referrer_contact = forms.CharField(label="Referrer phone or email", max_length=200, required=False)
    presenting_substances = forms.ModelMultipleChoiceField(
        queryset=Substance.objects.filter(active=True), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label="Reason for referral",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for referral"},
    )
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect)
    lives_in_city = forms.BooleanField(label="Lives in the city", required=False)
    registered_with_city_gp = forms.BooleanField(label="Registered with a city GP", required=False)
    signposted_to = forms.CharField(
        label="Signposted to (if not eligible)",
        max_length=200,
        required=False,
        help_text="Needed when the person neither lives in the city nor has a city GP.",
    )
    signpost_reason = forms.CharField(
        label="Reason for signposting", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContactAttemptForm(forms.Form):
    made_on = NhsDateField(label="Date of contact")
    method = forms.ChoiceField(
        label="How contact was made or attempted",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how contact was made or attempted"},
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TriageForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(o.value, o.label) for o in TRIAGE_OUTCOMES],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the triage outcome"},
    )
    triaged_on = NhsDateField(label="Triage date")
    presenting_substances = forms.ModelMultipleChoiceField(
        queryset=Substance.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the person uses, as found at triage. Tier 1/2 signposting is for alcohol only.",
    )
    advice_given = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Needed for a brief intervention."
    )
    signposted_to = forms.CharField(
        max_length=200,
        required=False,
        help_text="For tier 1/2: which service (the tier 1/2 alcohol service if left blank).",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReferralCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Why is the referral closing?",
        choices=[(o.value, o.label) for o in CLOSURE_OUTCOMES],
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the referral is closing"},
    )
    closed_on = NhsDateField(label="Closing date")
    notes = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was tried, or what the person said.",
        error_messages={"required": "Enter the reason the referral is closing"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class MergeForm(forms.Form):
    duplicate_client_id = forms.CharField(
        label="Client ID of the duplicate record", max_length=20, help_text="Its records move to this person."
    )
    # Asked on the second step, beside the two records' details.
    confirm = forms.BooleanField(label="I have checked that both records are the same person", required=False)


class MergeUndoForm(forms.Form):
    confirm = forms.BooleanField(
        label="Undo this merge: put each moved record back on the record it came from",
        error_messages={"required": "Confirm that you want to undo this merge"},
    )
