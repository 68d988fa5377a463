"""Dates entered as separate day, month and year boxes, the NHS.UK way: people know the parts of a
date of birth but not a format, and a date picker is hard to use for a date decades back."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils import timezone

PARTS = ("day", "month", "year")
TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def _box(width, inputmode="numeric"):
    classes = f"nhsuk-input nhsuk-date-input__input nhsuk-input--width-{width}"
    return forms.TextInput(attrs={"class": classes, "inputmode": inputmode, "autocomplete": "off"})


class NhsDateInput(forms.MultiWidget):
    template_name = "nhsuk/widgets/date_input.html"
    parts = PARTS
    part_labels = {"day": "Day", "month": "Month", "year": "Year"}

    def __init__(self, attrs=None):
        super().__init__({"day": _box(2), "month": _box(2), "year": _box(4)}, attrs)

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
        for part, subwidget in zip(self.parts, widget["subwidgets"], strict=True):
            subwidget["label"] = self.part_labels[part]
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
        return parse_date_parts(label, *value)

    def validate(self, value):
        generic = str(self.error_messages["required"]) == str(forms.Field.default_error_messages["required"])
        if value is None and self.required and generic:
            # Django's "This field is required" does not say which of several dates is missing.
            raise ValidationError(f"Enter the {(self.label or 'date').lower()}", code="required")
        super().validate(value)


def parse_date_parts(label, day, month, year) -> datetime.date | None:
    """The date in three typed boxes, or None when all three are empty; a message naming `label` otherwise."""
    day, month, year = (str(part or "").strip() for part in (day, month, year))
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


class NhsDateTimeInput(NhsDateInput):
    """The day, month and year boxes and a 24-hour time box beside them: typed, so 02/12/2026 can never be read
    as 12 February the way a browser's date-time picker can."""

    parts = (*PARTS, "time")
    part_labels = {**NhsDateInput.part_labels, "time": "Time (24-hour clock)"}

    def __init__(self, attrs=None):
        forms.MultiWidget.__init__(
            self, {"day": _box(2), "month": _box(2), "year": _box(4), "time": _box(5, "text")}, attrs
        )

    def decompress(self, value):
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return [local.day, local.month, local.year, f"{local:%H:%M}"]
        return [None, None, None, None]


class NhsDateTimeField(NhsDateField):
    """A moment from the date boxes and a time box, aware in the service's time zone."""

    widget = NhsDateTimeInput

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, datetime.datetime):
            return value or None
        label = self.label or "Date and time"
        *date_parts, time_text = value
        time_text = str(time_text or "").strip()
        day = parse_date_parts(label, *date_parts)
        if day is None and not time_text:
            return None
        if day is None:
            raise ValidationError(f"{label} must include a day, a month and a year", code="incomplete")
        match = TIME.match(time_text)
        if not time_text:
            raise ValidationError(f"{label} must include a time, like 14:30", code="incomplete")
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValidationError(f"{label} must include a real time on the 24-hour clock, like 14:30", code="invalid")
        moment = datetime.datetime.combine(day, datetime.time(int(match[1]), int(match[2])))
        return timezone.make_aware(moment)
