"""Modality API: the same scoping, permissions and rules as the pages, with the clock in the output."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.choices import Role
from core.models import ModalityExitStatus, ModalitySetting
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Intervention, Modality
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures: teams, personas, episodes)

pytestmark = pytest.mark.django_db


@pytest.fixture
def modality(allocated_episode):
    return ModalityFactory(
        episode=allocated_episode,
        intervention=Intervention.objects.get(code="CBT"),
        referred_on=timezone.localdate() - timedelta(days=21),
    )


def test_the_list_is_scoped_and_carries_the_clock(client, modality, keyworker, assessor, other_keyworker):
    for user in (keyworker, assessor):
        client.force_login(user)
        rows = client.get("/api/v1/modalities/").json()["results"]
        assert [(r["id"], r["clock_status"], r["clock_label"], r["waiting_days"]) for r in rows] == [
            (modality.pk, "red", "Red: day 21+", 21)
        ]
    client.force_login(other_keyworker)
    assert client.get("/api/v1/modalities/").json()["results"] == []
    assert client.get(f"/api/v1/modalities/{modality.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/modalities/{modality.pk}/start/",
            {"version": 1, "started_on": str(timezone.localdate())},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_roles_without_modality_access_get_403(client, modality, staff, arm_team):
    client.force_login(staff(Role.REFERRER, team=arm_team))
    assert client.get("/api/v1/modalities/").status_code == 403
    assert client.get("/api/v1/modality-reviews/").status_code == 403


def _refer(client, episode, **extra):
    body = {
        "episode": episode.pk,
        "intervention": Intervention.objects.get(code="RESREHAB").pk,
        "setting": ModalitySetting.objects.get(code="8").pk,
        "referred_on": str(episode.opened_on),
        "provider": "Bridge House",
        **extra,
    }
    return client.post("/api/v1/modalities/", body, content_type="application/json")


def test_an_assessor_refers_and_a_keyworker_cannot(client, allocated_episode, assessor, keyworker):
    client.force_login(keyworker)
    assert _refer(client, allocated_episode).status_code == 403
    client.force_login(assessor)
    response = _refer(client, allocated_episode)
    assert response.status_code == 201
    assert (response.json()["modality_type_code"], response.json()["clock_status"]) == ("98", "red")
    assert _refer(client, allocated_episode, provider="").json() == {
        "provider_team": ["Choose a provider team or name the provider."]
    }


def test_rules_answer_400_on_the_field_and_a_stale_edit_409(client, modality, keyworker):
    client.force_login(keyworker)
    url = f"/api/v1/modalities/{modality.pk}/start/"
    early = {"version": 1, "started_on": str(modality.referred_on - timedelta(days=1))}
    response = client.post(url, early, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"started_on": ["The start date cannot be before the referral date."]}
    ok = client.post(url, {"version": 1, "started_on": str(modality.referred_on)}, content_type="application/json")
    assert ok.status_code == 200
    assert (ok.json()["waited_days"], ok.json()["clock_status"]) == (0, None)
    stale = client.post(url, {"version": 1, "started_on": str(modality.referred_on)}, content_type="application/json")
    assert stale.status_code == 409


def test_review_and_end_through_the_api(client, modality, keyworker):
    client.force_login(keyworker)
    base = f"/api/v1/modalities/{modality.pk}"
    day = modality.referred_on
    client.post(f"{base}/start/", {"version": 1, "started_on": str(day)}, content_type="application/json")
    review = client.post(
        f"{base}/review/", {"version": 2, "reviewed_on": str(day), "notes": "ok"}, content_type="application/json"
    )
    assert review.status_code == 201
    listed = client.get(f"/api/v1/modality-reviews/?modality={modality.pk}").json()["results"]
    assert [r["id"] for r in listed] == [review.json()["id"]]
    assert client.get(f"{base}/").json()["next_review_due"] == str(day + timedelta(days=182))
    no_end = client.post(
        f"{base}/end/",
        {"version": 3, "ended_on": None, "exit_status": ModalityExitStatus.objects.get(code="B").pk},
        content_type="application/json",
    )
    assert no_end.status_code == 400
    assert "ended_on" in no_end.json()
    ended = client.post(
        f"{base}/end/",
        {"version": 3, "ended_on": str(day), "exit_status": ModalityExitStatus.objects.get(code="B").pk},
        content_type="application/json",
    )
    assert (ended.status_code, ended.json()["exit_status_code"]) == (200, "B")
    assert Modality.objects.get().ended_on == day
