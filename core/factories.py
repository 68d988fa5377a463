"""Staff and teams for tests and demo data."""

import factory
from django.contrib.auth.models import Group

from core.choices import Gender, Role, TeamKind
from core.models import Team, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nhs.uk")
    gender = factory.Iterator([Gender.FEMALE, Gender.MALE])
    password = factory.django.Password("correct-horse-battery-staple")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = TeamKind.DELIVERY


def make_staff(role: str, *, team: Team | None = None, **fields) -> User:
    """A user holding one role, optionally a member of `team`."""
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get(name=Role(role).label))
    if team is not None:
        team.members.add(user)
    return user
