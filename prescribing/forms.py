from datetime import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import get_user_model

from core.choices import Role
from core.dates import long_date
from core.models import Substance
from core.widgets import NhsDateField
from prescribing.choices import (
    CustodyStep,
    DetoxSetting,
    FundingRoute,
    Regime,
    ResidentialKind,
    SafeStorageOutcome,
    SampleType,
    SharedCareEndReason,
)
from prescribing.models import Medication, Pharmacy
from prescribing.waits import PHARMACOLOGICAL
from recovery_plans.models import Goal, Modality
from referrals.models import Episode


class EpisodeModalityField(forms.ModelChoiceField):
    """Offers the episode's own open pharmacological modalities, but accepts any pharmacological modality the
    user can see, so that a modality of another episode reaches the service and gets its message on this
    field rather than a generic "not one of the choices"."""

    def __init__(self, *, user, episode, interventions=None, **kwargs):
        visible = (
            Modality.objects.visible_to(user).filter(modality_type__code=PHARMACOLOGICAL).select_related("intervention")
        )
        super().__init__(queryset=visible, required=False, **kwargs)
        own = visible.filter(episode=episode, ended_on__isnull=True)
        if interventions:
            own = own.filter(intervention__code__in=interventions)
        own = list(own.order_by("referred_on", "pk"))
        self.choices = [("", "None chosen")] + [
            (modality.pk, f"{modality.intervention} (referred {long_date(modality.referred_on)})") for modality in own
        ]
        # With one candidate the choice is obvious; the prescriber can still clear it.
        self.initial = own[0].pk if len(own) == 1 else None


def _parse_steps(text: str, *, with_medication: bool = False):
    """One step a line: `dd/mm/yyyy dose` (detox: `dd/mm/yyyy medication-code dose`)."""
    steps = []
    medications = {m.code.upper(): m for m in Medication.objects.filter(active=True)} if with_medication else {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        expected = 3 if with_medication else 2
        example = "15/01/2027 MET 25" if with_medication else "15/01/2027 25"
        if len(parts) != expected:
            raise forms.ValidationError(f"Line {number}: write the date and dose, for example {example}.")
        try:
            from_date = datetime.strptime(parts[0], "%d/%m/%Y").date()
        except ValueError as exc:
            raise forms.ValidationError(f"Line {number}: write the date as day/month/year, e.g. 15/01/2027.") from exc
        try:
            dose = Decimal(parts[-1])
        except InvalidOperation as exc:
            raise forms.ValidationError(f"Line {number}: the dose must be a number.") from exc
        if with_medication:
            medication = medications.get(parts[1].upper())
            if medication is None:
                raise forms.ValidationError(f"Line {number}: {parts[1]} is not a medication code.")
            steps.append((from_date, medication, dose))
        else:
            steps.append((from_date, dose))
    return steps


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
    dose = forms.CharField(
        label="Dose",
        help_text="In the medication's unit, for example 30 for 30ml methadone.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "decimal"}),
    )
    regime = forms.ChoiceField(choices=Regime.choices)
    dispensing_interval_days = forms.IntegerField(
        label="Dispensing interval (days)",
        min_value=1,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-2"}),
    )
    supervised = forms.BooleanField(label="Supervised consumption", required=False, initial=True)
    pharmacy = forms.ModelChoiceField(queryset=Pharmacy.objects.filter(active=True), required=False)
    starts_on = NhsDateField(label="Start date")
    ends_on = NhsDateField(label="End date", required=False)
    review_on = NhsDateField(label="Review date", required=False)
    planned_steps = forms.CharField(
        label="Planned reducing steps",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Reduction or withdrawal only. One step a line: the date it starts and the dose, e.g. 15/01/2027 25.",
    )
    released_from_prison_on = NhsDateField(
        label="Released from prison on", required=False, help_text="Only if released from prison on a script."
    )
    gap_reason = forms.CharField(
        label="Reason for a gap after release", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modality"] = EpisodeModalityField(
            user=user,
            episode=episode,
            label="Modality",
            help_text="The pharmacological modality this prescription delivers; its waiting clock stops here.",
        )
        self.order_fields(["modality"])

    def clean_planned_steps(self):
        return _parse_steps(self.cleaned_data["planned_steps"])


class ChangeDoseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    dose = forms.CharField(
        label="New dose", widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "decimal"})
    )
    starts_on = NhsDateField(label="New dose starts on", help_text="The current dose ends the day before.")
    supervised = forms.BooleanField(label="Supervised consumption", required=False)
    planned_steps = PrescriptionForm.base_fields["planned_steps"]

    def clean_planned_steps(self):
        return _parse_steps(self.cleaned_data["planned_steps"])


class DrugTestForm(forms.Form):
    """A test and, per substance, its result: a substance needs ticking as tested before it can have one."""

    tested_on = NhsDateField(label="Date of the test")
    sample_type = forms.ChoiceField(choices=SampleType.choices, widget=forms.RadioSelect, label="Sample type")
    purpose = forms.CharField(label="Purpose", help_text="For example: baseline before titration, abstinence check.")
    rationale = forms.CharField(
        label="Rationale in the recovery plan",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the plan asks for this test.",
    )
    collected_time = forms.TimeField(
        label="Time the sample was collected",
        required=False,
        help_text="24-hour clock, for example 09:30.",
        error_messages={"invalid": "Enter the time as hours and minutes, for example 09:30"},
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}),
    )
    collected_by = forms.CharField(
        label="Collected by", required=False, max_length=200, help_text="Leave empty if you collected it."
    )
    chain_of_custody = forms.BooleanField(
        label="Sampled under chain of custody", required=False, help_text="Sealed in the person's presence."
    )
    sealed_time = forms.TimeField(
        label="Time the sample was sealed",
        required=False,
        help_text="Chain of custody only. Sent and received are added on the tests page as they happen.",
        error_messages={"invalid": "Enter the time as hours and minutes, for example 09:35"},
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}),
    )
    sealed_by = forms.CharField(label="Sealed by", required=False, max_length=200)
    substances_tested = forms.ModelMultipleChoiceField(
        queryset=Substance.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        label="Substances tested for",
    )

    def __init__(self, *args, episode: Episode, **kwargs):
        super().__init__(*args, **kwargs)
        goals = Goal.objects.filter(plan_version__plan__episode=episode).select_related("plan_version")
        goal_choices = [(goal.pk, f"{goal.text} (plan version {goal.plan_version.number})") for goal in goals]
        self.fields["goal"] = forms.ModelChoiceField(
            queryset=Goal.objects.all(),
            required=False,
            label="Recovery plan goal",
            help_text="The goal of the plan this test evidences, if any. Otherwise the test links to the plan.",
        )
        self.fields["goal"].choices = [("", "No particular goal"), *goal_choices]
        self.substances = list(self.fields["substances_tested"].queryset)
        for substance in self.substances:
            self.fields[f"result_{substance.pk}"] = forms.ChoiceField(
                label=f"Result for {substance.label}",
                required=False,
                choices=[
                    ("", "No result"),
                    ("positive", "Positive"),
                    ("negative", "Negative"),
                    ("not_tested", "Not tested"),
                ],
            )
            self.fields[f"confirmed_{substance.pk}"] = forms.BooleanField(
                label=f"{substance.label}: lab confirmed", required=False
            )

    def result_fields(self):
        return [(self[f"result_{s.pk}"], self[f"confirmed_{s.pk}"]) for s in self.substances]

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        results, confirmed = {}, []
        for substance in self.substances:
            result = data.pop(f"result_{substance.pk}")
            if data.pop(f"confirmed_{substance.pk}"):
                confirmed.append(substance)
            if result:
                results[substance] = result
        return {**data, "results": results, "lab_confirmed": confirmed}

    def add_results_error(self, message: str) -> None:
        """A result for a substance not ticked as tested: the message goes on that substance's result."""
        tested = {s.pk for s in self.cleaned_data.get("substances_tested", [])}
        placed = False
        for substance in self.substances:
            if self.cleaned_data.get(f"result_{substance.pk}") and substance.pk not in tested:
                self.add_error(f"result_{substance.pk}", message)
                placed = True
        if not placed:
            self.add_error(None, message)


class CustodyStepForm(forms.Form):
    step = forms.ChoiceField(
        choices=[(CustodyStep.SENT, CustodyStep.SENT.label), (CustodyStep.RECEIVED, CustodyStep.RECEIVED.label)],
        widget=forms.RadioSelect,
        label="Step",
        error_messages={"required": "Choose sent or received"},
    )
    on = NhsDateField(label="Date")
    at_time = forms.TimeField(
        label="Time",
        help_text="24-hour clock, for example 14:10.",
        error_messages={
            "required": "Enter the time",
            "invalid": "Enter the time as hours and minutes, for example 14:10",
        },
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}),
    )
    by = forms.CharField(label="By", max_length=200, required=False, help_text="The person, courier or laboratory.")


class SafeStorageForm(forms.Form):
    offered_on = NhsDateField(label="Date the box was offered")
    outcome = forms.ChoiceField(choices=SafeStorageOutcome.choices, widget=forms.RadioSelect, label="Outcome")
    declined_reason = forms.CharField(label="Reason declined", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    advice_given = forms.BooleanField(
        label="Verbal and written advice given on storing and disposing of medication", required=False, initial=True
    )


class SharedCareForm(forms.Form):
    gp_practice = forms.CharField(label="GP practice")
    agreed_criteria = forms.CharField(
        label="Agreed criteria met", widget=forms.Textarea(attrs={"rows": 4}), help_text="The stability criteria."
    )
    transferred_on = NhsDateField(label="Transfer date")
    next_review_on = NhsDateField(label="Next review by the keyworker")


class SharedCareEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    ended_on = NhsDateField(label="Date shared care ended")
    end_reason = forms.ChoiceField(choices=SharedCareEndReason.choices, widget=forms.RadioSelect, label="Reason")


class DetoxPlanForm(forms.Form):
    setting = forms.ChoiceField(choices=DetoxSetting.choices, widget=forms.RadioSelect, label="Kind of detox")
    planned_start = NhsDateField(label="Planned start")
    planned_end = NhsDateField(label="Planned end")
    steps = forms.CharField(
        label="Medication steps",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One step a line: date, medication code and dose, e.g. 15/01/2027 CDP 20.",
    )
    support_worker = forms.ModelChoiceField(
        queryset=get_user_model()
        .objects.filter(is_active=True, groups__name=Role.KEYWORKER.label)
        .order_by("last_name", "first_name", "pk"),
        required=False,
        label="Support worker",
        help_text="The worker who supports the person through the detox.",
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modality"] = EpisodeModalityField(
            user=user,
            episode=episode,
            interventions=["CDETOX", "HDETOX", "DDETOX"],
            label="Detox modality",
            help_text="The community, home or day detox modality this plan delivers.",
        )
        self.order_fields(["modality"])

    def clean_steps(self):
        return _parse_steps(self.cleaned_data["steps"], with_medication=True)


class ResidentialReferralForm(forms.Form):
    kind = forms.ChoiceField(choices=ResidentialKind.choices, widget=forms.RadioSelect, label="Referral to")
    provider = forms.CharField(label="Provider")
    funding_route = forms.ChoiceField(choices=FundingRoute.choices, widget=forms.RadioSelect, label="Funding route")
    referred_on = NhsDateField(label="Date referred")
