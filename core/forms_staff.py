from django import forms

from core.choices import Role


class TeamChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, team):
        return team.name


class StaffDetailsForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150, error_messages={"required": "Enter a first name"})
    last_name = forms.CharField(label="Last name", max_length=150, error_messages={"required": "Enter a last name"})
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.nhs.uk"},
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        help_text="What this member of staff does: each role decides the pages and records they see.",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one of the roles"},
    )
    teams = TeamChoiceField(
        label="Teams",
        help_text="Assessors, team managers, prescribers and harm reduction workers see their teams' people.",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams


class NewStaffAccountForm(StaffDetailsForm):
    username = forms.CharField(
        label="Username",
        help_text="What they type to sign in, for example jane.smith.",
        max_length=150,
        error_messages={"required": "Enter a username"},
    )
    password = forms.CharField(
        label="First password",
        help_text="Give it to them in person. At least 12 characters, not a common password. They set up "
        "two-factor sign-in the first time they sign in.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a first password"},
    )
    field_order = ["username", "first_name", "last_name", "email", "roles", "teams", "password"]


class EditStaffAccountForm(StaffDetailsForm):
    fingerprint = forms.CharField(widget=forms.HiddenInput)


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label="New password",
        help_text="Give it to them in person. At least 12 characters, not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a new password"},
    )


class AccountStateForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput)
