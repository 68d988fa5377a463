"""Service rules added with the plan pages: what a draft may hold, who writes plans, dates that cannot be."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.choices import Role
from core.errors import DomainError
from core.models import DischargeReason
from recovery_plans.models import Intervention, PlanVersion, VersionStatus
from recovery_plans.services import plans, reviews
from tests.recovery_plans.plan_fixtures import *  # noqa: F403
from tests.recovery_plans.plan_fixtures import GOALS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("goals", "field", "message"),
    [
        ([{"domain": "space", "text": "Fly", "actions": []}], "domain", "Goal 1: choose the life domain"),
        ([{"domain": "housing", "text": "  ", "actions": []}], "text", "Goal 1: say what the goal is"),
        ([{"domain": "housing", "text": "Flat", "actions": [{"what": "", "who": "Me"}]}], "what", "what each action"),
        (
            [{"domain": "housing", "text": "Flat", "actions": [{"what": "Ring", "who": ""}]}],
            "who",
            'who will do "Ring"',
        ),
        (
            [{"domain": "housing", "text": "Flat", "actions": [{"what": "Ring", "who": "Me", "status": "maybe"}]}],
            "status",
            'status of "Ring"',
        ),
    ],
)
def test_a_bad_goal_or_action_is_refused_and_the_draft_is_unchanged(draft, keyworker, goals, field, message):
    with pytest.raises(DomainError, match=message) as exc:
        plans.update_draft(version=draft, own_words="New", goals=goals, by=keyworker, expected_version=draft.version)
    assert exc.value.field == field
    draft.refresh_from_db()
    assert (draft.own_words, draft.goals.count()) == ("I want my kids back", 2)


def test_planned_modalities_are_active_interventions_each_once(draft, keyworker):
    cbt = Intervention.objects.get(code="CBT")
    with pytest.raises(DomainError, match="planned once"):
        plans.update_draft(
            version=draft,
            own_words="",
            goals=GOALS,
            planned_modalities=[{"intervention": cbt}, {"intervention": cbt.pk}],
            by=keyworker,
            expected_version=draft.version,
        )
    cbt.active = False
    cbt.save()
    with pytest.raises(DomainError, match="current list"):
        plans.update_draft(
            version=draft,
            own_words="",
            goals=GOALS,
            planned_modalities=[{"intervention": cbt.pk}],
            by=keyworker,
            expected_version=draft.version,
        )


def test_leaving_planned_modalities_out_keeps_them(draft, keyworker):
    mi = Intervention.objects.get(code="MI")
    draft = plans.update_draft(
        version=draft,
        own_words="",
        goals=GOALS,
        planned_modalities=[{"intervention": mi, "notes": "Weekly"}],
        by=keyworker,
        expected_version=draft.version,
    )
    draft = plans.update_draft(version=draft, own_words="x", goals=GOALS, by=keyworker, expected_version=draft.version)
    assert [(p.intervention_id, p.notes) for p in draft.planned_modalities.all()] == [(mi.pk, "Weekly")]


@pytest.mark.parametrize("role", [Role.REFERRER, Role.PRESCRIBER, Role.HARM_REDUCTION_WORKER, Role.TEAM_MANAGER])
def test_only_keyworkers_and_assessors_write_plans(episode, draft, staff, arm_team, role):
    other = staff(role, team=arm_team)
    with pytest.raises(DomainError, match="Only a keyworker or an assessor"):
        plans.update_draft(version=draft, own_words="x", goals=GOALS, by=other, expected_version=draft.version)
    with pytest.raises(DomainError, match="Only a keyworker or an assessor"):
        plans.submit(version=draft, by=other, expected_version=draft.version)


def test_a_draft_with_no_goal_cannot_be_submitted(episode, keyworker):
    version = plans.start_plan(episode=episode, by=keyworker)
    with pytest.raises(DomainError, match="at least one goal") as exc:
        plans.submit(version=version, by=keyworker, expected_version=version.version)
    assert exc.value.field == "goals"


def test_a_submitted_version_cannot_be_edited(submitted, keyworker):
    with pytest.raises(DomainError, match="not a draft"):
        plans.update_draft(version=submitted, own_words="", goals=[], by=keyworker, expected_version=submitted.version)


def test_sign_off_today_is_allowed_and_tomorrow_is_not(submitted, assessor):
    today = timezone.localdate()
    with pytest.raises(DomainError, match="future") as exc:
        plans.plan_sign_off(
            version=submitted, expected_version=submitted.version, assessor=assessor, when=today + timedelta(days=1)
        )
    assert exc.value.field == "signed_on"
    assert (
        plans.plan_sign_off(version=submitted, expected_version=submitted.version, assessor=assessor, when=today).status
        == VersionStatus.SIGNED
    )


def test_signing_a_second_version_supersedes_the_first(submitted, assessor, keyworker):
    first = plans.plan_sign_off(
        version=submitted, expected_version=submitted.version, assessor=assessor, when=timezone.localdate()
    )
    second = plans.new_version(plan=first.plan, by=keyworker)
    second = plans.submit(version=second, by=keyworker, expected_version=second.version)
    plans.plan_sign_off(version=second, expected_version=second.version, assessor=assessor, when=timezone.localdate())
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED
    assert PlanVersion.objects.get(plan=first.plan, status=VersionStatus.SIGNED).number == 2


def test_a_review_today_is_allowed_and_tomorrow_or_by_a_prescriber_is_not(submitted, assessor, keyworker, staff):
    signed = plans.plan_sign_off(
        version=submitted, expected_version=submitted.version, assessor=assessor, when=timezone.localdate()
    )
    today = timezone.localdate()
    with pytest.raises(DomainError, match="future"):
        reviews.record_review(
            plan=signed.plan, reviewed_on=today + timedelta(days=1), progress={}, summary="", by=keyworker
        )
    with pytest.raises(DomainError, match="Only a keyworker or an assessor"):
        reviews.record_review(plan=signed.plan, reviewed_on=today, progress={}, summary="", by=staff(Role.PRESCRIBER))
    assert reviews.record_review(plan=signed.plan, reviewed_on=today, progress={}, summary="", by=keyworker).pk


def test_no_plan_is_started_on_a_discharged_episode(episode, keyworker):
    episode.discharged_on = timezone.localdate()
    episode.discharge_reason = DischargeReason.objects.get(code="80")
    episode.save()
    with pytest.raises(DomainError, match="discharged"):
        plans.start_plan(episode=episode, by=keyworker)
