"""Plan API: the same scoping, rules and sign-off permissions as the pages."""

import pytest
from django.utils import timezone

from core.choices import Role
from core.models import AuditEvent
from recovery_plans.models import Intervention, PlanReview, PlanVersion, VersionStatus
from recovery_plans.services import plans
from tests.recovery_plans.plan_fixtures import *  # noqa: F403
from tests.recovery_plans.plan_fixtures import GOALS

pytestmark = pytest.mark.django_db


def _body(version, **changes):
    return {"version": version.version, "own_words": "My words", "goals": GOALS, **changes}


def test_a_keyworker_drafts_updates_and_submits_through_the_api(api_client_for, episode, keyworker):
    client = api_client_for(keyworker)
    created = client.post("/api/v1/plan-versions/", {"episode": episode.pk}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["number"], body["status"], body["episode"]) == (1, "draft", episode.pk)
    version = PlanVersion.objects.get(pk=body["id"])
    cbt = Intervention.objects.get(code="CBT")
    updated = client.put(
        f"/api/v1/plan-versions/{version.pk}/",
        _body(version, planned_modalities=[{"intervention": cbt.pk, "notes": "Group"}]),
        format="json",
    )
    assert updated.status_code == 200, updated.json()
    assert [g["text"] for g in updated.json()["goals"]] == ["Find my own flat", "Stop using on weekdays"]
    assert updated.json()["goals"][0]["actions"][0]["who"] == "Me"
    assert updated.json()["planned_modalities"] == [
        {"intervention": cbt.pk, "intervention_label": cbt.label, "notes": "Group"}
    ]
    submitted = client.post(
        f"/api/v1/plan-versions/{version.pk}/submit/", {"version": updated.json()["version"]}, format="json"
    )
    assert submitted.json()["status"] == "submitted"


def test_a_stale_update_is_a_409_and_changes_nothing(api_client_for, draft, keyworker):
    client = api_client_for(keyworker)
    opened_at = draft.version
    assert client.put(f"/api/v1/plan-versions/{draft.pk}/", _body(draft), format="json").status_code == 200
    stale = client.put(
        f"/api/v1/plan-versions/{draft.pk}/", {**_body(draft), "version": opened_at, "own_words": "Late"}, format="json"
    )
    assert stale.status_code == 409
    assert "Your changes have not been saved" in stale.json()["detail"]
    draft.refresh_from_db()
    assert draft.own_words == "My words"


def test_bad_goals_are_a_400_naming_the_field(api_client_for, draft, keyworker):
    body = _body(draft, goals=[{"domain": "housing", "text": "Flat", "actions": [{"what": "Ring", "who": " "}]}])
    response = api_client_for(keyworker).put(f"/api/v1/plan-versions/{draft.pk}/", body, format="json")
    assert response.status_code == 400
    assert "who" in str(response.json())


def test_editing_a_signed_version_through_the_api_is_refused(api_client_for, submitted, assessor, keyworker):
    signed = plans.plan_sign_off(
        version=submitted, expected_version=submitted.version, assessor=assessor, when=timezone.localdate()
    )
    response = api_client_for(keyworker).put(f"/api/v1/plan-versions/{signed.pk}/", _body(signed), format="json")
    assert response.status_code == 400
    assert "not a draft" in response.json()["own_words"][0]


SIGN_OFF_API = [
    ("referrer", 403, None),
    ("assessor_of_the_team", 200, None),
    ("assessor_of_another_team", 403, "this person's team"),
    ("keyworker", 403, "Only an assessor"),
    ("prescriber", 403, "Only an assessor"),
    ("harm_reduction_worker", 403, None),
    ("team_manager", 403, "Only an assessor"),
    ("commissioner", 403, None),
    ("data_admin", 403, "Only an assessor"),
]


@pytest.mark.parametrize(("role_user", "status", "message"), SIGN_OFF_API, indirect=["role_user"])
def test_sign_off_through_the_api_for_every_role(api_client_for, submitted, role_user, status, message):
    client = api_client_for(role_user)
    response = client.post(
        f"/api/v1/plan-versions/{submitted.pk}/sign-off/", {"version": submitted.version}, format="json"
    )
    assert response.status_code == status
    if message:
        assert message in response.json()["detail"]
    returned = client.post(f"/api/v1/plan-versions/{submitted.pk}/return/", {"reason": "No"}, format="json")
    submitted.refresh_from_db()
    if status == 200:
        assert (submitted.status, submitted.signed_by) == (VersionStatus.SIGNED, role_user)
        assert returned.status_code == 400  # a signed version cannot be returned
    else:
        assert returned.status_code == 403
        assert submitted.status == VersionStatus.SUBMITTED


def test_the_author_assessor_cannot_sign_off_or_return_through_the_api(api_client_for, episode, assessor):
    version = plans.start_plan(episode=episode, by=assessor)
    version = plans.update_draft(version=version, own_words="", goals=GOALS, by=assessor, expected_version=1)
    version = plans.submit(version=version, by=assessor, expected_version=version.version)
    client = api_client_for(assessor)
    for path, body in (("sign-off", {}), ("return", {"reason": "x"})):
        response = client.post(f"/api/v1/plan-versions/{version.pk}/{path}/", body, format="json")
        assert response.status_code == 403
        assert "You wrote this version" in response.json()["detail"]


def test_return_needs_a_reason(api_client_for, submitted, assessor):
    response = api_client_for(assessor).post(f"/api/v1/plan-versions/{submitted.pk}/return/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()


@pytest.mark.parametrize(("persona", "expected"), [("owner", 200), ("same_team", 200), ("unrelated", 404)])
def test_reading_plans_by_persona(api_client_for, episode, draft, keyworker, assessor, staff, persona, expected):
    user = {"owner": keyworker, "same_team": assessor}.get(persona) or staff(Role.KEYWORKER)
    client = api_client_for(user)
    assert client.get(f"/api/v1/plan-versions/{draft.pk}/").status_code == expected
    assert client.get(f"/api/v1/recovery-plans/{draft.plan_id}/").status_code == expected
    listed = [row["id"] for row in client.get("/api/v1/plan-versions/").json()["results"]]
    assert (draft.pk in listed) is (expected == 200)
    assert AuditEvent.objects.filter(actor=user, object_type="recovery_plans.PlanVersion").exists()


def test_roles_that_do_not_read_plans_get_403(api_client_for, draft, staff, commissioner):
    for user in (staff(Role.HARM_REDUCTION_WORKER), staff(Role.REFERRER), commissioner):
        assert api_client_for(user).get("/api/v1/plan-versions/").status_code == 403


def test_changes_reports_goals_added_and_removed(api_client_for, submitted, assessor, keyworker):
    plans.plan_sign_off(
        version=submitted, expected_version=submitted.version, assessor=assessor, when=timezone.localdate()
    )
    draft = plans.new_version(plan=submitted.plan, by=keyworker)
    goals = [GOALS[0], {"domain": "finances", "text": "Open a bank account", "actions": []}]
    plans.update_draft(version=draft, own_words="", goals=goals, by=keyworker, expected_version=draft.version)
    body = api_client_for(keyworker).get(f"/api/v1/plan-versions/{draft.pk}/changes/").json()
    assert [(g["kind"], g["text"]) for g in body["goals"]] == [
        ("added", "Open a bank account"),
        ("removed", "Stop using on weekdays"),
    ]
    assert body["own_words_changed"] is True


def test_a_new_draft_through_the_api_copies_the_signed_version(api_client_for, episode, submitted, assessor, keyworker):
    plans.plan_sign_off(
        version=submitted, expected_version=submitted.version, assessor=assessor, when=timezone.localdate()
    )
    response = api_client_for(keyworker).post("/api/v1/plan-versions/", {"episode": episode.pk}, format="json")
    assert response.status_code == 201
    assert (response.json()["number"], response.json()["based_on"]) == (2, submitted.pk)
    assert len(response.json()["goals"]) == 2


def test_reviews_through_the_api(api_client_for, submitted, assessor, keyworker):
    signed = plans.plan_sign_off(
        version=submitted, expected_version=submitted.version, assessor=assessor, when=timezone.localdate()
    )
    goal = signed.goals.first()
    client = api_client_for(keyworker)
    body = {
        "plan": signed.plan_id,
        "reviewed_on": timezone.localdate().isoformat(),
        "progress": [{"goal": goal.pk, "progress": "Viewed a flat"}],
    }
    response = client.post("/api/v1/plan-reviews/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["progress"] == [{"goal": goal.pk, "progress": "Viewed a flat"}]
    other_goal = client.post(
        "/api/v1/plan-reviews/", {**body, "progress": [{"goal": 0, "progress": "x"}]}, format="json"
    )
    assert other_goal.status_code == 400
    assert PlanReview.objects.count() == 1
    assert client.get("/api/v1/plan-reviews/").json()["count"] == 1


def test_the_sign_off_queue_through_the_api(api_client_for, submitted, assessor, keyworker):
    rows = api_client_for(assessor).get("/api/v1/plan-versions/sign-off-queue/").json()
    assert [row["id"] for row in rows] == [submitted.pk]
    assert api_client_for(keyworker).get("/api/v1/plan-versions/sign-off-queue/").status_code == 403
