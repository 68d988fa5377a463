"""Values shown as recorded (issue 14): 0 drinking days is 0, not "Not recorded" (Django's `default` filter
treats 0 as empty); an address shows its lines without the empty ones. A builtin of every template."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

NOT_RECORDED = "Not recorded"


@register.filter
def or_not_recorded(value, text=NOT_RECORDED):
    """The value, or "Not recorded" only when nothing was recorded: None, an empty string or an empty list."""
    if value is None or value == "" or (hasattr(value, "__len__") and not isinstance(value, str) and not len(value)):
        return text
    return value


@register.filter
def address_lines(address, postcode=""):
    """The address and postcode one line each, blank lines left out; "Not recorded" when there are none."""
    lines = [line.strip() for line in f"{address or ''}\n{postcode or ''}".splitlines() if line.strip()]
    if not lines:
        return NOT_RECORDED
    # The separator is a literal tag; each line is escaped by format_html_join.
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))  # nosec B308 B703
