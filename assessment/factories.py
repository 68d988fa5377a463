"""Assessments and TOPs for tests and demo data: rows written directly, rules are tested through the services."""

import factory
from django.utils import timezone

from assessment.models import (
    AccommodationNeed,
    Assessment,
    AssessmentSubstance,
    ChildrenLivingWith,
    DualDiagnosis,
    EmploymentStatus,
    ParentalStatus,
    Top,
)
from core.factories import UserFactory
from core.models import InjectingStatus, Route, Substance, TreatmentStage
from referrals.factories import EpisodeFactory


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    episode = factory.SubFactory(EpisodeFactory)
    started_on = factory.LazyAttribute(lambda a: a.episode.opened_on)
    started_by = factory.SubFactory(UserFactory)


def complete_values() -> dict:
    """Every required field answered with an ordinary, risk-free value."""
    return {
        "injecting_status": InjectingStatus.objects.get(code="N"),
        "alcohol_days": 4,
        "alcohol_units": 6,
        "dual_diagnosis": DualDiagnosis.objects.get(code="N"),
        "accommodation_need": AccommodationNeed.objects.get(code="1"),
        "employment_status": EmploymentStatus.objects.get(code="05"),
        "children_living_with": ChildrenLivingWith.objects.get(code="14"),
        "parental_status": ParentalStatus.objects.get(code="14"),
        "pregnant": "not_applicable",
        "domestic_abuse_risk": "none",
        "safeguarding_concern": "no",
        "level_of_need": "low",
    }


class CompleteAssessmentFactory(AssessmentFactory):
    """An assessment with every required field answered (not yet completed) and a main substance."""

    class Meta:
        skip_postgeneration_save = True

    injecting_status = factory.LazyFunction(lambda: complete_values()["injecting_status"])

    @factory.post_generation
    def answers(assessment, create, extracted, **kwargs):
        for name, value in complete_values().items():
            setattr(assessment, name, value)
        if create:
            assessment.save()
            AssessmentSubstance.objects.create(
                assessment=assessment,
                rank=1,
                substance=Substance.objects.get(code="1011"),
                route=Route.objects.get(code="3"),
                days_used=20,
                age_first_use=19,
            )


class TopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Top

    episode = factory.SubFactory(EpisodeFactory)
    stage = factory.LazyFunction(lambda: TreatmentStage.objects.get(code="S"))
    top_date = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SubFactory(UserFactory)
    psychological_health = 8
    physical_health = 9
    quality_of_life = 7
