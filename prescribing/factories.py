"""Prescribing records for tests and demo data. Factories write rows directly; tests of a rule call the service."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from core.factories import UserFactory
from prescribing.choices import Regime, SafeStorageOutcome
from prescribing.models import ClinicalAssessment, Medication, Pharmacy, Prescription, SafeStorage
from referrals.factories import EpisodeFactory


class PharmacyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pharmacy

    name = factory.Sequence(lambda n: f"Shirley Road Pharmacy {n}")
    ods_code = factory.Sequence(lambda n: f"FA{n:03d}")
    address = "12 Shirley Road, Southampton SO15 3EU"


class ClinicalAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicalAssessment

    episode = factory.SubFactory(EpisodeFactory)
    person = factory.SelfAttribute("episode.person")
    prescriber = factory.SubFactory(UserFactory)
    assessed_on = factory.LazyAttribute(lambda a: a.episode.opened_on + timedelta(days=1))
    findings = "Opiate dependent, daily heroin use, no recent overdose. Suitable for methadone titration."


class PrescriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prescription

    clinical_assessment = factory.SubFactory(ClinicalAssessmentFactory)
    episode = factory.SelfAttribute("clinical_assessment.episode")
    person = factory.SelfAttribute("episode.person")
    medication = factory.LazyFunction(lambda: Medication.objects.get(code="MET"))
    dose = Decimal("30")
    unit = factory.SelfAttribute("medication.unit")
    regime = Regime.STABILISATION
    pharmacy = factory.SubFactory(PharmacyFactory)
    starts_on = factory.LazyAttribute(lambda p: p.clinical_assessment.assessed_on)
    prescriber = factory.SelfAttribute("clinical_assessment.prescriber")


class SafeStorageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafeStorage

    person = factory.SubFactory("referrals.factories.PersonFactory")
    offered_on = factory.LazyFunction(timezone.localdate)
    outcome = SafeStorageOutcome.ISSUED
    recorded_by = factory.SubFactory(UserFactory)
