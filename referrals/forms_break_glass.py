from django import forms


class BreakGlassForm(forms.Form):
    client_id = forms.CharField(label="Client ID", max_length=20, required=False)
    nhs_number = forms.CharField(label="Or NHS number", max_length=14, required=False)
    reason = forms.CharField(
        label="The emergency that needs this record",
        help_text="Your team manager reviews every break-glass access. Say why you cannot wait for the "
        "person's own team.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter the emergency that needs this record"},
    )
