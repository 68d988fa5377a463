import pytest
from django.db import IntegrityError, transaction

from assessment import services
from assessment.factories import AssessmentFactory, CompleteAssessmentFactory
from assessment.models import Assessment, ChildrenLivingWith
from core.choices import Role
from core.errors import DomainError, StaleEditError
from core.models import AuditEvent, Route, Substance
from referrals.choices import TaskKind
from referrals.models import Task

pytestmark = pytest.mark.django_db


def test_starting_twice_returns_the_one_open_assessment(episode, assessor):
    first = services.start_assessment(episode=episode, user=assessor)
    second = services.start_assessment(episode=episode, user=assessor)
    assert first.pk == second.pk
    assert Assessment.objects.filter(episode=episode).count() == 1


def test_a_section_is_saved_on_its_own_and_audited(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    services.save_section(
        assessment=assessment,
        user=assessor,
        section="alcohol",
        data={"alcohol_days": 12, "alcohol_units": 9},
        expected_version=1,
    )
    assessment.refresh_from_db()
    assert (assessment.alcohol_days, assessment.alcohol_units, assessment.version) == (12, 9, 2)
    assert AuditEvent.objects.filter(object_id=str(assessment.pk), details__section="alcohol").exists()


def test_alcohol_days_above_28_are_refused_naming_the_field(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    with pytest.raises(DomainError) as exc:
        services.save_section(
            assessment=assessment, user=assessor, section="alcohol", data={"alcohol_days": 29}, expected_version=1
        )
    assert exc.value.field == "alcohol_days"
    assert "alcohol drinking days" in exc.value.message.lower()
    assessment.refresh_from_db()
    assert assessment.alcohol_days is None
    assert assessment.version == 1


def test_substance_days_above_28_are_refused_and_nothing_is_written(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    heroin = Substance.objects.get(code="1011")
    with pytest.raises(DomainError) as exc:
        services.save_section(
            assessment=assessment,
            user=assessor,
            section="drugs",
            data={},
            expected_version=1,
            substances=[{"substance": heroin, "days_used": 29}],
        )
    assert exc.value.field == "days_used_1"
    assert "days used" in exc.value.message
    assert not assessment.substances.exists()


def test_substances_are_ranked_one_to_three_and_a_fourth_is_refused(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    codes = ["1011", "3201", "5000", "7000"]
    rows = [{"substance": Substance.objects.get(code=c), "route": Route.objects.get(code="3")} for c in codes]
    with pytest.raises(DomainError):
        services.save_section(
            assessment=assessment, user=assessor, section="drugs", data={}, expected_version=1, substances=rows
        )
    services.save_section(
        assessment=assessment, user=assessor, section="drugs", data={}, expected_version=1, substances=rows[:3]
    )
    assert [(s.rank, s.substance.code) for s in assessment.substances.all()] == [(1, "1011"), (2, "3201"), (3, "5000")]


def test_two_assessors_saving_at_once_the_second_is_refused_and_nothing_is_lost(episode, assessor, staff, arm_team):
    other = staff(Role.ASSESSOR, team=arm_team)
    assessment = services.start_assessment(episode=episode, user=assessor)
    # Both opened the form at version 1.
    first = Assessment.objects.get(pk=assessment.pk)
    second = Assessment.objects.get(pk=assessment.pk)
    services.save_section(
        assessment=first, user=assessor, section="alcohol", data={"alcohol_days": 10}, expected_version=1
    )
    with pytest.raises(StaleEditError) as exc:
        services.save_section(
            assessment=second, user=other, section="alcohol", data={"alcohol_days": 3}, expected_version=1
        )
    assert "Someone else saved" in exc.value.message
    assessment.refresh_from_db()
    assert assessment.alcohol_days == 10
    assert assessment.version == 2


def test_completing_lists_every_missing_field_by_name(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    with pytest.raises(DomainError) as exc:
        services.complete_assessment(assessment=assessment, user=assessor, expected_version=1)
    for name in ["DRUG1", "INJSTAT", "ALCDDAYS", "ACCMNEED", "EMPSTAT", "PRNTSTAT", "CHILDWTH", "DUALDIAG"]:
        assert name in exc.value.message
    assessment.refresh_from_db()
    assert assessment.completed_on is None


def test_declined_counts_as_answered_when_completing(episode, assessor):
    assessment = CompleteAssessmentFactory(episode=episode)
    assessment.alcohol_days, assessment.alcohol_days_declined = None, True
    assessment.alcohol_units, assessment.alcohol_units_declined = None, True
    assessment.save()
    services.complete_assessment(assessment=assessment, user=assessor, expected_version=assessment.version)
    assessment.refresh_from_db()
    assert assessment.completed_on is not None
    assert assessment.completed_by == assessor


def test_an_unanswered_route_blocks_completion(episode, assessor):
    assessment = CompleteAssessmentFactory(episode=episode)
    assessment.substances.update(route=None)
    with pytest.raises(DomainError) as exc:
        services.complete_assessment(assessment=assessment, user=assessor, expected_version=assessment.version)
    assert exc.value.message.count("(") == 1
    assert "ROUTE" in exc.value.message


def test_a_completed_assessment_can_no_longer_be_changed(episode, assessor):
    assessment = CompleteAssessmentFactory(episode=episode)
    services.complete_assessment(assessment=assessment, user=assessor, expected_version=1)
    with pytest.raises(DomainError):
        services.save_section(
            assessment=assessment, user=assessor, section="alcohol", data={"alcohol_days": 1}, expected_version=2
        )


def _save_risk(assessment, user, **data):
    services.save_section(
        assessment=assessment, user=user, section="risk", data=data, expected_version=assessment.version
    )


def test_high_domestic_abuse_risk_creates_one_marac_task_for_the_keyworker(episode, assessor, allocation):
    assessment = services.start_assessment(episode=episode, user=assessor)
    _save_risk(assessment, assessor, domestic_abuse_risk="high")
    _save_risk(assessment, assessor, domestic_abuse_risk="high", safeguarding_notes="seen again")
    tasks = Task.objects.filter(kind=TaskKind.MARAC_REFERRAL)
    assert tasks.count() == 1
    task = tasks.get()
    assert task.source_key == f"assessment:{assessment.pk}:marac"
    assert task.assigned_to == allocation.keyworker
    assert task.done_on is None


def test_medium_domestic_abuse_risk_creates_no_marac_task(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    _save_risk(assessment, assessor, domestic_abuse_risk="medium")
    assert not Task.objects.filter(kind=TaskKind.MARAC_REFERRAL).exists()


def test_without_a_keyworker_the_task_goes_to_the_episode_team(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    _save_risk(assessment, assessor, domestic_abuse_risk="high")
    task = Task.objects.get(kind=TaskKind.MARAC_REFERRAL)
    assert task.assigned_to is None
    assert task.team == episode.team


def test_children_in_the_household_create_the_childrens_centre_offer_and_safe_storage_prompt(
    episode, assessor, allocation
):
    assessment = services.start_assessment(episode=episode, user=assessor)
    services.save_section(
        assessment=assessment,
        user=assessor,
        section="family",
        data={"children_count": 2, "children_living_with": ChildrenLivingWith.objects.get(code="11")},
        expected_version=1,
    )
    kinds = set(Task.objects.filter(episode=episode).values_list("kind", flat=True))
    assert kinds == {TaskKind.CHILDRENS_CENTRE_OFFER, TaskKind.SAFE_STORAGE_PROMPT}


def test_children_not_in_the_household_create_no_tasks(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    services.save_section(
        assessment=assessment,
        user=assessor,
        section="family",
        data={"children_count": 2, "children_living_with": ChildrenLivingWith.objects.get(code="14")},
        expected_version=1,
    )
    assert not Task.objects.exists()


def test_pregnancy_creates_the_antenatal_link_task(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    services.save_section(
        assessment=assessment, user=assessor, section="family", data={"pregnant": "yes"}, expected_version=1
    )
    assert Task.objects.get(kind=TaskKind.ANTENATAL_LINK).source_key == f"assessment:{assessment.pk}:antenatal"


def test_a_safeguarding_concern_creates_a_task_for_the_team_manager(episode, assessor, staff, arm_team, allocation):
    manager = staff(Role.TEAM_MANAGER, team=arm_team)
    assessment = services.start_assessment(episode=episode, user=assessor)
    _save_risk(assessment, assessor, safeguarding_concern="yes")
    assert Task.objects.get(kind=TaskKind.SAFEGUARDING).assigned_to == manager


def test_a_referrer_cannot_write_an_assessment(episode, staff):
    with pytest.raises(DomainError):
        services.start_assessment(episode=episode, user=staff(Role.REFERRER))


def test_only_one_open_assessment_per_episode_is_a_constraint(episode, assessor):
    AssessmentFactory(episode=episode)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentFactory(episode=episode)
