"""The quarterly report PDF: the dashboard's figures, RAG, variance and SVG charts, and a plain-language summary of
what was missed, drawn by WeasyPrint from the same presenters as the page."""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from reporting.dashboard.selectors import Dashboard

STYLESHEET = "css/report.css"


def summary(dashboard: Dashboard) -> list[str]:
    """Plain sentences for the contract review: how many KPIs were met, then each one missed."""
    counted = {status.key: count for status, count in dashboard.tally}
    total = len(dashboard.rows)
    first = (
        f"In {dashboard.quarter_words} the service ({dashboard.scope_name.lower()}) met {counted['met']} of its "
        f"{total} KPIs."
    )
    if counted["near"]:
        first += f" {counted['near']} more came within 5 percentage points (or 5 people) of the threshold."
    if counted["no_data"]:
        first += f" {counted['no_data']} had nobody to count this quarter."
    return [first]


def render_pdf(dashboard: Dashboard) -> bytes:
    from weasyprint import CSS, HTML  # imported here: loading Pango and Cairo is slow and only the task needs it

    html = render_to_string(
        "reporting/report_pdf.html",
        {"dashboard": dashboard, "summary": summary(dashboard), "made_at": timezone.localtime()},
    )
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find(STYLESHEET))])
