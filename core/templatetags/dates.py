"""Date filters every template has (a builtin, config/settings.py TEMPLATES): the formats live in core/dates.py."""

from django import template

from core import dates

register = template.Library()

register.filter("long_date", dates.long_date, expects_localtime=False)
register.filter("date_time", dates.date_time, expects_localtime=False)
register.filter("clock_time", dates.clock_time, expects_localtime=False)
register.filter("month_year", dates.month_year, expects_localtime=False)
