"""Modality pages: scoping by persona, the forms with their errors on the right field, the manager's waits."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from core.models import ModalityExitStatus, ModalitySetting
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Intervention, Modality
from referrals.factories import AllocationFactory, EpisodeFactory
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures: teams, personas, episodes)

pytestmark = pytest.mark.django_db


def _date(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def waiting(episode, days, **fields):
    return ModalityFactory(
        episode=episode,
        intervention=Intervention.objects.get(code="CBT"),
        referred_on=timezone.localdate() - timedelta(days=days),
        **fields,
    )


@pytest.fixture
def esap_assessor(staff, esap_team):
    return staff(Role.ASSESSOR, team=esap_team)


def test_owner_and_same_team_see_the_page_and_an_unrelated_worker_gets_404(
    client, allocated_episode, keyworker, assessor, manager, other_keyworker, esap_assessor
):
    waiting(allocated_episode, 16)
    url = reverse("recovery_plans:modality-list", args=[allocated_episode.pk])
    for user in (keyworker, assessor, manager):
        client.force_login(user)
        body = client.get(url).content.decode()
        assert "Amber: day 15+" in body
        assert "16 days" in body
    for user in (other_keyworker, esap_assessor):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_roles_without_modality_access_are_refused(client, allocated_episode, staff, arm_team):
    client.force_login(staff(Role.HARM_REDUCTION_WORKER, team=arm_team))
    assert client.get(reverse("recovery_plans:modality-list", args=[allocated_episode.pk])).status_code == 403


def test_the_page_shows_each_clock_colour_in_words_and_overdue_reviews(client, allocated_episode, keyworker):
    today = timezone.localdate()
    waiting(allocated_episode, 14)
    waiting(allocated_episode, 21)
    allocated_episode.opened_on = today - timedelta(days=400)
    allocated_episode.save()
    ModalityFactory(
        episode=allocated_episode, referred_on=today - timedelta(days=300), started_on=today - timedelta(days=290)
    )
    client.force_login(keyworker)
    body = client.get(reverse("recovery_plans:modality-list", args=[allocated_episode.pk])).content.decode()
    assert "On track" in body
    assert "Red: day 21+" in body
    assert "Review overdue" in body
    assert (today - timedelta(days=290) + timedelta(days=182)).strftime("%-d %B %Y") in body


def test_an_assessor_refers_on_the_page(client, allocated_episode, assessor, delivery_team):
    client.force_login(assessor)
    url = reverse("recovery_plans:modality-refer", args=[allocated_episode.pk])
    response = client.post(
        url,
        {
            "intervention": Intervention.objects.get(code="MI").pk,
            "setting": ModalitySetting.objects.get(code="6").pk,
            "provider_team": delivery_team.pk,
            **_date("referred_on", allocated_episode.opened_on),
        },
    )
    assert response.status_code == 302
    modality = Modality.objects.get()
    assert (modality.modality_type.code, modality.provider) == ("95", delivery_team.name)


def test_a_referral_needs_a_provider_and_a_real_date(client, allocated_episode, assessor):
    client.force_login(assessor)
    response = client.post(
        reverse("recovery_plans:modality-refer", args=[allocated_episode.pk]),
        {
            "intervention": Intervention.objects.get(code="MI").pk,
            "setting": ModalitySetting.objects.get(code="6").pk,
            "referred_on_day": "31",
            "referred_on_month": "2",
            "referred_on_year": "2026",
        },
    )
    form = response.context["form"]
    assert form.errors["provider_team"] == ["Choose a provider team or name the provider"]
    assert form.errors["referred_on"] == ["Referral date must be a real date"]
    assert not Modality.objects.exists()


def test_a_referral_before_the_episode_opened_shows_the_message_on_the_date(client, allocated_episode, assessor):
    client.force_login(assessor)
    response = client.post(
        reverse("recovery_plans:modality-refer", args=[allocated_episode.pk]),
        {
            "intervention": Intervention.objects.get(code="MI").pk,
            "setting": ModalitySetting.objects.get(code="6").pk,
            "provider": "Elsewhere",
            **_date("referred_on", allocated_episode.opened_on - timedelta(days=1)),
        },
    )
    assert response.context["form"].errors["referred_on"] == ["The referral date cannot be before the episode opened."]
    assert "There is a problem" in response.content.decode()


def test_a_keyworker_cannot_refer(client, allocated_episode, keyworker):
    client.force_login(keyworker)
    body = client.get(reverse("recovery_plans:modality-list", args=[allocated_episode.pk])).content.decode()
    assert "Refer to a modality" not in body
    assert client.get(reverse("recovery_plans:modality-refer", args=[allocated_episode.pk])).status_code == 403


def test_a_start_before_the_referral_is_shown_on_the_start_date(client, allocated_episode, keyworker):
    modality = waiting(allocated_episode, 3)
    client.force_login(keyworker)
    response = client.post(
        reverse("recovery_plans:modality-start", args=[modality.pk]),
        {"version": modality.version, **_date("started_on", modality.referred_on - timedelta(days=1))},
    )
    assert response.context["form"].errors["started_on"] == ["The start date cannot be before the referral date."]
    modality.refresh_from_db()
    assert modality.started_on is None


def test_a_stale_start_is_refused_with_a_message_and_the_first_kept(client, allocated_episode, keyworker, assessor):
    modality = waiting(allocated_episode, 3)
    url = reverse("recovery_plans:modality-start", args=[modality.pk])
    client.force_login(assessor)
    assert client.post(url, {"version": 1, **_date("started_on", modality.referred_on)}).status_code == 302
    client.force_login(keyworker)
    response = client.post(url, {"version": 1, **_date("started_on", modality.referred_on + timedelta(days=1))})
    assert "Someone else saved this modality" in response.content.decode()
    modality.refresh_from_db()
    assert modality.started_on == modality.referred_on


def test_offer_start_review_and_end_on_the_pages(client, allocated_episode, keyworker):
    modality = waiting(allocated_episode, 10)
    referred = modality.referred_on
    client.force_login(keyworker)
    steps = [
        ("modality-offer", {"version": 1, **_date("first_offered_on", referred + timedelta(days=1))}),
        ("modality-start", {"version": 2, **_date("started_on", referred + timedelta(days=2))}),
        (
            "modality-review",
            {"version": 3, "notes": "Going well", **_date("reviewed_on", referred + timedelta(days=3))},
        ),
        (
            "modality-end",
            {
                "version": 4,
                "exit_status": ModalityExitStatus.objects.get(code="A").pk,
                **_date("ended_on", referred + timedelta(days=4)),
            },
        ),
    ]
    for name, data in steps:
        response = client.post(reverse(f"recovery_plans:{name}", args=[modality.pk]), data)
        assert response.status_code == 302, (name, response.context["form"].errors)
    modality.refresh_from_db()
    assert (modality.first_offered_on, modality.exit_status.code) == (referred + timedelta(days=1), "A")
    assert modality.reviews.get().notes == "Going well"


def test_an_end_without_an_exit_status_asks_for_one(client, allocated_episode, keyworker):
    modality = waiting(allocated_episode, 10, started_on=timezone.localdate() - timedelta(days=5))
    client.force_login(keyworker)
    response = client.post(
        reverse("recovery_plans:modality-end", args=[modality.pk]),
        {"version": modality.version, **_date("ended_on", timezone.localdate())},
    )
    assert response.context["form"].errors["exit_status"] == ["Choose an exit status"]


def test_a_worker_outside_the_caseload_cannot_reach_a_modality_form(client, allocated_episode, other_keyworker):
    modality = waiting(allocated_episode, 3)
    client.force_login(other_keyworker)
    assert client.get(reverse("recovery_plans:modality-start", args=[modality.pk])).status_code == 404


def test_the_episode_page_links_to_the_modalities_with_a_summary(client, allocated_episode, keyworker):
    waiting(allocated_episode, 16)
    ModalityFactory(episode=allocated_episode, started_on=allocated_episode.opened_on)
    ModalityFactory(episode=allocated_episode, started_on=allocated_episode.opened_on)
    client.force_login(keyworker)
    body = client.get(reverse("referrals:episode-detail", args=[allocated_episode.pk])).content.decode()
    assert "Modalities and waiting clocks" in body
    assert "2 running, 1 waiting 16 days (Amber: day 15+)" in body


def test_the_manager_sees_clocks_over_14_days_in_their_teams_oldest_first(client, manager, allocated_episode):
    waiting(allocated_episode, 14)
    amber = waiting(allocated_episode, 15)
    red = waiting(allocated_episode, 30)
    elsewhere = EpisodeFactory(referral__team=TeamFactory(name="ESAP", kind=TeamKind.ESAP))
    waiting(elsewhere, 40)
    client.force_login(manager)
    response = client.get(reverse("recovery_plans:modality-clocks"))
    rows = response.context["rows"]
    assert [row.modality for row in rows] == [red, amber]
    body = response.content.decode()
    assert "Red: day 21+" in body
    assert "Amber: day 15+" in body
    assert "Modality waits" in body  # the menu entry


def test_keyworkers_do_not_get_the_manager_page(client, keyworker):
    client.force_login(keyworker)
    assert client.get(reverse("recovery_plans:modality-clocks")).status_code == 403


def _manager_page_queries(client, manager, arm_team, count, django_assert_max_num_queries):
    for _ in range(count):
        episode = EpisodeFactory(referral__team=arm_team)
        AllocationFactory(episode=episode, team=manager.teams.get(kind=TeamKind.DELIVERY))
        waiting(episode, 20)
    client.force_login(manager)
    with django_assert_max_num_queries(50) as captured:
        assert len(client.get(reverse("recovery_plans:modality-clocks")).context["rows"]) >= count
    return len(captured)


def test_the_manager_page_runs_a_fixed_number_of_queries(client, manager, arm_team, django_assert_max_num_queries):
    with_3 = _manager_page_queries(client, manager, arm_team, 3, django_assert_max_num_queries)
    with_40 = _manager_page_queries(client, manager, arm_team, 37, django_assert_max_num_queries)
    assert with_40 == with_3


def test_the_modalities_page_runs_a_fixed_number_of_queries(
    client, allocated_episode, keyworker, django_assert_max_num_queries
):
    url = reverse("recovery_plans:modality-list", args=[allocated_episode.pk])
    client.force_login(keyworker)
    counts = []
    for _ in range(2):
        for _ in range(10):
            ModalityFactory(episode=allocated_episode, started_on=allocated_episode.opened_on)
        with django_assert_max_num_queries(40) as captured:
            client.get(url)
        counts.append(len(captured))
    assert counts[0] == counts[1]
