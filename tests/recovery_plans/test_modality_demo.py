from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from recovery_plans.clocks import modality_clock
from recovery_plans.models import Modality
from recovery_plans.services.modalities import sub_intervention_review_due

pytestmark = pytest.mark.django_db


def test_demo_has_clocks_of_every_colour_reviews_due_and_not_and_each_exit_status():
    call_command("seed_demo", people=120, seed=5)
    today = timezone.localdate()
    modalities = list(
        Modality.objects.select_related("modality_type", "exit_status", "episode").annotate(
            latest=Max("reviews__reviewed_on")
        )
    )
    clocks = Counter(clock.status for m in modalities if (clock := modality_clock(m, today)))
    assert set(clocks) == {"on_track", "amber", "red"}
    featured = sorted(
        (today - m.referred_on).days
        for m in modalities
        if m.started_on is None and m.episode.allocations.filter(keyworker__username="keyworker").exists()
    )
    assert {3, 16, 23} <= set(featured)
    assert {m.exit_status.code for m in modalities if m.exit_status} == {"A", "B", "C"}
    withdrawn = [m for m in modalities if m.closed_unstarted]
    assert withdrawn
    assert all(m.exit_status.code == "C" and m.end_reason and m.episode.discharged_on for m in withdrawn)
    running = [m for m in modalities if m.started_on and not m.ended_on]
    overdue = [m for m in running if sub_intervention_review_due(m, m.latest) < today]
    assert overdue
    assert len(overdue) < len(running)
    # Discharged episodes have nothing open; open pharmacological modalities are the prescribing demo's (it
    # runs after ours and makes or reuses one per person), so no episode ends up with two of one intervention.
    assert all(m.ended_on and m.ended_on <= m.episode.discharged_on for m in modalities if m.episode.discharged_on)
    open_pharmacological = Counter(
        (m.episode_id, m.intervention_id) for m in modalities if m.modality_type.code == "94" and not m.ended_on
    )
    assert open_pharmacological
    assert max(open_pharmacological.values()) == 1
