"""Harm reduction rows for tests and demo data; tests of a rule call the service."""

from datetime import date

import factory

from core.models import Sex
from harm_reduction.choices import SiteKind
from harm_reduction.models import Attender, NspSite


class NspSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NspSite
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"NSP site {n}")
    kind = SiteKind.SERVICE


class AttenderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attender

    initials = "JS"
    date_of_birth = date(1985, 3, 14)
    sex = factory.LazyFunction(lambda: Sex.objects.get(code="M"))
    code = factory.Sequence(lambda n: f"X{n:05d}")
