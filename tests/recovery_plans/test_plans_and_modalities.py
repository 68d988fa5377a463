from datetime import date, timedelta

import pytest

from core.choices import Role, TeamKind
from core.errors import DomainError, StaleEditError
from core.factories import TeamFactory
from core.models import DischargeReason, ModalityExitStatus, ModalitySetting
from recovery_plans.clocks import waiting_clock
from recovery_plans.models import Intervention, PlanVersion, VersionStatus
from recovery_plans.services import modalities, plans
from referrals import discharge_checks
from referrals.factories import EpisodeFactory
from referrals.models import TeamInvolvement

GOALS = [{"domain": "housing", "text": "Find my own flat", "actions": [{"what": "Call the council", "who": "Me"}]}]


@pytest.fixture
def episode(arm_team):
    return EpisodeFactory(team=arm_team, referral__team=arm_team)


@pytest.fixture
def submitted(episode, staff, arm_team):
    author = staff(Role.KEYWORKER, team=arm_team)
    version = plans.start_plan(episode=episode, by=author)
    version = plans.update_draft(
        version=version, own_words="I want my kids back", goals=GOALS, by=author, expected_version=version.version
    )
    return plans.submit(version=version, by=author, expected_version=version.version)


@pytest.mark.django_db
def test_an_assessor_of_the_persons_team_who_did_not_write_it_signs_the_plan_off(submitted, staff, arm_team):
    assessor = staff(Role.ASSESSOR, team=arm_team)
    signed = plans.plan_sign_off(
        version=submitted, expected_version=submitted.version, assessor=assessor, when=date(2026, 1, 5)
    )
    assert signed.status == VersionStatus.SIGNED
    assert signed.signed_by == assessor


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        Role.REFERRER,
        Role.KEYWORKER,
        Role.PRESCRIBER,
        Role.HARM_REDUCTION_WORKER,
        Role.TEAM_MANAGER,
        Role.COMMISSIONER,
        Role.DATA_ADMIN,
    ],
)
def test_only_assessors_sign_off_plans(submitted, staff, arm_team, role):
    with pytest.raises(DomainError, match="Only an assessor"):
        plans.plan_sign_off(
            version=submitted,
            expected_version=submitted.version,
            assessor=staff(role, team=arm_team),
            when=date(2026, 1, 5),
        )
    submitted.refresh_from_db()
    assert submitted.status == VersionStatus.SUBMITTED


@pytest.mark.django_db
def test_an_assessor_of_another_team_cannot_sign_off(submitted, staff):
    other = staff(Role.ASSESSOR, team=TeamFactory(name="ESAP", kind=TeamKind.ESAP))
    with pytest.raises(DomainError, match="this person's team"):
        plans.plan_sign_off(
            version=submitted, expected_version=submitted.version, assessor=other, when=date(2026, 1, 5)
        )


@pytest.mark.django_db
def test_the_assessor_who_wrote_the_plan_cannot_sign_it_off(episode, staff, arm_team):
    author = staff(Role.ASSESSOR, team=arm_team)
    version = plans.start_plan(episode=episode, by=author)
    version = plans.update_draft(version=version, own_words="", goals=GOALS, by=author, expected_version=1)
    version = plans.submit(version=version, by=author, expected_version=version.version)
    with pytest.raises(DomainError, match="You wrote this version"):
        plans.plan_sign_off(version=version, expected_version=version.version, assessor=author, when=date(2026, 1, 5))
    with pytest.raises(DomainError, match="You wrote this version"):
        plans.return_plan(version=version, assessor=author, reason="no")


@pytest.mark.django_db
def test_a_returned_plan_goes_back_to_draft_with_the_reason(submitted, staff, arm_team):
    returned = plans.return_plan(version=submitted, assessor=staff(Role.ASSESSOR, team=arm_team), reason="Add dates")
    assert returned.status == VersionStatus.DRAFT
    assert returned.returned_reason == "Add dates"


@pytest.mark.django_db
def test_a_signed_version_is_read_only_and_a_change_makes_a_new_version(submitted, staff, arm_team):
    assessor = staff(Role.ASSESSOR, team=arm_team)
    signed = plans.plan_sign_off(
        version=submitted, expected_version=submitted.version, assessor=assessor, when=date(2026, 1, 5)
    )
    with pytest.raises(DomainError, match="not a draft"):
        plans.update_draft(version=signed, own_words="x", goals=[], by=assessor, expected_version=signed.version)
    draft = plans.new_version(plan=signed.plan, by=submitted.author)
    assert draft.number == 2
    assert [g.text for g in draft.goals.all()] == ["Find my own flat"]
    draft = plans.submit(version=draft, by=submitted.author, expected_version=draft.version)
    plans.plan_sign_off(version=draft, expected_version=draft.version, assessor=assessor, when=date(2026, 2, 5))
    statuses = dict(PlanVersion.objects.filter(plan=signed.plan).values_list("number", "status"))
    assert statuses == {1: VersionStatus.SUPERSEDED, 2: VersionStatus.SIGNED}


@pytest.mark.django_db
def test_a_stale_edit_of_a_draft_is_refused_and_nothing_is_lost(episode, staff, arm_team):
    first, second = staff(Role.KEYWORKER, team=arm_team), staff(Role.KEYWORKER, team=arm_team)
    version = plans.start_plan(episode=episode, by=first)
    plans.update_draft(version=version, own_words="First", goals=GOALS, by=first, expected_version=1)
    with pytest.raises(StaleEditError):
        plans.update_draft(version=version, own_words="Second", goals=[], by=second, expected_version=1)
    version.refresh_from_db()
    assert version.own_words == "First"
    assert version.goals.count() == 1


def _refer(episode, user, team=None, on=None):
    return modalities.refer_modality(
        episode=episode,
        intervention=Intervention.objects.get(code="PRESC"),
        setting=ModalitySetting.objects.get(code="6"),
        referred_on=on or episode.opened_on,
        by=user,
        provider_team=team,
    )


@pytest.mark.django_db
def test_referring_to_a_provider_team_lets_that_team_see_the_person(episode, staff, arm_team):
    prescribing = TeamFactory(name="Prescribing", kind=TeamKind.PRESCRIBING)
    modality = _refer(episode, staff(Role.ASSESSOR, team=arm_team), prescribing)
    assert modality.modality_type.code == "94"
    assert TeamInvolvement.objects.filter(person=episode.person, team=prescribing).exists()


@pytest.mark.django_db
def test_modality_dates_start_after_referral_and_end_after_start(episode, staff, arm_team):
    user = staff(Role.ASSESSOR, team=arm_team)
    modality = _refer(episode, user)
    with pytest.raises(DomainError, match="before the referral") as exc:
        modalities.start_modality(
            modality=modality, started_on=modality.referred_on - timedelta(days=1), by=user, expected_version=1
        )
    assert exc.value.field == "started_on"
    modality = modalities.start_modality(
        modality=modality, started_on=modality.referred_on, by=user, expected_version=1
    )
    exit_status = ModalityExitStatus.objects.get(code="A")
    with pytest.raises(DomainError, match="before the start"):
        modalities.end_modality(
            modality=modality,
            ended_on=modality.started_on - timedelta(days=1),
            exit_status=exit_status,
            by=user,
            expected_version=modality.version,
        )
    modality.refresh_from_db()
    assert modality.ended_on is None


@pytest.mark.django_db
def test_no_modality_on_a_discharged_episode(episode, staff, arm_team):
    episode.discharged_on = episode.opened_on + timedelta(days=3)
    episode.discharge_reason = DischargeReason.objects.first()
    episode.save()
    with pytest.raises(DomainError, match="discharged"):
        _refer(episode, staff(Role.ASSESSOR, team=arm_team))


@pytest.mark.django_db
def test_discharge_check_names_open_modalities(episode, staff, arm_team):
    user = staff(Role.ASSESSOR, team=arm_team)
    modality = _refer(episode, user)
    assert discharge_checks.open_modalities(episode) == ["Prescribing"]
    modality = modalities.start_modality(
        modality=modality, started_on=modality.referred_on, by=user, expected_version=1
    )
    modalities.end_modality(
        modality=modality,
        ended_on=modality.started_on,
        by=user,
        exit_status=ModalityExitStatus.objects.get(code="A"),
        expected_version=modality.version,
    )
    assert discharge_checks.open_modalities(episode) == []


@pytest.mark.parametrize(
    ("days", "label"), [(0, "On track"), (14, "On track"), (15, "Amber"), (20, "Amber"), (21, "Red")]
)
def test_waiting_clock_is_labelled_in_words(days, label):
    referred = date(2026, 3, 2)
    clock = waiting_clock(referred, referred + timedelta(days=days))
    assert (clock.days, clock.label) == (days, label)


def test_sub_intervention_review_is_due_six_months_after_start_or_latest_review():
    class Running:
        started_on, ended_on = date(2026, 1, 1), None

    assert modalities.sub_intervention_review_due(Running, None) == date(2026, 7, 2)
    assert modalities.sub_intervention_review_due(Running, date(2026, 3, 1)) == date(2026, 8, 30)
