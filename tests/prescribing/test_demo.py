from datetime import date

import pytest
from django.core.management import call_command

from prescribing import waits
from prescribing.models import (
    ClinicalAssessment,
    DetoxPlan,
    DrugTest,
    Prescription,
    ResidentialReferral,
)
from recovery_plans.models import Modality
from referrals.models import Task

pytestmark = pytest.mark.django_db


def test_demo_prescribes_after_a_clinical_assessment_with_dose_history():
    call_command("seed_demo", people=60, seed=3)
    assert Prescription.objects.filter(supersedes__isnull=False).exists()
    for prescription in Prescription.objects.select_related("clinical_assessment", "modality"):
        assert prescription.clinical_assessment.assessed_on <= prescription.starts_on
        if prescription.modality is not None:
            assert prescription.modality.episode_id == prescription.episode_id
            assert prescription.modality.referred_on <= prescription.starts_on
    assert ClinicalAssessment.objects.filter(prescriptions__isnull=True).count() == 0
    # Every script delivers a pharmacological modality, so RX10 can be computed from the demo data.
    assert not Prescription.objects.filter(modality__isnull=True).exists()
    assert waits.started_in_period(date(2000, 1, 1), date.today())
    # Still waiting, so the clock shows on caseloads and the waits page; one modality open per episode.
    assert Modality.objects.filter(intervention__code="PRESC", started_on__isnull=True, ended_on__isnull=True).exists()
    for episode_id in Modality.objects.filter(intervention__code="PRESC", ended_on__isnull=True).values_list(
        "episode_id", flat=True
    ):
        assert (
            Modality.objects.filter(episode_id=episode_id, intervention__code="PRESC", ended_on__isnull=True).count()
            == 1
        )
    assert DetoxPlan.objects.filter(modality__intervention__code="HDETOX", steps__isnull=False).exists()
    assert set(ResidentialReferral.objects.values_list("funding_route", flat=True)) == {"facs", "personal_budget"}
    assert DrugTest.objects.exists()


def test_demo_runs_twice_and_the_morning_job_then_raises_tasks_once():
    from prescribing.services import raise_prescribing_wait_tasks

    call_command("seed_demo", people=40, seed=5)
    call_command("seed_demo", people=40, seed=5)
    raised = raise_prescribing_wait_tasks()
    assert raise_prescribing_wait_tasks() == 0
    assert Task.objects.filter(kind="prescribing_wait").count() == raised


def test_demo_reuses_an_open_prescribing_modality_the_plans_demo_made():
    from django.utils import timezone

    from core.demo import context_for, seed_staff
    from core.models import DemoSeedRun
    from prescribing.demo import _dependent_episodes
    from recovery_plans.factories import ModalityFactory

    # Everything but prescribing first, as if the plans demo had left an open prescribing modality behind.
    DemoSeedRun.objects.create(app_label="prescribing", seed=3, people=60)
    call_command("seed_demo", people=60, seed=3)
    context = context_for("prescribing", seed=3, people=60, staff=seed_staff(), today=timezone.localdate())
    episode, _ = next(iter(_dependent_episodes(context)))
    existing = ModalityFactory(episode=episode, referred_on=episode.opened_on)
    DemoSeedRun.objects.filter(app_label="prescribing").delete()
    call_command("seed_demo", people=60, seed=3)
    # The first dependent episode is never among the one in nine kept waiting, so it has scripts.
    assert set(Prescription.objects.filter(episode=episode).values_list("modality", flat=True)) == {existing.pk}
    existing.refresh_from_db()
    assert existing.started_on == Prescription.objects.filter(episode=episode).earliest("starts_on").starts_on
    assert Modality.objects.filter(episode=episode, intervention__code="PRESC", ended_on__isnull=True).count() == 1
