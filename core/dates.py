"""The one way a date or time is written for people (docs/style.md): `2 October 2024`, and `2 October 2024 at
14:05` with a time. Templates use the filters of core.templatetags.dates and Python messages these functions;
tests/core/test_date_formats.py fails on any other format, so one page never mixes `2 Oct` with `2 October`."""

import datetime

from django.utils import timezone
from django.utils.dateformat import format as django_format
from django.utils.dates import MONTHS

LONG_DATE = "j F Y"
TIME = "H:i"
DATE_TIME = "j F Y \\a\\t H:i"
MONTH_YEAR = "F Y"


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def long_date(value) -> str:
    """`2 October 2024`; an empty value gives an empty string. Django's `LONG_DATE` written out: a caseload shows
    a hundred dates, and the general formatter cost 20 times as much."""
    if not value:
        return ""
    value = _local(value)
    return f"{value.day} {MONTHS[value.month]} {value.year:04d}"


def date_time(value) -> str:
    """`2 October 2024 at 14:05`, in the service's time zone."""
    return django_format(_local(value), DATE_TIME) if value else ""


def clock_time(value) -> str:
    """`14:05`, in the service's time zone."""
    return django_format(_local(value), TIME) if value else ""


def month_year(value) -> str:
    """`October 2024`, for a return's month."""
    return django_format(_local(value), MONTH_YEAR) if value else ""
