import factory

from core.factories import UserFactory
from core.models import ModalitySetting
from recovery_plans.models import Intervention, Modality
from referrals.factories import EpisodeFactory


class ModalityFactory(factory.django.DjangoModelFactory):
    """A modality referred on the day the episode opened."""

    class Meta:
        model = Modality

    episode = factory.SubFactory(EpisodeFactory)
    intervention = factory.LazyFunction(lambda: Intervention.objects.get(code="PRESC"))
    modality_type = factory.SelfAttribute("intervention.modality_type")
    setting = factory.LazyFunction(lambda: ModalitySetting.objects.get(code="6"))
    referred_on = factory.SelfAttribute("episode.opened_on")
    referred_by = factory.SubFactory(UserFactory)
