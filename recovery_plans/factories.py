import factory

from core.factories import UserFactory
from core.models import ModalitySetting
from recovery_plans.models import Action, Goal, Intervention, Modality, PlanVersion, RecoveryPlan
from referrals import clock_inputs
from referrals.factories import EpisodeFactory


class RecoveryPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecoveryPlan

    episode = factory.SubFactory(EpisodeFactory)


class PlanVersionFactory(factory.django.DjangoModelFactory):
    """A draft; pass status="signed" with signed_by and signed_on for a signed one."""

    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(RecoveryPlanFactory)
    number = 1
    author = factory.SubFactory(UserFactory)
    own_words = "I want to be there for my kids"


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    plan_version = factory.SubFactory(PlanVersionFactory)
    domain = "housing"
    text = factory.Sequence(lambda n: f"Goal number {n}")
    position = factory.Sequence(int)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    goal = factory.SubFactory(GoalFactory)
    what = factory.Sequence(lambda n: f"Step {n}")
    who = "Me and my keyworker"
    position = factory.Sequence(int)


class ModalityFactory(factory.django.DjangoModelFactory):
    """A modality referred on the day the episode opened."""

    class Meta:
        model = Modality
        skip_postgeneration_save = True

    episode = factory.SubFactory(EpisodeFactory)
    intervention = factory.LazyFunction(lambda: Intervention.objects.get(code="PRESC"))
    modality_type = factory.SelfAttribute("intervention.modality_type")
    setting = factory.LazyFunction(lambda: ModalitySetting.objects.get(code="6"))
    referred_on = factory.SelfAttribute("episode.opened_on")
    referred_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def stored_due_date(obj, create, extracted, **kwargs):
        # As `refer_modality` does: the prescribing due date stored by its one rule.
        if create:
            clock_inputs.changed([obj.episode.person_id])
            obj.refresh_from_db(fields=["start_due_on"])
