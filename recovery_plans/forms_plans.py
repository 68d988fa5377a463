"""Plan forms. Every form that changes a draft carries the draft's `version`, so a save made from an older
page is refused (core.concurrency) instead of overwriting someone else's work."""

from django import forms
from django.forms import formset_factory

from core.widgets import NhsDateField
from recovery_plans.models import ActionStatus, Intervention, LifeDomain


class VersionForm(forms.Form):
    """Submitting a draft, removing a goal: only the version the page was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class OwnWordsForm(VersionForm):
    own_words = forms.CharField(
        label="In the person's own words",
        help_text="What they want from treatment and from life, as they say it.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class GoalForm(VersionForm):
    domain = forms.ChoiceField(
        label="Life domain",
        choices=LifeDomain.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the life domain of the goal"},
    )
    text = forms.CharField(
        label="Goal",
        help_text="In the person's words where possible.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the goal"},
    )


class ActionForm(forms.Form):
    what = forms.CharField(label="What will happen", error_messages={"required": "Enter what will happen"})
    who = forms.CharField(
        label="Who will do it",
        max_length=200,
        help_text="For example: me, my keyworker, the housing officer.",
        error_messages={"required": "Enter who will do it"},
    )
    by_when = NhsDateField(label="By when", required=False)
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, initial=ActionStatus.NOT_STARTED)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "DELETE" in self.fields:
            self.fields["DELETE"].label = "Remove this action"

    def as_action(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("what", "who", "by_when", "status")}


# Two blank rows for new actions; a goal with more gets them on the next save.
ActionFormSet = formset_factory(ActionForm, extra=2, can_delete=True)
# The error summary names the row a message is about: "Action 2: Enter what".
ActionFormSet.row_label = "Action"


class PlannedModalityForm(forms.Form):
    intervention = forms.ModelChoiceField(
        label="Intervention",
        queryset=Intervention.objects.filter(active=True).select_related("modality_type"),
        error_messages={"required": "Choose the intervention"},
    )
    notes = forms.CharField(label="Notes", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "DELETE" in self.fields:
            self.fields["DELETE"].label = "Remove this intervention"


PlannedModalityFormSet = formset_factory(PlannedModalityForm, extra=2, can_delete=True)
PlannedModalityFormSet.row_label = "Intervention"


class SignOffForm(forms.Form):
    # The edit stamp of the version as the assessor viewed it: a version changed since is not signed.
    version = forms.IntegerField(widget=forms.HiddenInput)
    signed_on = NhsDateField(label="Date signed off")


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Why are you returning the plan?",
        help_text="The author sees this on the plan. Say what to change.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why you are returning the plan"},
    )


class ReviewForm(forms.Form):
    reviewed_on = NhsDateField(label="Date of the review")
    summary = forms.CharField(label="Summary of the review", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    change_plan = forms.BooleanField(
        label="The plan needs to change",
        required=False,
        help_text="Starts a new draft version, copied from the signed one, to be signed off again.",
    )

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_fields = []
        for goal in goals:
            name = f"goal_{goal.pk}"
            self.fields[name] = forms.CharField(
                label=f"Progress: {goal.text}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=goal.get_domain_display(),
            )
            self.goal_fields.append((goal.pk, name))
        self.order_fields(["reviewed_on", *(name for _, name in self.goal_fields), "summary", "change_plan"])

    def progress(self) -> dict[int, str]:
        return {pk: self.cleaned_data[name].strip() for pk, name in self.goal_fields if self.cleaned_data[name].strip()}
