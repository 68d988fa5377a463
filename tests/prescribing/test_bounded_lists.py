"""The clinic and the prescribing waits are pages: bounded, fixed-query, every row reachable once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import ModalitySetting
from prescribing import waits
from prescribing.factories import ClinicalAssessmentFactory, PrescriptionFactory
from recovery_plans.models import Intervention, Modality
from referrals.factories import EpisodeFactory
from referrals.models import TeamInvolvement
from tests.paging import PAGE, assert_bounded, small_pages  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_pages")]


def _episode(team):
    episode = EpisodeFactory()
    TeamInvolvement.objects.create(person=episode.person, team=team, since=timezone.localdate(), reason="modality")
    return episode


def test_the_clinic_is_paged(client, prescriber, prescribing_team, django_assert_max_num_queries):
    today = timezone.localdate()

    def add(count):
        for _ in range(count):
            assessment = ClinicalAssessmentFactory(
                episode=_episode(prescribing_team), prescriber=prescriber, assessed_on=today
            )
            # Daily dispensing: due today. A weekly one started two days ago is not, and never shows.
            PrescriptionFactory(clinical_assessment=assessment, starts_on=today - timedelta(days=2))

    client.force_login(prescriber)
    seen = assert_bounded(
        client, reverse("prescribing:clinic"), add, lambda c: c["page"].rows, django_assert_max_num_queries
    )
    assert all(p.dispensing_due for p in seen)


def test_the_clinic_leaves_out_a_prescription_not_due_today(client, prescriber, prescribing_team):
    today = timezone.localdate()
    assessment = ClinicalAssessmentFactory(episode=_episode(prescribing_team), prescriber=prescriber, assessed_on=today)
    PrescriptionFactory(clinical_assessment=assessment, starts_on=today - timedelta(days=2), dispensing_interval_days=7)
    client.force_login(prescriber)
    assert client.get(reverse("prescribing:clinic")).context["page"].rows == []


def test_the_prescribing_waits_are_paged(client, prescriber, prescribing_team, django_assert_max_num_queries):
    intervention = Intervention.objects.get(code="PRESC")

    def add(count):
        for _ in range(count):
            Modality.objects.create(
                episode=_episode(prescribing_team),
                modality_type=intervention.modality_type,
                setting=ModalitySetting.objects.get(code="6"),
                intervention=intervention,
                referred_on=timezone.localdate() - timedelta(days=30),
                referred_by=prescriber,
            )
        waits.refresh_start_due(Modality.objects.all())  # as `refer_modality` does

    client.force_login(prescriber)
    seen = assert_bounded(client, reverse("prescribing:waits"), add, lambda c: c["rows"], django_assert_max_num_queries)
    assert all(row.breached for row in seen)
    breaches = client.get(reverse("prescribing:waits"), {"breaches": "1"}).context["rows"]
    assert len(breaches) == PAGE
