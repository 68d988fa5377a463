from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError, StaleEditError
from core.models import DischargeReason
from referrals import discharge_checks
from referrals.models import Allocation, Episode, FollowUp, ReengagementEntry
from referrals.services.episodes import episode_discharge, planned
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)


def _discharge(episode, keyworker, code, on, **kwargs):
    return episode_discharge(
        episode=episode,
        reason=DischargeReason.objects.get(code=code),
        discharged_on=on,
        expected_version=Episode.objects.get(pk=episode.pk).version,
        by=keyworker,
        **kwargs,
    )


def test_successful_discharge_schedules_follow_ups_at_6_and_12_months(allocated_episode, keyworker):
    on = allocated_episode.opened_on + timedelta(days=1)
    episode = _discharge(allocated_episode, keyworker, "80", on)
    assert planned(episode) is True
    due = sorted(FollowUp.objects.filter(episode=episode).values_list("due_on", flat=True))
    assert due[0].month == (on.month + 5) % 12 + 1
    assert due[1] == on.replace(year=on.year + 1)
    assert not Allocation.objects.filter(episode=episode, ended_on__isnull=True).exists()
    assert not ReengagementEntry.objects.exists()


def test_unsuccessful_discharge_puts_the_person_on_the_reengagement_list(allocated_episode, keyworker):
    episode = _discharge(allocated_episode, keyworker, "85", timezone.localdate())
    assert planned(episode) is False
    assert ReengagementEntry.objects.get().person == allocated_episode.person
    assert not FollowUp.objects.exists()


def test_neutral_discharge_schedules_nothing(allocated_episode, keyworker):
    _discharge(allocated_episode, keyworker, "83", timezone.localdate())
    assert not FollowUp.objects.exists()
    assert not ReengagementEntry.objects.exists()


def test_discharge_before_the_episode_opened_is_refused(allocated_episode, keyworker):
    with pytest.raises(DomainError) as error:
        _discharge(allocated_episode, keyworker, "80", allocated_episode.opened_on - timedelta(days=1))
    assert error.value.field == "discharged_on"
    assert Episode.objects.get(pk=allocated_episode.pk).discharged_on is None


def test_discharge_on_the_day_it_opened_is_accepted(allocated_episode, keyworker):
    assert _discharge(allocated_episode, keyworker, "83", allocated_episode.opened_on).discharged_on


def test_discharge_in_the_future_is_refused(allocated_episode, keyworker):
    with pytest.raises(DomainError):
        _discharge(allocated_episode, keyworker, "80", timezone.localdate() + timedelta(days=1))


def test_discharge_is_refused_while_a_registered_app_reports_open_modalities(allocated_episode, keyworker):
    def open_ones(episode):
        return ["Opioid substitution (community)", "Psychosocial"]

    discharge_checks.register(open_ones)
    try:
        with pytest.raises(DomainError) as error:
            _discharge(allocated_episode, keyworker, "80", timezone.localdate())
    finally:
        discharge_checks.CHECKS.remove(open_ones)
    assert "Opioid substitution (community), Psychosocial" in error.value.message
    assert not FollowUp.objects.exists()
    assert Episode.objects.get(pk=allocated_episode.pk).discharged_on is None


def test_discharge_from_a_stale_page_is_refused(allocated_episode, keyworker):
    stale = allocated_episode.version
    Episode.objects.filter(pk=allocated_episode.pk).update(version=stale + 1)
    with pytest.raises(StaleEditError):
        episode_discharge(
            episode=allocated_episode,
            reason=DischargeReason.objects.get(code="80"),
            discharged_on=timezone.localdate(),
            expected_version=stale,
            by=keyworker,
        )
    assert not FollowUp.objects.exists()
