"""An episode's substance group (domain.md 4), as PDA/PDD and REP-O/N read it."""

import datetime

import pytest

from assessment.factories import AssessmentFactory
from assessment.models import AssessmentSubstance
from assessment.selectors import episode_substance_groups, substance_group
from core.models import Substance
from referrals.factories import EpisodeFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 5, 1)


def _assessed(episode, codes, completed_on=DAY):
    assessment = AssessmentFactory(episode=episode, completed_on=completed_on)
    for rank, code in enumerate(codes, start=1):
        AssessmentSubstance.objects.create(assessment=assessment, rank=rank, substance=Substance.objects.get(code=code))
    return assessment


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ({"alcohol"}, "alcohol"),
        ({"alcohol", "non_opiate"}, "non_opiate"),
        ({"alcohol", "opiate"}, "opiate"),
        ((), None),
    ],
)
def test_the_group_rule(groups, expected):
    assert substance_group(groups) == expected


def test_groups_come_from_the_latest_completed_assessment_on_or_before_the_date(django_assert_num_queries):
    alcohol_only, heroin_and_alcohol, cannabis = EpisodeFactory(), EpisodeFactory(), EpisodeFactory()
    _assessed(alcohol_only, ["7000"])
    _assessed(heroin_and_alcohol, ["7000", "1011"])
    _assessed(cannabis, ["7000"], completed_on=DAY)
    _assessed(cannabis, ["5000"], completed_on=DAY + datetime.timedelta(days=30))
    AssessmentFactory(episode=EpisodeFactory())  # never completed: group not known
    ids = [alcohol_only.pk, heroin_and_alcohol.pk, cannabis.pk]
    with django_assert_num_queries(1):
        groups = episode_substance_groups(ids)
    assert groups == {alcohol_only.pk: "alcohol", heroin_and_alcohol.pk: "opiate", cannabis.pk: "non_opiate"}
    assert episode_substance_groups([cannabis.pk], as_of=DAY + datetime.timedelta(days=29)) == {cannabis.pk: "alcohol"}
    assert episode_substance_groups([cannabis.pk], as_of=DAY - datetime.timedelta(days=1)) == {}
