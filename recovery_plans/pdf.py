"""A signed plan version as a PDF the person can take home: their goals and actions in plain words."""

from django.template.loader import render_to_string
from weasyprint import HTML

from recovery_plans import selectors_plans as selectors
from recovery_plans.models import PlanVersion


def render_version(version: PlanVersion) -> bytes:
    """`version` comes with its content prefetched (selectors_plans.with_content)."""
    html = render_to_string(
        "recovery_plans/plans/print.html",
        {
            "version": version,
            "person": version.plan.episode.person,
            "goals": selectors.goals_by_domain(version),
            "planned": list(version.planned_modalities.all()),
        },
    )
    # No base_url: the print template carries its own styles and loads nothing from the network.
    return HTML(string=html).write_pdf()


def filename(version: PlanVersion) -> str:
    return f"recovery-plan-{version.plan.episode.episode_id}-version-{version.number}.pdf"
