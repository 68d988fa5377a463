"""People, referrals and episodes for tests and demo data. Factories write rows directly: tests of a
rule call the service; factories only build the world the rule runs in."""

from datetime import datetime, time, timedelta

import factory
from django.utils import timezone

from core.calendar import add_working_days
from core.choices import Gender, TeamKind
from core.factories import TeamFactory, UserFactory
from core.models import ReferralSource, Sex
from referrals.choices import ReferralStatus, Service
from referrals.models import Allocation, Episode, Person, Referral, TeamInvolvement


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    client_id = factory.Sequence(lambda n: f"C{n:08d}")
    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=26, maximum_age=70)
    sex = factory.LazyFunction(lambda: Sex.objects.get(code="M"))
    postcode = "SO14 7LY"
    local_authority = "E06000045"
    gp_practice = "J82001"
    consent_national_return = True
    preferred_worker_gender = Gender.NOT_STATED


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    received_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    received_at = factory.LazyAttribute(lambda r: timezone.make_aware(datetime.combine(r.received_on, time(10, 0))))
    first_contact_due = factory.LazyAttribute(lambda r: add_working_days(r.received_on, 3))
    source = factory.LazyFunction(lambda: ReferralSource.objects.get(code="4"))
    reason = "Wants help with heroin use"
    service = Service.ARM
    team = factory.SubFactory(TeamFactory, name="ARM", kind=TeamKind.ARM)
    lives_in_city = True
    registered_with_city_gp = True
    status = ReferralStatus.AWAITING_CONTACT

    @factory.post_generation
    def involve_team(referral, create, extracted, **kwargs):
        if create:
            TeamInvolvement.objects.get_or_create(
                person=referral.person,
                team=referral.team,
                defaults={"since": referral.received_on, "reason": "referral"},
            )


class EpisodeFactory(factory.django.DjangoModelFactory):
    """An open episode on an accepted referral."""

    class Meta:
        model = Episode

    referral = factory.SubFactory(ReferralFactory, status=ReferralStatus.ACCEPTED)
    person = factory.SelfAttribute("referral.person")
    team = factory.SelfAttribute("referral.team")
    # The database copies the referral's EPISODID onto the episode; the factory does the same in memory.
    episode_id = factory.SelfAttribute("referral.episode_id")
    opened_on = factory.LazyAttribute(lambda e: e.referral.received_on + timedelta(days=5))


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation
        skip_postgeneration_save = True

    episode = factory.SubFactory(EpisodeFactory)
    assessor = factory.SubFactory(UserFactory)
    keyworker = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory, name="Delivery North", kind=TeamKind.DELIVERY)
    allocated_on = factory.LazyAttribute(lambda a: a.episode.opened_on)
    allocated_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def involve_team(allocation, create, extracted, **kwargs):
        if create:
            TeamInvolvement.objects.get_or_create(
                person=allocation.episode.person,
                team=allocation.team,
                defaults={"since": allocation.allocated_on, "reason": "allocation"},
            )
