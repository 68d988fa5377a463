from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.renderers import TemplatesSetting

from core.field_errors import named_errors
from core.widgets import NhsDateInput

# The NHS.UK class each kind of control needs, and the one it adds when the field has an error.
CONTROL_CLASSES = {
    "input": ("nhsuk-input", "nhsuk-input--error"),
    "select": ("nhsuk-select", "nhsuk-select--error"),
    "textarea": ("nhsuk-textarea", "nhsuk-textarea--error"),
    "radios": ("nhsuk-radios__input", ""),
    "checkboxes": ("nhsuk-checkboxes__input", ""),
    "checkbox": ("nhsuk-checkboxes__input", ""),
}


# What an empty select says instead of Django's "---------", which a screen reader reads as "dash dash dash".
EMPTY_CHOICE = {True: "Select an option", False: "None"}
DASHES = "---------"


class NhsBoundField(forms.BoundField):
    """Tells the field template which NHS.UK pattern a widget follows and gives its controls the
    NHS.UK classes, so a plain Django form needs no per-field styling."""

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        _name_the_empty_choice(field)

    @property
    def nhsuk_kind(self) -> str:
        widget = self.field.widget
        if widget.is_hidden:
            return "hidden"
        if isinstance(widget, NhsDateInput):
            return "date"
        # CheckboxSelectMultiple subclasses RadioSelect, so it is tested first.
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return "checkboxes"
        if isinstance(widget, forms.RadioSelect):
            return "radios"
        if isinstance(widget, forms.CheckboxInput):
            return "checkbox"
        if isinstance(widget, forms.Select):
            return "select"
        if isinstance(widget, forms.Textarea):
            return "textarea"
        return "input"

    @property
    def errors(self):
        """Django's generic messages ("This field is required.") rewritten to name this field, for the
        error summary and the message above the control alike: every form gets this, none needs its own."""
        return named_errors(self, super().errors)

    @property
    def error_anchor(self) -> str:
        """The id the error summary links to: the first radio or checkbox of a group, since Django
        gives the group itself no focusable id."""
        if self.nhsuk_kind in ("radios", "checkboxes") and self.subwidgets:
            return self.subwidgets[0].id_for_label
        return self.id_for_label

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}_helptext"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}_error"

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        base, error = CONTROL_CLASSES.get(self.nhsuk_kind, ("", ""))
        own = (widget or self.field.widget).attrs.get("class", "")
        classes = [base, error if self.errors else "", own, attrs.get("class", "")]
        if joined := " ".join(c for c in classes if c):
            attrs["class"] = joined
        return attrs


def _name_the_empty_choice(field) -> None:
    empty = EMPTY_CHOICE[bool(field.required)]
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DASHES:
            field.empty_label = empty
    elif isinstance(field, forms.ChoiceField) and any(label == DASHES for _value, label in field.choices):
        field.choices = [(value, empty if label == DASHES else label) for value, label in field.choices]


class NhsFormRenderer(TemplatesSetting):
    """Renders every form field with the NHS.UK frontend markup (label, hint, error message)."""

    form_template_name = "nhsuk/forms/form.html"
    field_template_name = "nhsuk/forms/field.html"
    bound_field_class = NhsBoundField


class SignInForm(AuthenticationForm):
    """Django's sign-in form with NHS.UK wording, and without autofocus: focus moved on load skips the
    header for screen reader users, and NHS.UK guidance is to leave it where the page starts."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


def add_domain_error(forms_in_order, exc, *, aliases: dict | None = None, anchors: dict | None = None) -> None:
    """Put a service's DomainError on the field it names, on the first form that has that field, so the
    NHS.UK error summary links to it. `aliases` maps a service's argument to the page field standing for
    it; `anchors` maps one that is no field but a part of the page (the open modalities that stop a
    discharge) to that part's id, which the summary then links to. A message with neither (a stale edit)
    goes at the top of the first form."""
    forms_in_order = forms_in_order if isinstance(forms_in_order, list | tuple) else [forms_in_order]
    name = (aliases or {}).get(exc.field, exc.field)
    for form in forms_in_order:
        if name and name in form.fields:
            form.add_error(name, exc.message)
            return
    first = forms_in_order[0]
    first.add_error(None, exc.message)
    if exc.field in (anchors or {}):
        first.error_anchors = {**getattr(first, "error_anchors", {}), exc.message: anchors[exc.field]}


class TwoFactorCodeForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        max_length=12,
        error_messages={"required": "Enter the security code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "nhsuk-input--width-10"}
        ),
    )


class TwoFactorResetForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Member of staff whose device was lost",
        queryset=None,
        empty_label=None,
        error_messages={"required": "Choose the member of staff", "invalid_choice": "Choose a member of staff"},
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["user"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} ({user.username})"
        )


class SignInUnlockForm(TwoFactorResetForm):
    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, users=users, **kwargs)
        self.fields["user"].label = "Member of staff to unlock"
