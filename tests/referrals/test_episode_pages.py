from datetime import date

from django.urls import reverse
from django.utils import timezone

from core.choices import Gender, Role
from core.models import DischargeReason
from referrals.models import Allocation, Carer, Episode, ReengagementEntry
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)


def _date(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def test_keyworker_sees_their_episode(client, allocated_episode, keyworker):
    client.force_login(keyworker)
    response = client.get(reverse("referrals:episode-detail", kwargs={"pk": allocated_episode.pk}))
    assert response.status_code == 200
    assert "Allocation history" in response.content.decode()


def test_manager_of_the_team_sees_the_episode(client, allocated_episode, manager):
    client.force_login(manager)
    assert client.get(reverse("referrals:episode-detail", args=[allocated_episode.pk])).status_code == 200


def test_keyworker_gets_404_on_another_caseloads_episode(client, allocated_episode, other_keyworker):
    client.force_login(other_keyworker)
    assert client.get(reverse("referrals:episode-detail", args=[allocated_episode.pk])).status_code == 404
    assert client.get(reverse("referrals:episode-discharge", args=[allocated_episode.pk])).status_code == 404


def test_board_lists_unallocated_episode_and_keyworker_caseloads(client, episode, manager, keyworker):
    client.force_login(manager)
    body = client.get(reverse("referrals:allocation-board")).content.decode()
    assert str(episode.person) in body
    assert f"0 of {keyworker.caseload_capacity}" in body


def test_allocation_form_lists_preferred_gender_first_and_says_so(
    client, episode, manager, assessor, keyworker, staff, delivery_team
):
    woman = staff(Role.KEYWORKER, team=delivery_team, gender=Gender.FEMALE, last_name="Zed")
    keyworker.gender = Gender.MALE
    keyworker.last_name = "Able"
    keyworker.save()
    episode.person.preferred_worker_gender = Gender.FEMALE
    episode.person.save()
    client.force_login(manager)
    body = client.get(reverse("referrals:episode-allocate", args=[episode.pk])).content.decode()
    assert "prefers a female worker" in body
    assert body.index("Zed") < body.index("Able")
    assert woman.pk


def test_allocating_a_non_keyworker_on_the_page_shows_the_message(
    client, episode, manager, assessor, delivery_team, staff
):
    client.force_login(manager)
    response = client.post(
        reverse("referrals:episode-allocate", args=[episode.pk]),
        {"version": episode.version, "assessor": assessor.pk, "keyworker": assessor.pk, "team": delivery_team.pk},
    )
    assert response.status_code == 200
    assert not Allocation.objects.exists()


def test_allocate_page_allocates(client, episode, manager, assessor, keyworker, delivery_team):
    client.force_login(manager)
    response = client.post(
        reverse("referrals:episode-allocate", args=[episode.pk]),
        {"version": episode.version, "assessor": assessor.pk, "keyworker": keyworker.pk, "team": delivery_team.pk},
    )
    assert response.status_code == 302
    assert Allocation.objects.get().keyworker == keyworker


def test_discharge_page_refuses_date_before_opening_with_message(client, allocated_episode, keyworker):
    client.force_login(keyworker)
    before = allocated_episode.opened_on.replace(day=1) if allocated_episode.opened_on.day > 1 else date(2000, 1, 1)
    response = client.post(
        reverse("referrals:episode-discharge", args=[allocated_episode.pk]),
        {
            "version": allocated_episode.version,
            "reason": DischargeReason.objects.get(code="85").pk,
            **_date("discharged_on", before),
        },
    )
    assert response.status_code == 200
    assert "before the episode opened" in response.content.decode()
    assert Episode.objects.get(pk=allocated_episode.pk).discharged_on is None


def test_unplanned_discharge_on_the_page_adds_to_reengagement_list(client, allocated_episode, keyworker, manager):
    client.force_login(keyworker)
    response = client.post(
        reverse("referrals:episode-discharge", args=[allocated_episode.pk]),
        {
            "version": allocated_episode.version,
            "reason": DischargeReason.objects.get(code="85").pk,
            **_date("discharged_on", timezone.localdate()),
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("referrals:my-caseload")
    assert ReengagementEntry.objects.exists()
    client.force_login(manager)
    assert str(allocated_episode.person) in client.get(reverse("referrals:reengagement-list")).content.decode()


def test_carer_page_refuses_planned_end_over_two_years(client, allocated_episode, keyworker):
    client.force_login(keyworker)
    response = client.post(
        reverse("referrals:carer-new", args=[allocated_episode.pk]),
        {
            "name": "Jo",
            "relationship": "Partner",
            **_date("support_started_on", date(2025, 1, 10)),
            **_date("support_planned_end", date(2027, 1, 11)),
        },
    )
    assert response.status_code == 200
    assert "two years" in response.content.decode()
    assert not Carer.objects.exists()


def test_partner_agency_added_from_the_page(client, allocated_episode, keyworker):
    client.force_login(keyworker)
    response = client.post(
        reverse("referrals:partner-new", args=[allocated_episode.pk]),
        {"agency": "probation", **_date("started_on", timezone.localdate())},
    )
    assert response.status_code == 302
    assert allocated_episode.partner_involvements.count() == 1


def test_the_keyworkers_person_and_episode_pages_run_a_fixed_small_number_of_queries(
    client, allocated_episode, keyworker, django_assert_max_num_queries
):
    """The session read, the user with roles, teams and permissions in one query, the page's own reads and one
    audit row (sealed in the same round trip outside the test's transaction); no session write."""
    client.force_login(keyworker)
    person_page = reverse("referrals:person-detail", args=[allocated_episode.person_id])
    episode_page = reverse("referrals:episode-detail", args=[allocated_episode.pk])
    client.get(person_page)  # the first request renews the session (at most once a minute)
    with django_assert_max_num_queries(15):
        assert client.get(person_page).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(episode_page).status_code == 200
