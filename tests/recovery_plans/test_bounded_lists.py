"""The sign-off queue and the modality waits are pages: bounded, fixed-query, every row reachable once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import TeamKind
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Intervention
from recovery_plans.services import plans
from referrals.factories import AllocationFactory, EpisodeFactory
from tests.paging import assert_bounded, small_pages  # noqa: F401 (fixture)
from tests.recovery_plans.plan_fixtures import GOALS
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_pages")]


def test_the_sign_off_queue_is_paged(
    client, assessor, keyworker, arm_team, delivery_team, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            episode = EpisodeFactory(referral__team=arm_team)
            AllocationFactory(episode=episode, keyworker=keyworker, team=delivery_team)
            version = plans.start_plan(episode=episode, by=keyworker)
            version = plans.update_draft(version=version, own_words="", goals=GOALS, by=keyworker, expected_version=1)
            plans.submit(version=version, by=keyworker, expected_version=version.version)

    client.force_login(assessor)
    url = reverse("recovery_plans:plan-queue")
    seen = assert_bounded(client, url, add, lambda c: c["page"].rows, django_assert_max_num_queries)
    assert len({version.pk for version in seen}) == len(seen)


def test_the_modality_waits_are_paged_with_the_red_count_of_the_whole_list(
    client, manager, arm_team, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            episode = EpisodeFactory(referral__team=arm_team)
            AllocationFactory(episode=episode, team=manager.teams.get(kind=TeamKind.DELIVERY))
            ModalityFactory(
                episode=episode,
                intervention=Intervention.objects.get(code="CBT"),
                referred_on=timezone.localdate() - timedelta(days=25),
            )

    client.force_login(manager)
    url = reverse("recovery_plans:modality-clocks")
    seen = assert_bounded(client, url, add, lambda c: c["rows"], django_assert_max_num_queries)
    assert len({row.modality.pk for row in seen}) == len(seen)
    assert "16 waiting, 16 at day 21 or later" in client.get(url).content.decode()
