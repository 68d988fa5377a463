"""Links from the episode page to its prescribing records (registered in apps.py). URLs only: no queries."""

from django.urls import reverse

from referrals.record_pages import RecordLink


def episode_links(episode, user) -> list[RecordLink]:
    # Whoever holds the view permission for prescriptions may see prescribing records; others get nothing.
    if not user.has_perm("prescribing.view_prescription"):
        return []
    links = [
        RecordLink(
            "Prescribing history",
            reverse("prescribing:person-history", args=[episode.person_id]),
            "Clinical assessments, every dose as a timeline, safe storage and shared care",
        ),
        RecordLink(
            "Drug and alcohol tests",
            reverse("prescribing:drug-tests", args=[episode.pk]),
            "Tests with their results per substance and the plan's rationale",
        ),
        RecordLink(
            "Detox and residential referrals",
            reverse("prescribing:detox", args=[episode.pk]),
            "Detox plans and referrals to inpatient detox or residential rehab",
        ),
    ]
    if user.has_perm("prescribing.add_clinicalassessment"):
        links.append(
            RecordLink(
                "Clinical assessment",
                reverse("prescribing:assessment-new", args=[episode.pk]),
                "Record the clinical assessment needed before any prescription",
            )
        )
    return links
