"""Modalities in a real browser: an assessor refers, the clock says where it stands in words, and the team
manager's waits page lists a clock past 14 days."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from recovery_plans.models import Intervention, Modality
from referrals.factories import AllocationFactory, EpisodeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team, username="modality.assessor")


@pytest.fixture
def episode(arm_team, assessor, staff):
    delivery = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    episode = EpisodeFactory(referral__team=arm_team, opened_on=timezone.localdate() - timedelta(days=30))
    keyworker = staff(Role.KEYWORKER, team=delivery, first_name="Kim", last_name="Okafor")
    AllocationFactory(episode=episode, keyworker=keyworker, assessor=assessor, team=delivery)
    return episode


def test_an_assessor_refers_and_the_clock_shows_in_words_then_the_manager_sees_the_wait(
    live_server, new_page, sign_in, axe, screenshot, staff, arm_team, episode, assessor
):
    page = sign_in(new_page(), assessor)
    page.goto(live_server.url + reverse("recovery_plans:modality-list", args=[episode.pk]))
    axe(page)
    page.get_by_role("link", name="Refer to a modality").click()
    axe(page)
    page.get_by_label("Intervention").select_option(value=str(Intervention.objects.get(code="CBT").pk))
    page.get_by_label("Setting").select_option(index=1)
    referred = timezone.localdate() - timedelta(days=16)
    page.locator("#id_referred_on_day").fill(str(referred.day))
    page.locator("#id_referred_on_month").fill(str(referred.month))
    page.locator("#id_referred_on_year").fill(str(referred.year))
    page.get_by_label("Named provider").fill("Solent talking therapies")
    page.get_by_role("button", name="Refer").click()

    page.wait_for_url(live_server.url + reverse("recovery_plans:modality-list", args=[episode.pk]))
    card = page.locator(".nhsuk-card").filter(has_text="Solent talking therapies")
    # The tag carries its meaning in words, not only in its orange colour.
    assert card.locator("h2 .nhsuk-tag").inner_text() == "Amber: day 15+"
    assert re.search(r"16 days \(\d+ working days\) since the referral", card.inner_text())
    axe(page)
    screenshot("modalities")
    assert Modality.objects.get(episode=episode).referred_by == assessor

    manager = sign_in(new_page(), staff(Role.TEAM_MANAGER, team=arm_team))
    manager.goto(live_server.url + reverse("recovery_plans:modality-clocks"))
    assert manager.locator("h1").inner_text() == "Modality waits over 14 days"
    row = manager.get_by_role("row").filter(has_text=str(episode.person))
    assert "16 days" in row.inner_text()
    assert "Amber: day 15+" in row.inner_text()
    assert "Kim Okafor" in row.inner_text()
    axe(manager)
    screenshot("modality-waits", of=manager)
