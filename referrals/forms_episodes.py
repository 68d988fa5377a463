from django import forms

from core.choices import Gender
from core.models import DischargeReason, Team, User
from core.widgets import NhsDateField, NhsDateTimeField
from referrals.choices import OrderKind, PartnerAgency


class WorkerChoiceField(forms.ModelChoiceField):
    """A worker named with their gender (set against the person's preference) and, for a keyworker, their
    caseload against their capacity, so an allocation is chosen with the numbers in view."""

    def label_from_instance(self, user):
        name = user.get_full_name() or user.username
        if user.gender != Gender.NOT_STATED:
            name = f"{name} ({user.get_gender_display().lower()})"
        caseload = getattr(user, "caseload", None)
        if caseload is None:
            return name
        over = caseload + 1 - user.caseload_capacity
        warning = f", over capacity by {over} with this person" if over > 0 else ""
        return f"{name}: {caseload} of {user.caseload_capacity} people{warning}"


def over_capacity(keyworkers) -> list[str]:
    """What the allocation page warns of: each keyworker whom one more person would take over capacity."""
    return [
        f"{worker.get_full_name() or worker.username} has {worker.caseload} people for a capacity of "
        f"{worker.caseload_capacity}: this allocation would make it {worker.caseload + 1}."
        for worker in keyworkers
        if worker.caseload + 1 > worker.caseload_capacity
    ]


class AllocationForm(forms.Form):
    """Workers come from the manager's teams; the service refuses anyone without the right role."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    assessor = WorkerChoiceField(queryset=User.objects.none())
    keyworker = WorkerChoiceField(queryset=User.objects.none(), label="Lead keyworker")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label="Delivery team")
    reason = forms.CharField(required=False, max_length=200, label="Reason (for a reallocation)")

    def __init__(self, *args, assessors, keyworkers, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = assessors
        self.fields["keyworker"].queryset = User.objects.filter(pk__in=[w.pk for w in keyworkers])
        # Keep the caseload-annotated, preferred-gender-first order in the choices.
        self.fields["keyworker"].choices = [("", "Select an option")] + [
            (w.pk, self.fields["keyworker"].label_from_instance(w)) for w in keyworkers
        ]
        self.fields["team"].queryset = teams


class DischargeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ModelChoiceField(queryset=DischargeReason.objects.filter(active=True), label="Discharge reason")
    discharged_on = NhsDateField(label="Discharge date")
    notes = forms.CharField(required=False, widget=forms.Textarea)


class PartnerInvolvementForm(forms.Form):
    agency = forms.ChoiceField(choices=PartnerAgency.choices)
    organisation = forms.CharField(required=False, max_length=200)
    contact_name = forms.CharField(required=False, max_length=200)
    started_on = NhsDateField(label="Started")
    notes = forms.CharField(required=False, widget=forms.Textarea)


class CarerForm(forms.Form):
    name = forms.CharField(max_length=200)
    relationship = forms.CharField(max_length=100)
    phone = forms.CharField(required=False, max_length=30)
    support_started_on = NhsDateField(label="Support started")
    support_planned_end = NhsDateField(label="Planned end of support", help_text="At most two years after the start.")


class CommunityOrderForm(forms.Form):
    kind = forms.ChoiceField(choices=OrderKind.choices, label="Requirement")
    order_date = NhsDateField(label="Order date")
    requirement_months = forms.IntegerField(label="Requirement length (months)", help_text="From 1 to 36.")
    court = forms.CharField(required=False, max_length=200)
    offender_manager = forms.CharField(required=False, max_length=200)


class ArrestReferralForm(forms.Form):
    tested_at = NhsDateTimeField(label="Date and time tested", help_text="For example, 2 12 2026 and 14:30.")
    trigger_offence = forms.CharField(max_length=200)
    from_other_area = forms.BooleanField(required=False, label="Arrested in another area (48 hours to assess)")


class BreachReportForm(forms.Form):
    order = forms.ModelChoiceField(queryset=None, label="Order")
    missed_appointment_on = NhsDateField(label="Missed appointment")

    def __init__(self, *args, orders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = orders


class FollowUpDoneForm(forms.Form):
    date_fields = ("done_on",)
    done_on = NhsDateField(label="Date of the follow-up contact")
    outcome = forms.CharField(
        widget=forms.Textarea,
        label="What happened",
        help_text="How the person is doing, or why they could not be reached.",
    )


class ReengagementCloseForm(forms.Form):
    date_fields = ("closed_on",)
    closed_on = NhsDateField(label="Date closed")
    outcome = forms.CharField(
        widget=forms.Textarea, label="Outcome", help_text="For example: re-referred, declined, moved away."
    )


class CarerEndForm(forms.Form):
    date_fields = ("support_ended_on",)
    support_ended_on = NhsDateField(label="Support ended", help_text="At most two years after support started.")
