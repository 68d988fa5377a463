from datetime import date, timedelta

import pytest

from core.choices import Role
from core.models import ModalitySetting
from recovery_plans.deadlines import next_review_due
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Intervention
from recovery_plans.services import modalities
from referrals.caseload import due_items_for
from referrals.factories import EpisodeFactory


def test_first_plan_review_is_due_twelve_weeks_after_the_assessment():
    assert next_review_due(date(2026, 1, 1), None, 84) == date(2026, 3, 26)


def test_later_reviews_follow_the_plans_interval_from_the_previous_review():
    assert next_review_due(date(2026, 1, 1), date(2026, 3, 20), 56) == date(2026, 5, 15)


def test_no_review_due_before_an_assessment():
    assert next_review_due(None, None, 84) is None


@pytest.mark.django_db
def test_caseload_shows_plan_due_21_days_after_treatment_start_and_sub_intervention_review(arm_team, staff):
    episode = EpisodeFactory(team=arm_team, referral__team=arm_team)
    user = staff(Role.ASSESSOR, team=arm_team)
    modality = modalities.refer_modality(
        episode=episode,
        intervention=Intervention.objects.get(code="CBT"),
        setting=ModalitySetting.objects.get(code="6"),
        referred_on=episode.opened_on,
        by=user,
    )
    modalities.start_modality(modality=modality, started_on=episode.opened_on, by=user, expected_version=1)
    items = {item.label: item.due_on for item in due_items_for([episode.pk])[episode.pk]}
    assert items["Recovery plan due"] == episode.opened_on + timedelta(days=21)
    assert items["Cognitive behavioural therapy (CBT) review due"] == episode.opened_on + timedelta(days=182)


@pytest.mark.django_db
def test_modality_factory_makes_an_open_prescribing_modality():
    modality = ModalityFactory()
    assert modality.modality_type.code == "94"
    assert modality.ended_on is None
