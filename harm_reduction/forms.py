from django import forms
from django.utils import timezone

from core.models import Sex
from core.widgets import NhsDateField
from harm_reduction.choices import (
    BbvResult,
    BbvTestKind,
    HepBOffer,
    NaloxoneRecipient,
    OutreachSetting,
    VaccinationSchedule,
)
from harm_reduction.choices import NaloxoneForm as NaloxoneKind
from harm_reduction.models import EquipmentItem, InjectedDrug, NspSite

QUANTITY = {"class": "nhsuk-input--width-3", "inputmode": "numeric"}


class NspVisitForm(forms.Form):
    """One page, in the order a worker asks: who, where, what came back, what went out, what was said."""

    initials = forms.CharField(
        max_length=20,
        help_text="First and last initial, for example JS.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4"}),
    )
    date_of_birth = NhsDateField()
    # No sex is chosen for the worker: a preselected answer would be saved unasked into the attender code.
    sex = forms.ModelChoiceField(queryset=Sex.objects.filter(active=True), empty_label="Choose")
    site = forms.ModelChoiceField(queryset=NspSite.objects.filter(active=True), empty_label=None)
    visited_on = NhsDateField(label="Date of visit")
    items_returned = forms.IntegerField(
        label="Used items returned", min_value=0, initial=0, widget=forms.NumberInput(attrs=QUANTITY)
    )
    sharps_bins_returned = forms.IntegerField(min_value=0, initial=0, widget=forms.NumberInput(attrs=QUANTITY))
    drugs_injected = forms.ModelMultipleChoiceField(
        queryset=InjectedDrug.objects.filter(active=True), required=False, widget=forms.CheckboxSelectMultiple
    )
    advice_given = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    onward_referral_offered = forms.BooleanField(required=False)
    young_peoples_service_offered = forms.BooleanField(
        label="Young people's service offered (required for an attender under 25)", required=False
    )
    young_person_issue_reason = forms.CharField(
        label="Reason for giving equipment to someone under 25",
        help_text="Why withholding it would be the greater risk.",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(EquipmentItem.objects.filter(active=True))
        for item in self.items:
            self.fields[f"item_{item.code}"] = forms.IntegerField(
                label=item.label, min_value=0, required=False, widget=forms.NumberInput(attrs=QUANTITY)
            )
        self.fields["visited_on"].initial = timezone.localdate()

    def groups(self) -> list[tuple[str, list]]:
        """The page's fieldsets: equipment issued sits right after what came back, before drugs and advice."""
        names = {
            "Attender and visit": ["initials", "date_of_birth", "sex", "site", "visited_on"],
            "Returned": ["items_returned", "sharps_bins_returned"],
            "Equipment issued": [f"item_{item.code}" for item in self.items],
        }
        grouped = {name for group in names.values() for name in group}
        names["Drugs, advice and referral"] = [name for name in self.fields if name not in grouped]
        return [(legend, [self[name] for name in group]) for legend, group in names.items()]

    def issues(self) -> list[tuple]:
        return [(item, self.cleaned_data.get(f"item_{item.code}") or 0) for item in self.items]

    def field_for(self, service_field: str) -> str | None:
        """The form field a service refusal belongs on: a refusal of the equipment issued ("issues", such as the
        needle maximum) goes on the first needle box filled in, so the error summary links to it."""
        if service_field == "issues":
            needles = [item for item in self.items if item.is_needle and self.cleaned_data.get(f"item_{item.code}")]
            filled = [item for item in self.items if self.cleaned_data.get(f"item_{item.code}")]
            first = (needles or filled or self.items or [None])[0]
            return f"item_{first.code}" if first else None
        return service_field if service_field in self.fields else None


def _radios(choices, **kwargs):
    return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **kwargs)


YES_NO_NOT_YET = [("yes", "Yes, accepted"), ("no", "No, refused"), ("", "Not answered yet")]
ANSWER = {"yes": True, "no": False, "": None}


class VersionedForm(forms.Form):
    """Edits of an existing row carry the version they started from, so a stale edit is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class HepBOfferForm(forms.Form):
    offer = _radios(HepBOffer.choices, label="What happened to the hepatitis B vaccination offer?")
    offered_on = NhsDateField(label="Date offered")
    schedule = _radios(
        VaccinationSchedule.choices, label="Schedule", required=False, help_text="Only when the offer was accepted."
    )


class HepBOutcomeForm(VersionedForm):
    offer = _radios(
        [(v, label) for v, label in HepBOffer.choices if v != HepBOffer.OFFERED], label="The person's answer"
    )
    outcome_on = NhsDateField(label="Date of the answer")
    schedule = _radios(
        VaccinationSchedule.choices, label="Schedule", required=False, help_text="Only when the offer was accepted."
    )


class HepBDoseForm(VersionedForm):
    dose_number = forms.IntegerField(
        label="Dose number", min_value=1, widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-2"})
    )
    given_on = NhsDateField(label="Date given")


class BbvOfferForm(forms.Form):
    kind = _radios(BbvTestKind.choices, label="Which test was offered?")
    offered_on = NhsDateField(label="Date offered")
    accepted = _radios(YES_NO_NOT_YET, label="Did the person accept the test?", required=False)

    def clean_accepted(self):
        return ANSWER[self.cleaned_data["accepted"]]


class BbvAnswerForm(VersionedForm):
    accepted = _radios(YES_NO_NOT_YET[:2], label="Did the person accept the test?")
    answered_on = NhsDateField(label="Date of the answer")

    def clean_accepted(self):
        return ANSWER[self.cleaned_data["accepted"]]


class BbvResultForm(VersionedForm):
    tested_on = NhsDateField(label="Date the test was taken", required=False)
    result = _radios(BbvResult.choices, label="Result")
    result_on = NhsDateField(label="Date of the result")


class BbvReferralForm(VersionedForm):
    referral_consent = forms.BooleanField(
        label="The person consents to the referral",
        required=False,
        help_text="Ask the person first: the referral is not made without their consent.",
    )


class NaloxoneForm(forms.Form):
    attender_code = forms.CharField(
        label="Attender code",
        required=False,
        max_length=20,
        help_text="For an NSP attender without a person record, for example JS14031985M.",
    )
    supplied_on = NhsDateField(label="Date supplied")
    form = _radios(NaloxoneKind.choices, label="Naloxone")
    recipient = _radios(NaloxoneRecipient.choices, label="Given to")
    quantity = forms.IntegerField(
        label="Number of kits", initial=1, widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-2"})
    )
    training_given = forms.BooleanField(label="Training in giving naloxone was given", required=False)


class OutreachForm(forms.Form):
    setting = _radios(OutreachSetting.choices, label="Where was the contact?")
    contacted_on = NhsDateField(label="Date of contact")
    client_id = forms.CharField(
        label="Client ID", required=False, max_length=20, help_text="Only if the person has a record with the service."
    )
    description = forms.CharField(
        label="Who was contacted",
        required=False,
        max_length=200,
        help_text="For someone with no record, for example a first name and where you met.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class LinkAttenderForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        label="Which person is this attender?",
        empty_label=None,
        error_messages={
            "required": "Choose the person this attender is.",
            "invalid_choice": "Choose one of the people listed.",
        },
    )
    confirmed = forms.BooleanField(
        label="I have confirmed with the attender that this is their record",
        error_messages={"required": "Confirm with the attender that this is their record before linking."},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = candidates
        self.fields["person"].label_from_instance = lambda p: f"{p} ({p.client_id}), born {p.date_of_birth:%d/%m/%Y}"


class PeriodForm(forms.Form):
    start = NhsDateField(label="From")
    end = NhsDateField(label="To")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end of the period must be on or after its start.")
        return data
