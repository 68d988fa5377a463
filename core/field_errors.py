"""Error messages that name their field, the NHS.UK way: "Alcohol drinking days must be 28 or fewer", never
"Ensure this value is less than or equal to 28." A message a form or service wrote itself is kept; only Django's
generic ones (recognised by their code and their untouched wording) are rewritten, with the field's label."""

from django import forms
from django.core import validators
from django.forms.utils import ErrorList

# Django's generic wording for each code, from the form fields and the validators they run.
GENERIC_MESSAGES = {}


def _field_classes(cls=forms.Field):
    yield cls
    for subclass in cls.__subclasses__():
        yield from _field_classes(subclass)


for _cls in _field_classes():
    for _code, _message in vars(_cls).get("default_error_messages", {}).items():
        GENERIC_MESSAGES.setdefault(_code, set()).add(str(_message))
for _validator in (
    validators.MaxValueValidator,
    validators.MinValueValidator,
    validators.MaxLengthValidator,
    validators.MinLengthValidator,
    validators.StepValueValidator,
):
    GENERIC_MESSAGES.setdefault(_validator.code, set()).add(str(_validator.message))
for _field in (forms.IntegerField, forms.DecimalField, forms.FloatField, forms.EmailField, forms.CharField):
    for _validator in _field().validators:
        if getattr(_validator, "message", None):
            GENERIC_MESSAGES.setdefault(getattr(_validator, "code", "invalid"), set()).add(str(_validator.message))
GENERIC_MESSAGES["max_whole_digits"] = {str(validators.DecimalValidator.messages["max_whole_digits"])}


def _lower_first(label: str) -> str:
    # "Reason for referral" reads "Enter reason for referral"; "NHS number" keeps its capitals.
    return label[0].lower() + label[1:] if len(label) > 1 and not label[1].isupper() else label


def _named(bound_field, code: str, params: dict) -> str | None:
    field = bound_field.field
    label = str(bound_field.label).rstrip(" :?")
    label = label[0].upper() + label[1:] if label else "This answer"
    choosing = isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or bound_field.nhsuk_kind in (
        "select",
        "radios",
        "checkboxes",
    )
    counting = isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField | forms.FloatField)
    params = params or {}
    if code == "required":
        if bound_field.nhsuk_kind == "checkbox":
            return f"Tick the box: {label}"
        return f"{'Select' if choosing else 'Enter'} {_lower_first(label)}"
    if code == "max_value":
        return f"{label} must be {params.get('limit_value')} or {'fewer' if counting else 'less'}"
    if code == "min_value":
        return f"{label} must be {params.get('limit_value')} or more"
    if code == "step_size":
        return f"{label} must be a multiple of {params.get('limit_value')}"
    if code == "invalid":
        if counting:
            return f"{label} must be a whole number, like 3"
        if isinstance(field, forms.DecimalField | forms.FloatField):
            return f"{label} must be a number, like 2.5"
        if isinstance(field, forms.EmailField):
            return f"{label} must be an email address, like name@example.com"
        if isinstance(field, forms.TimeField):
            return f"{label} must be a time, like 14:30"
        return f"{label} is not in the right format"
    if code in ("invalid_choice", "invalid_list", "invalid_pk_value"):
        return f"{label}: select one of the options"
    if code == "max_length":
        return f"{label} must be {params.get('limit_value')} characters or fewer"
    if code == "min_length":
        return f"{label} must be {params.get('limit_value')} characters or more"
    if code in ("max_digits", "max_whole_digits"):
        return f"{label} must have no more than {params.get('max')} digits"
    if code == "max_decimal_places":
        return f"{label} must have no more than {params.get('max')} decimal places"
    return None


def named_errors(bound_field, errors: ErrorList) -> ErrorList:
    if not errors:
        return errors
    messages = []
    for error in errors.as_data():
        for single in error.error_list:
            generic = single.code in GENERIC_MESSAGES and str(single.message) in GENERIC_MESSAGES[single.code]
            named = _named(bound_field, single.code, single.params) if generic else None
            messages.append(named or next(iter(single)))
    return ErrorList(messages, renderer=errors.renderer, field_id=getattr(errors, "field_id", None))
