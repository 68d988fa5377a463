import pytest
from django.core.management import call_command

from assessment.models import Assessment, AssessmentSubstance, Top

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_open_episodes_assessments_and_start_tops(capsys):
    call_command("seed_demo", people=40, seed=3)
    assert Assessment.objects.filter(completed_on__isnull=False).exists()
    assert Assessment.objects.filter(completed_on__isnull=True).exists()
    assert AssessmentSubstance.objects.filter(rank=1).count() == Assessment.objects.count()
    assert Top.objects.filter(stage__code="S").exists()
