"""The episode page's links to the comprehensive assessment, TOPs and outcomes (referrals.record_pages).

One query for all three links: it re-checks that the user may see the episode (the assessment pages show to
exactly the users who see the episode) and brings the hints with it.
"""

from django.db.models import Exists, Max, Min, OuterRef, Subquery
from django.urls import reverse
from django.utils.dateformat import format as format_date

from assessment import services
from assessment.models import Assessment, Top
from referrals.models import Episode
from referrals.record_pages import RecordLink


def _day(value) -> str:
    return format_date(value, "j F Y")


def assessment_hint(first_completed, in_progress: bool) -> str:
    if first_completed and in_progress:
        return f"Completed {_day(first_completed)}; a reassessment is in progress"
    if first_completed:
        return f"Completed {_day(first_completed)}"
    return "In progress, not completed" if in_progress else "Not started"


def top_hint(latest_top, review_due) -> str:
    if latest_top is None:
        return "No TOP yet"
    hint = f"Latest TOP {_day(latest_top)}"
    return f"{hint}; review due {_day(review_due)}" if review_due else hint


def episode_links(episode, user) -> list[RecordLink]:
    assessments = Assessment.objects.filter(episode=OuterRef("pk"))
    row = (
        Episode.objects.visible_to(user)
        .filter(pk=episode.pk)
        .annotate(
            first_completed=Subquery(
                assessments.filter(completed_on__isnull=False)
                .values("episode")
                .annotate(first=Min("completed_on"))
                .values("first")
            ),
            in_progress=Exists(assessments.filter(completed_on__isnull=True)),
            latest_top=Subquery(
                Top.objects.filter(episode=OuterRef("pk"))
                .values("episode")
                .annotate(last=Max("top_date"))
                .values("last")
            ),
        )
        .values("first_completed", "in_progress", "latest_top", "discharged_on")
        .first()
    )
    if row is None:
        return []
    review_due = services.review_top_due_after(row["latest_top"]) if not row["discharged_on"] else None
    links = [
        RecordLink(
            "Comprehensive assessment",
            reverse("assessment:episode-assessment", kwargs={"episode_pk": episode.pk}),
            assessment_hint(row["first_completed"], row["in_progress"]),
        ),
        RecordLink(
            "Outcomes (TOP): start against latest review",
            reverse("assessment:person-outcomes", kwargs={"person_pk": episode.person_id}),
            top_hint(row["latest_top"], review_due),
        ),
    ]
    if services.can_edit(user, episode):
        links.append(
            RecordLink(
                "Record a TOP",
                reverse("assessment:top-new", kwargs={"episode_pk": episode.pk}),
                "Treatment Outcomes Profile",
            )
        )
    return links
