from django import forms

from core.widgets import NhsDateField


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        teams = ", ".join(team.name for team in user.teams.all()) or "no team"
        return f"{user.get_full_name() or user.username} ({user.username}, {teams})"


class RecordShareForm(forms.Form):
    worker = WorkerChoiceField(
        label="Worker to share the record with",
        help_text="Staff outside your team who treat people.",
        queryset=None,
        empty_label="Choose a worker",
        error_messages={"required": "Choose the worker to share the record with"},
    )
    reason = forms.CharField(
        label="Why the worker needs this record",
        help_text="The data admin lists every share with its reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the worker needs this record"},
    )
    ends_on = NhsDateField(
        label="Last day of the share",
        help_text="The worker can open the record until the end of this day. For example, 27 3 2027",
    )

    def __init__(self, *args, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = recipients.prefetch_related("teams")
