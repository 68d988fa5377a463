from django import forms


class TransferImportForm(forms.Form):
    file = forms.FileField(
        label="Transfer-of-care file",
        help_text="A CSV in the interchange format (UTF-8, every value quoted), with its header row.",
        required=False,
    )
    dry_run = forms.BooleanField(
        label="Check only (dry run): report what would be created, and import nothing",
        required=False,
        initial=True,
    )
    create_staff = forms.BooleanField(
        label="Create an inactive keyworker account for each keyworker (XKEYWORKER) who has no account here",
        required=False,
    )
