from django.urls import reverse
from django.utils import timezone

from recovery_plans.selectors_modalities import link_summary
from referrals.record_pages import RecordLink


def episode_links(episode, user):
    """The episode page's link to its modalities, with a one-query summary ("2 running, 1 waiting 16 days")."""
    if not user.has_perm("recovery_plans.view_modality"):
        return []
    return [
        RecordLink(
            "Modalities and waiting clocks",
            reverse("recovery_plans:modality-list", args=[episode.pk]),
            link_summary(episode, timezone.localdate()),
        )
    ]
