"""Hepatitis B and every positive result reach someone (issue 11, item 8; SPEC 10.2): hepatitis B and C go to
hepatology, HIV to the HIV clinic, with consent; the task's owner is the keyworker, else the team's manager, else
the harm reduction team, and it is on that owner's work list whether or not the person has an open episode."""

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import Role
from core.errors import DomainError
from core.models import DischargeReason
from harm_reduction import services
from harm_reduction.choices import BbvResult, BbvTestKind
from harm_reduction.models import BbvTest
from referrals.choices import ReferralStatus, TaskKind
from referrals.factories import EpisodeFactory, ReferralFactory
from referrals.models import Task, TeamInvolvement

pytestmark = pytest.mark.django_db


def positive(worker, person, kind, today):
    test = services.record_bbv_offer(actor=worker, person=person, kind=kind, offered_on=today, accepted=True)
    return services.record_bbv_result(
        actor=worker, test=test, tested_on=today, result=BbvResult.POSITIVE, result_on=today
    )


def involve(person, team, today):
    TeamInvolvement.objects.get_or_create(person=person, team=team, defaults={"since": today, "reason": "BBV"})


def work_list(client, user):
    client.force_login(user)
    return client.get(reverse("referrals:my-tasks"))


def api_work_list(user):
    api = APIClient()
    api.force_authenticate(user)
    return [row["id"] for row in api.get("/api/v1/tasks/").json()["results"]]


@pytest.fixture
def discharged_person(arm_team, hr_team, today):
    """Treated once, discharged, now seen by harm reduction only: no open episode, no keyworker."""
    episode = EpisodeFactory(
        referral__team=arm_team,
        referral__received_on=today - timedelta(days=200),
        discharged_on=today - timedelta(days=30),
        discharge_reason=DischargeReason.objects.get(code="80"),
    )
    involve(episode.person, hr_team, today)
    return episode.person


def test_the_hepatitis_b_test_kind_exists():
    assert BbvTestKind("hepb_surface_antigen").label == "Hepatitis B surface antigen (HBsAg)"


@pytest.mark.parametrize(
    ("kind", "task_kind", "title"),
    [
        (BbvTestKind.HEP_B_SURFACE_ANTIGEN, TaskKind.HEPATOLOGY_REFERRAL, "Hepatology referral"),
        (BbvTestKind.HEP_C_ANTIBODY, TaskKind.HEPATOLOGY_REFERRAL, "Hepatology referral"),
        (BbvTestKind.HIV, TaskKind.HIV_REFERRAL, "HIV clinic referral"),
    ],
)
def test_each_positive_result_goes_to_its_service_owned_by_the_keyworker(
    worker, hr_episode, keyworker, allocation, today, kind, task_kind, title
):
    task = services.refer_positive_result(
        actor=worker, test=positive(worker, hr_episode.person, kind, today), consent=True
    )
    assert (task.kind, task.assigned_to, task.team, task.episode) == (task_kind, keyworker, allocation.team, hr_episode)
    assert task.title.startswith(f"{title}: positive")


def test_other_screening_is_not_referred_here(worker, hr_episode, today):
    with pytest.raises(DomainError) as error:
        services.refer_positive_result(
            actor=worker, test=positive(worker, hr_episode.person, BbvTestKind.OTHER, today), consent=True
        )
    assert error.value.field == "kind"
    assert not Task.objects.exists()


def test_with_no_keyworker_the_manager_of_the_episodes_team_owns_it(worker, staff, arm_team, hr_team, today):
    episode = EpisodeFactory(referral__team=arm_team)
    involve(episode.person, hr_team, today)
    manager = staff(Role.TEAM_MANAGER, team=arm_team)
    staff(Role.ASSESSOR, team=arm_team)
    task = services.refer_positive_result(
        actor=worker, test=positive(worker, episode.person, BbvTestKind.HEP_B_SURFACE_ANTIGEN, today), consent=True
    )
    assert (task.assigned_to, task.team) == (manager, arm_team)


def test_with_no_open_episode_the_manager_of_the_last_referrals_team_owns_it_and_sees_it(
    client, worker, staff, arm_team, discharged_person, today
):
    manager = staff(Role.TEAM_MANAGER, team=arm_team)
    task = services.refer_positive_result(
        actor=worker, test=positive(worker, discharged_person, BbvTestKind.HEP_C_PCR, today), consent=True
    )
    assert (task.assigned_to, task.episode) == (manager, None)
    assert list(work_list(client, manager).context["page"].object_list) == [task]
    assert api_work_list(manager) == [task.pk]


def test_with_no_keyworker_or_manager_the_harm_reduction_team_owns_it_on_every_members_list(
    client, worker, staff, hr_team, discharged_person, today
):
    colleague = staff(Role.HARM_REDUCTION_WORKER, team=hr_team)
    task = services.refer_positive_result(
        actor=worker, test=positive(worker, discharged_person, BbvTestKind.HEP_B_SURFACE_ANTIGEN, today), consent=True
    )
    assert (task.assigned_to, task.team) == (None, hr_team)
    page = work_list(client, colleague)
    assert list(page.context["page"].object_list) == [task]
    assert "Hepatology referral: positive Hepatitis B surface antigen (HBsAg) test" in page.content.decode()
    assert api_work_list(colleague) == [task.pk]
    response = client.post(reverse("referrals:task-done", args=[task.pk]), {"return_to": "tasks"})
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:my-tasks")
    task.refresh_from_db()
    assert task.done_by == colleague
    assert not work_list(client, colleague).context["page"].object_list


def test_an_unowned_person_gets_the_harm_reduction_team_involved_so_its_workers_reach_them(
    worker, hr_team, staff, today
):
    person = ReferralFactory(status=ReferralStatus.SIGNPOSTED_TIER_1_2).person
    involve(person, hr_team, today)
    TeamInvolvement.objects.filter(person=person, team=hr_team).delete()
    # Recorded by a data admin, who sees everyone; the team's workers must still reach the person.
    admin = staff(Role.DATA_ADMIN)
    test = positive(admin, person, BbvTestKind.HIV, today)
    task = services.refer_positive_result(actor=admin, test=test, consent=True)
    assert task.team == hr_team
    assert TeamInvolvement.objects.filter(person=person, team=hr_team).exists()
    assert Task.objects.visible_to(worker).filter(pk=task.pk).exists()


def test_with_no_owner_at_all_the_referral_is_refused_with_a_message(worker, hr_team, discharged_person, today):
    test = positive(worker, discharged_person, BbvTestKind.HEP_C_ANTIBODY, today)
    hr_team.active = False
    hr_team.save()
    with pytest.raises(DomainError) as error:
        services.refer_positive_result(actor=worker, test=test, consent=True)
    assert error.value.field == "referral_consent"
    assert "no active harm reduction team" in error.value.message
    assert BbvTest.objects.get(pk=test.pk).referral_task is None


def test_the_keyworkers_task_stays_on_their_work_list_after_discharge(
    client, worker, hr_episode, keyworker, allocation, today
):
    task = services.refer_positive_result(
        actor=worker, test=positive(worker, hr_episode.person, BbvTestKind.HEP_B_SURFACE_ANTIGEN, today), consent=True
    )
    allocation.ended_on = today
    allocation.save()
    hr_episode.discharged_on = today
    hr_episode.discharge_reason = DischargeReason.objects.get(code="80")
    hr_episode.save()
    response = work_list(client, keyworker)
    assert list(response.context["page"].object_list) == [task]
    assert client.get(reverse("referrals:person-detail", args=[hr_episode.person_id])).status_code == 200
    assert api_work_list(keyworker) == [task.pk]


def test_the_api_refers_a_positive_hepatitis_b_result_to_the_keyworker(worker, hr_episode, keyworker, today):
    api = APIClient()
    api.force_authenticate(worker)
    created = api.post(
        "/api/v1/bbv-tests/",
        {"person": hr_episode.person.pk, "kind": "hepb_surface_antigen", "offered_on": str(today), "accepted": True},
        format="json",
    )
    assert created.status_code == 201
    url = f"/api/v1/bbv-tests/{created.json()['id']}/"
    result = {"tested_on": str(today), "result": "positive", "result_on": str(today)}
    assert api.post(f"{url}result/", result, format="json").status_code == 200
    refused = api.post(f"{url}refer/", {"referral_consent": False}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"referral_consent": ["Record the person's consent to the referral before referring."]}
    assert api.post(f"{url}refer/", {"referral_consent": True}, format="json").status_code == 200
    task = Task.objects.get()
    assert (task.kind, task.assigned_to) == (TaskKind.HEPATOLOGY_REFERRAL, keyworker)
    assert api_work_list(keyworker) == [task.pk]


def test_the_person_page_names_the_referrals_owner(client, worker, hr_episode, keyworker, today, parts):
    test = positive(worker, hr_episode.person, BbvTestKind.HEP_B_SURFACE_ANTIGEN, today)
    client.force_login(worker)
    refer = reverse("harm_reduction:bbv-test-refer", args=[test.pk])
    assert "Refer a positive result to hepatology" in client.get(refer).content.decode()
    assert client.post(refer, {"version": test.version, "referral_consent": "on"}).status_code == 302
    page = client.get(reverse("harm_reduction:person-bbv", args=[hr_episode.person_id])).content.decode()
    assert f"a task for {keyworker}" in page


@pytest.mark.parametrize("count", [2, 60])
def test_the_work_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, staff, hr_team, worker, count, today
):
    for _ in range(count):
        episode = EpisodeFactory()
        Task.objects.create(
            person=episode.person,
            episode=episode,
            kind=TaskKind.OTHER,
            title="Call back",
            team=hr_team,
            due_on=today,
            source_key=f"test-{episode.pk}",
        )
        involve(episode.person, hr_team, today)
    client.force_login(worker)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("referrals:my-tasks"))
    assert len(response.context["page"].object_list) == min(count, 50)


def test_referrers_and_commissioners_have_no_work_list(client, staff):
    for role in (Role.REFERRER, Role.COMMISSIONER):
        client.force_login(staff(role))
        assert client.get(reverse("referrals:my-tasks")).status_code == 403
