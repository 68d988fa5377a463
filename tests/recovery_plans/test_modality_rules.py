"""Modality rules in the service: dates, discharged episodes, exit status, stale edits, roles, clocks."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.choices import Role, TeamKind
from core.errors import DomainError, StaleEditError
from core.factories import TeamFactory
from core.models import DischargeReason, ModalityExitStatus, ModalitySetting
from recovery_plans.clocks import modality_clock, waiting_clock
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Intervention, Modality
from recovery_plans.services import modalities
from referrals.choices import TaskKind
from referrals.factories import EpisodeFactory
from referrals.models import Task

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role)


@pytest.fixture
def episode(arm_team):
    return EpisodeFactory(team=arm_team, referral__team=arm_team)


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


def refer(episode, by, **overrides):
    fields = {
        "episode": episode,
        "intervention": Intervention.objects.get(code="CBT"),
        "setting": ModalitySetting.objects.get(code="6"),
        "referred_on": episode.opened_on,
        "by": by,
        "provider": "Test provider",
    }
    return modalities.refer_modality(**{**fields, **overrides})


def started(episode, by, on=None):
    modality = refer(episode, by)
    return modalities.start_modality(
        modality=modality, started_on=on or episode.opened_on + timedelta(days=2), by=by, expected_version=1
    )


def exit_status(code="A"):
    return ModalityExitStatus.objects.get(code=code)


def test_the_intervention_fixes_the_modality_type(episode, assessor):
    modality = refer(episode, assessor, intervention=Intervention.objects.get(code="IPDETOX"))
    assert modality.modality_type.code == "97"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_an_assessor_refers_to_a_modality(episode, staff, arm_team, role):
    user = staff(role, team=arm_team)
    if role == Role.ASSESSOR:
        assert refer(episode, user).referred_by == user
    else:
        with pytest.raises(PermissionDenied, match="Only an assessor"):
            refer(episode, user)
        assert not Modality.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_care_team_records_the_start_and_others_are_refused(episode, assessor, staff, arm_team, role):
    modality = refer(episode, assessor)
    user = staff(role, team=arm_team)
    allowed = role in (Role.ASSESSOR, Role.KEYWORKER, Role.PRESCRIBER, Role.TEAM_MANAGER)
    if allowed:
        assert modalities.start_modality(
            modality=modality, started_on=episode.opened_on, by=user, expected_version=1
        ).started_on
    else:
        with pytest.raises(PermissionDenied):
            modalities.start_modality(modality=modality, started_on=episode.opened_on, by=user, expected_version=1)
        modality.refresh_from_db()
        assert modality.started_on is None


def test_a_start_before_the_referral_is_refused_on_the_start_field(episode, assessor):
    modality = refer(episode, assessor, referred_on=episode.opened_on + timedelta(days=3))
    with pytest.raises(DomainError, match="before the referral") as exc:
        modalities.start_modality(
            modality=modality, started_on=episode.opened_on + timedelta(days=2), by=assessor, expected_version=1
        )
    assert exc.value.field == "started_on"


def test_an_end_before_the_start_is_refused_on_the_end_field(episode, assessor):
    modality = started(episode, assessor)
    with pytest.raises(DomainError, match="before the start") as exc:
        modalities.end_modality(
            modality=modality,
            ended_on=modality.started_on - timedelta(days=1),
            exit_status=exit_status(),
            by=assessor,
            expected_version=modality.version,
        )
    assert exc.value.field == "ended_on"


def test_an_end_on_the_start_day_with_an_exit_status_is_accepted(episode, assessor):
    modality = started(episode, assessor)
    ended = modalities.end_modality(
        modality=modality,
        ended_on=modality.started_on,
        exit_status=exit_status("C"),
        by=assessor,
        expected_version=modality.version,
    )
    assert (ended.ended_on, ended.exit_status.code) == (modality.started_on, "C")


def test_an_exit_status_without_an_end_date_is_refused_by_the_service_and_the_database(episode, assessor):
    modality = started(episode, assessor)
    with pytest.raises(DomainError, match="end date") as exc:
        modalities.end_modality(
            modality=modality, ended_on=None, exit_status=exit_status(), by=assessor, expected_version=2
        )
    assert exc.value.field == "ended_on"
    with pytest.raises(IntegrityError), transaction.atomic():
        Modality.objects.filter(pk=modality.pk).update(exit_status=exit_status())


def test_an_end_without_an_exit_status_is_refused(episode, assessor):
    modality = started(episode, assessor)
    with pytest.raises(DomainError) as exc:
        modalities.end_modality(
            modality=modality, ended_on=modality.started_on, exit_status=None, by=assessor, expected_version=2
        )
    assert exc.value.field == "exit_status"


def test_a_modality_that_never_started_cannot_end(episode, assessor):
    modality = refer(episode, assessor)
    with pytest.raises(DomainError, match="has not started"):
        modalities.end_modality(
            modality=modality, ended_on=episode.opened_on, exit_status=exit_status(), by=assessor, expected_version=1
        )


def _discharge(episode):
    episode.discharged_on = episode.opened_on + timedelta(days=3)
    episode.discharge_reason = DischargeReason.objects.get(code="80")
    episode.save()


def test_no_referral_and_no_start_on_a_discharged_episode(episode, assessor):
    modality = refer(episode, assessor)
    _discharge(episode)
    with pytest.raises(DomainError, match="discharged") as exc:
        refer(episode, assessor)
    assert exc.value.field == "episode"
    with pytest.raises(DomainError, match="discharged"):
        modalities.start_modality(modality=modality, started_on=episode.opened_on, by=assessor, expected_version=1)


def test_a_referral_before_the_episode_opened_or_in_the_future_is_refused(episode, assessor):
    with pytest.raises(DomainError, match="before the episode opened"):
        refer(episode, assessor, referred_on=episode.opened_on - timedelta(days=1))
    with pytest.raises(DomainError, match="future") as exc:
        refer(episode, assessor, referred_on=timezone.localdate() + timedelta(days=1))
    assert exc.value.field == "referred_on"


def test_a_retired_intervention_cannot_be_referred_to(episode, assessor):
    Intervention.objects.filter(code="CBT").update(active=False)
    with pytest.raises(DomainError, match="no longer offered") as exc:
        refer(episode, assessor)
    assert exc.value.field == "intervention"


def test_the_first_offer_sits_between_the_referral_and_the_start(episode, assessor):
    modality = refer(episode, assessor, referred_on=episode.opened_on + timedelta(days=1))
    with pytest.raises(DomainError, match="before the referral"):
        modalities.record_first_offer(modality=modality, offered_on=episode.opened_on, by=assessor, expected_version=1)
    modality = modalities.record_first_offer(
        modality=modality, offered_on=episode.opened_on + timedelta(days=4), by=assessor, expected_version=1
    )
    with pytest.raises(DomainError, match="before the first appointment offered") as exc:
        modalities.start_modality(
            modality=modality, started_on=episode.opened_on + timedelta(days=3), by=assessor, expected_version=2
        )
    assert exc.value.field == "started_on"


def test_a_stale_edit_is_refused_and_the_first_save_is_kept(episode, assessor, staff, arm_team):
    modality = refer(episode, assessor)
    keyworker = staff(Role.KEYWORKER, team=arm_team)
    modalities.start_modality(modality=modality, started_on=episode.opened_on, by=assessor, expected_version=1)
    with pytest.raises(StaleEditError):
        modalities.start_modality(
            modality=modality, started_on=episode.opened_on + timedelta(days=1), by=keyworker, expected_version=1
        )
    modality.refresh_from_db()
    assert (modality.started_on, modality.version) == (episode.opened_on, 2)


def test_two_people_recording_the_same_review_are_told_rather_than_both_saved(episode, assessor):
    modality = started(episode, assessor)
    on = modality.started_on + timedelta(days=1)
    modalities.review_modality(modality=modality, reviewed_on=on, notes="", by=assessor, expected_version=2)
    with pytest.raises(StaleEditError):
        modalities.review_modality(modality=modality, reviewed_on=on, notes="", by=assessor, expected_version=2)
    assert modality.reviews.count() == 1


def test_a_review_is_dated_within_the_modality(episode, assessor):
    modality = started(episode, assessor)
    with pytest.raises(DomainError, match="on or after the modality started") as exc:
        modalities.review_modality(
            modality=modality, reviewed_on=modality.started_on - timedelta(days=1), notes="", by=assessor
        )
    assert exc.value.field == "reviewed_on"
    modality = modalities.end_modality(
        modality=modality,
        ended_on=modality.started_on + timedelta(days=1),
        exit_status=exit_status(),
        by=assessor,
        expected_version=2,
    )
    with pytest.raises(DomainError, match="after the modality ended"):
        modalities.review_modality(
            modality=modality, reviewed_on=modality.ended_on + timedelta(days=1), notes="", by=assessor
        )


def test_an_ended_modality_keeps_its_dates(episode, assessor):
    modality = started(episode, assessor)
    modality = modalities.end_modality(
        modality=modality, ended_on=modality.started_on, exit_status=exit_status(), by=assessor, expected_version=2
    )
    with pytest.raises(DomainError, match="has ended"):
        modalities.record_first_offer(
            modality=modality, offered_on=modality.referred_on, by=assessor, expected_version=3
        )


def test_referring_to_a_team_lets_its_staff_see_the_person(episode, assessor, staff):
    delivery = TeamFactory(name="Delivery South", kind=TeamKind.DELIVERY)
    refer(episode, assessor, provider_team=delivery, provider="")
    worker = staff(Role.PRESCRIBER, team=delivery)
    assert Modality.objects.visible_to(worker).count() == 1


def test_starting_closes_the_wait_alert_and_a_review_closes_the_review_alert(episode, assessor):
    modality = refer(episode, assessor)
    for key, kind in [
        (modalities.wait_task_key(modality.pk), TaskKind.MODALITY_WAIT),
        (f"{modalities.review_task_prefix(modality.pk)}2026-01-01", TaskKind.MODALITY_REVIEW_DUE),
    ]:
        Task.objects.create(person=episode.person, episode=episode, kind=kind, title="x", source_key=key)
    modality = modalities.start_modality(
        modality=modality, started_on=episode.opened_on, by=assessor, expected_version=1
    )
    assert Task.objects.get(kind=TaskKind.MODALITY_WAIT).done_by == assessor
    assert Task.objects.get(kind=TaskKind.MODALITY_REVIEW_DUE).done_on is None
    modalities.review_modality(modality=modality, reviewed_on=episode.opened_on, notes="", by=assessor)
    assert Task.objects.get(kind=TaskKind.MODALITY_REVIEW_DUE).done_on == timezone.localdate()


@pytest.mark.parametrize(
    ("days", "status", "words"),
    [
        (0, "on_track", "On track"),
        (14, "on_track", "On track"),
        (15, "amber", "Amber: day 15+"),
        (20, "amber", "Amber: day 15+"),
        (21, "red", "Red: day 21+"),
        (42, "red", "Red: day 21+"),
    ],
)
def test_the_waiting_clock_changes_colour_at_day_15_and_day_21_and_says_so_in_words(days, status, words):
    referred = date(2026, 3, 2)
    clock = waiting_clock(referred, referred + timedelta(days=days))
    assert (clock.days, clock.status, clock.tag_text) == (days, status, words)


def test_the_clock_counts_working_days_without_weekends_and_bank_holidays():
    # Thursday 24 December 2026 to Monday 4 January 2027: Christmas, Boxing Day (Monday 28) and New Year off.
    clock = waiting_clock(date(2026, 12, 24), date(2027, 1, 4))
    assert (clock.days, clock.working_days) == (11, 4)


def test_the_clock_stops_once_the_modality_starts():
    modality = ModalityFactory.build(referred_on=date(2026, 1, 1), started_on=date(2026, 1, 20))
    assert modality_clock(modality, date(2026, 2, 1)) is None
    modality.started_on = None
    assert modality_clock(modality, date(2026, 2, 1)).status == "red"
