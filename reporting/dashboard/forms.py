from django import forms

from core.widgets import NhsDateField
from reporting.models import ServiceFeedback

RATINGS = [(5, "5: very good"), (4, "4: good"), (3, "3: neither good nor poor"), (2, "2: poor"), (1, "1: very poor")]


class FeedbackForm(forms.Form):
    team = forms.ModelChoiceField(queryset=None, empty_label="Choose a team", label="Which team is it about?")
    received_on = NhsDateField(label="Date the feedback was given")
    rating = forms.TypedChoiceField(
        choices=RATINGS, coerce=int, widget=forms.RadioSelect, label="How would they rate the service?"
    )
    given_by = forms.ChoiceField(
        choices=ServiceFeedback.GivenBy.choices,
        widget=forms.RadioSelect,
        label="Who filled this in?",
        initial=ServiceFeedback.GivenBy.PERSON,
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Anything they want to tell us (optional)",
        help_text="Stays with the service: commissioners see only how many gave feedback and the ratings.",
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if len(teams) == 1:
            self.fields["team"].initial = teams.first()


class QuarterForm(forms.Form):
    """The dashboard's quarter and scope, chosen by GET so a view can be bookmarked and shared."""

    quarter = forms.ChoiceField(label="Quarter")
    team = forms.ChoiceField(label="Scope", required=False)

    def __init__(self, *args, quarters, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = quarters
        self.fields["team"].choices = [("", "Whole service"), *[(str(t.pk), t.name) for t in teams]]
