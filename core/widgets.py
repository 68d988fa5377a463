"""Dates entered as separate day, month and year boxes, the NHS.UK way: people know the parts of a
date of birth but not a format, and a date picker is hard to use for a date decades back."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name

PARTS = ("day", "month", "year")


class NhsDateInput(forms.MultiWidget):
    template_name = "nhsuk/widgets/date_input.html"

    def __init__(self, attrs=None):
        def part(width):
            classes = f"nhsuk-input nhsuk-date-input__input nhsuk-input--width-{width}"
            return forms.TextInput(attrs={"class": classes, "inputmode": "numeric"})

        super().__init__({"day": part(2), "month": part(2), "year": part(4)}, attrs)

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        id_ = widget["attrs"].get("id")
        invalid = widget["attrs"].get("aria-invalid") == "true"
        for part, subwidget in zip(PARTS, widget["subwidgets"], strict=True):
            subwidget["label"] = part.capitalize()
            if id_:
                subwidget["attrs"]["id"] = f"{id_}_{part}"
            if invalid:
                subwidget["attrs"]["class"] += " nhsuk-input--error"
        return context

    def id_for_label(self, id_):
        # The error summary links here, so the day box takes the focus.
        return f"{id_}_day" if id_ else ""


class NhsDateField(forms.Field):
    """A date from day, month and year boxes, with the NHS.UK error messages that name the field."""

    widget = NhsDateInput

    def get_bound_field(self, form, field_name):
        # Messages name the field, so it needs a label even when the form gives none.
        if self.label is None:
            self.label = pretty_name(field_name)
        return super().get_bound_field(form, field_name)

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, datetime.date):
            return value or None
        label = self.label or "Date"
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise ValidationError(f"{label} must be a real date", code="invalid") from None
        day, month, year = (str(part or "").strip() for part in value)
        if not (day or month or year):
            return None
        missing = [name for name, part in zip(PARTS, (day, month, year), strict=True) if not part]
        if missing:
            raise ValidationError(f"{label} must include a {' and a '.join(missing)}", code="incomplete")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(f"{label} must be a real date", code="invalid")
        if len(year) != 4:
            raise ValidationError(f"{label}: enter the year as 4 numbers", code="invalid_year")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{label} must be a real date", code="invalid") from None

    def validate(self, value):
        generic = str(self.error_messages["required"]) == str(forms.Field.default_error_messages["required"])
        if value is None and self.required and generic:
            # Django's "This field is required" does not say which of several dates is missing.
            raise ValidationError(f"Enter the {(self.label or 'date').lower()}", code="required")
        super().validate(value)
