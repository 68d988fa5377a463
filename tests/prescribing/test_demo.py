import pytest
from django.core.management import call_command

from prescribing.models import ClinicalAssessment, Prescription

pytestmark = pytest.mark.django_db


def test_demo_prescribes_after_a_clinical_assessment_with_dose_history():
    call_command("seed_demo", people=60, seed=3)
    assert Prescription.objects.filter(supersedes__isnull=False).exists()
    for prescription in Prescription.objects.select_related("clinical_assessment"):
        assert prescription.clinical_assessment.assessed_on <= prescription.starts_on
    assert ClinicalAssessment.objects.filter(prescriptions__isnull=True).count() == 0
