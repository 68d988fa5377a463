from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEvent, DischargeReason
from referrals.choices import TaskKind
from referrals.models import Allocation, Carer, FollowUp, Task
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_keyworker_lists_and_retrieves_their_episode(allocated_episode, keyworker):
    client = _api(keyworker)
    assert client.get("/api/v1/episodes/").status_code == 200
    assert client.get(f"/api/v1/episodes/{allocated_episode.pk}/").status_code == 200
    assert AuditEvent.objects.exists()


def test_manager_of_the_team_retrieves_the_episode(allocated_episode, manager):
    assert _api(manager).get(f"/api/v1/episodes/{allocated_episode.pk}/").status_code == 200


def test_keyworker_gets_404_on_another_caseloads_episode(allocated_episode, other_keyworker):
    client = _api(other_keyworker)
    assert client.get(f"/api/v1/episodes/{allocated_episode.pk}/").status_code == 404
    response = client.post(
        f"/api/v1/episodes/{allocated_episode.pk}/discharge/",
        {"reason": DischargeReason.objects.get(code="80").pk, "discharged_on": str(timezone.localdate()), "version": 1},
    )
    assert response.status_code == 404


def test_allocation_to_a_non_keyworker_is_400_naming_the_field(episode, manager, assessor, delivery_team):
    response = _api(manager).post(
        "/api/v1/allocations/",
        {
            "episode": episode.pk,
            "assessor": assessor.pk,
            "keyworker": assessor.pk,
            "team": delivery_team.pk,
            "version": episode.version,
        },
    )
    assert response.status_code == 400
    assert "keyworker" in response.json()
    assert not Allocation.objects.exists()


def test_stale_allocation_is_409(episode, manager, assessor, keyworker, delivery_team):
    body = {
        "episode": episode.pk,
        "assessor": assessor.pk,
        "keyworker": keyworker.pk,
        "team": delivery_team.pk,
        "version": episode.version,
    }
    client = _api(manager)
    assert client.post("/api/v1/allocations/", body).status_code == 201
    assert client.post("/api/v1/allocations/", body).status_code == 409


def test_keyworker_cannot_allocate(episode, keyworker, assessor, delivery_team):
    body = {"episode": episode.pk, "assessor": assessor.pk, "keyworker": keyworker.pk, "team": delivery_team.pk}
    assert _api(keyworker).post("/api/v1/allocations/", {**body, "version": 1}).status_code == 403


def test_successful_discharge_by_api_schedules_follow_ups(allocated_episode, keyworker):
    response = _api(keyworker).post(
        f"/api/v1/episodes/{allocated_episode.pk}/discharge/",
        {
            "reason": DischargeReason.objects.get(code="80").pk,
            "discharged_on": str(timezone.localdate()),
            "version": allocated_episode.version,
        },
    )
    assert response.status_code == 200
    assert FollowUp.objects.filter(episode=allocated_episode).count() == 2


def test_carer_over_two_years_is_400(allocated_episode, keyworker):
    response = _api(keyworker).post(
        "/api/v1/carers/",
        {
            "episode": allocated_episode.pk,
            "name": "Jo",
            "relationship": "Sister",
            "support_started_on": "2025-01-01",
            "support_planned_end": "2027-01-02",
        },
    )
    assert response.status_code == 400
    assert "support_planned_end" in response.json()
    assert not Carer.objects.exists()


def test_orders_breaches_and_arrest_referrals_by_api(allocated_episode, keyworker):
    client = _api(keyworker)
    order = client.post(
        "/api/v1/community-orders/",
        {
            "episode": allocated_episode.pk,
            "kind": "DRR",
            "order_date": str(allocated_episode.opened_on),
            "requirement_months": 6,
        },
    )
    assert order.status_code == 201
    breach = client.post(
        "/api/v1/breach-reports/", {"order": order.json()["id"], "missed_appointment_on": str(timezone.localdate())}
    )
    assert breach.status_code == 201
    arrest = client.post(
        "/api/v1/arrest-referrals/",
        {"episode": allocated_episode.pk, "tested_at": timezone.now().isoformat(), "trigger_offence": "Theft"},
    )
    assert arrest.status_code == 201
    assert client.get("/api/v1/breach-reports/").json()
    assert (
        client.post(
            "/api/v1/partner-involvements/",
            {"episode": allocated_episode.pk, "agency": "housing", "started_on": str(timezone.localdate())},
        ).status_code
        == 201
    )


def test_my_tasks_and_mark_done(allocated_episode, keyworker, other_keyworker):
    task = Task.objects.create(
        person=allocated_episode.person,
        episode=allocated_episode,
        kind=TaskKind.OTHER,
        title="Call",
        assigned_to=keyworker,
        source_key="t:1",
    )
    assert _api(other_keyworker).post(f"/api/v1/tasks/{task.pk}/done/").status_code == 404
    client = _api(keyworker)
    assert [t["id"] for t in client.get("/api/v1/tasks/").json()["results"]] == [task.pk]
    assert client.post(f"/api/v1/tasks/{task.pk}/done/").status_code == 200
    assert client.get("/api/v1/tasks/").json()["results"] == []


def test_schema_describes_the_episode_api(data_admin):
    assert "/api/v1/allocations/" in _api(data_admin).get("/api/v1/schema/").content.decode()
