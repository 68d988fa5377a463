"""The episode page's link to its recovery plan, with the plan's state as a hint (one small query)."""

from django.urls import reverse
from django.utils.dateformat import format as format_date

from recovery_plans.models import PlanVersion, VersionStatus
from recovery_plans.selectors_plans import may_read_plans
from referrals.record_pages import RecordLink

OPEN_HINTS = {
    VersionStatus.DRAFT: "draft",
    VersionStatus.SUBMITTED: "awaiting sign-off",
}


def plan_hint(rows: list[tuple[str, object, int, str]]) -> str:
    """`rows`: (status, signed_on, number, returned_reason) of every version of the plan."""
    signed = next((r for r in rows if r[0] == VersionStatus.SIGNED), None)
    current = next((r for r in rows if r[0] in OPEN_HINTS), None)
    if signed is None and current is None:
        return "No plan yet"
    parts = []
    if signed:
        parts.append(f"Signed {format_date(signed[1], 'j F Y')}")
    if current:
        status, _, number, returned = current
        if signed:
            parts.append(f"version {number} {OPEN_HINTS[status]}")
        elif returned and status == VersionStatus.DRAFT:
            parts.append("Returned by the assessor, not yet signed")
        elif status == VersionStatus.SUBMITTED:
            parts.append("Awaiting sign-off")
        else:
            parts.append("Draft, not yet signed")
    return "; ".join(parts)


def episode_links(episode, user):
    if not may_read_plans(user):
        return []
    fields = ("status", "signed_on", "number", "returned_reason")
    rows = list(PlanVersion.objects.filter(plan__episode=episode).values_list(*fields))
    url = reverse("recovery_plans:plan-detail", kwargs={"episode_pk": episode.pk})
    return [RecordLink("Recovery action plan", url, plan_hint(rows))]
