from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from harm_reduction.choices import BbvResult, BbvTestKind, HepBOffer
from harm_reduction.models import Attender, BbvTest, HepBCourse, NaloxoneSupply, NspVisit, OutreachContact
from referrals.choices import TaskKind
from referrals.selectors_episodes import open_tasks_for

pytestmark = pytest.mark.django_db


def test_demo_seeds_nsp_visits_vaccinations_tests_naloxone_and_outreach():
    call_command("seed_demo", people=60, seed=3)
    assert Attender.objects.filter(person__isnull=True).exists()
    assert Attender.objects.filter(person__isnull=False).exists()
    assert NspVisit.objects.count() > Attender.objects.count()
    assert set(HepBCourse.objects.values_list("offer", flat=True)) == set(HepBOffer.values)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    assert HepBCourse.objects.filter(next_dose_due__range=(monday, monday + timedelta(days=6))).exists()
    assert HepBCourse.objects.filter(doses__isnull=False).exists()
    for course in HepBCourse.objects.prefetch_related("doses"):
        numbers = [dose.dose_number for dose in course.doses.all()]
        assert numbers == list(range(1, len(numbers) + 1))
    assert set(BbvTest.objects.values_list("accepted", flat=True)) == {True, False, None}
    assert NaloxoneSupply.objects.filter(person__isnull=False).exists()
    assert NaloxoneSupply.objects.filter(attender__person__isnull=True, attender__isnull=False).exists()
    answered = HepBCourse.objects.exclude(offer=HepBOffer.OFFERED)
    assert not answered.filter(outcome_on__isnull=True).exists()
    assert not HepBCourse.objects.filter(course_complete=True, completed_on__isnull=True).exists()
    assert not BbvTest.objects.filter(accepted__isnull=False, answered_on__isnull=True).exists()
    assert OutreachContact.objects.filter(person__isnull=True).exists()
    hep_b = BbvTest.objects.get(kind=BbvTestKind.HEP_B_SURFACE_ANTIGEN, result=BbvResult.POSITIVE)
    task = hep_b.referral_task
    assert (task.kind, hep_b.referral_consent) == (TaskKind.HEPATOLOGY_REFERRAL, True)
    assert task.assigned_to.username == "keyworker"
    assert task in open_tasks_for(task.assigned_to)
