from datetime import date

import pytest

from core.errors import DomainError
from referrals.models import Carer
from referrals.services.episodes import add_carer, two_years_after
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)


def _add(episode, keyworker, start, end):
    return add_carer(
        person=episode.person,
        name="Sam Carer",
        relationship="Mother",
        support_started_on=start,
        support_planned_end=end,
        by=keyworker,
    )


def test_carer_support_planned_for_exactly_two_years_is_accepted(allocated_episode, keyworker):
    carer = _add(allocated_episode, keyworker, date(2025, 3, 1), date(2027, 3, 1))
    assert carer.pk


def test_carer_planned_end_a_day_over_two_years_is_refused(allocated_episode, keyworker):
    with pytest.raises(DomainError) as error:
        _add(allocated_episode, keyworker, date(2025, 3, 1), date(2027, 3, 2))
    assert error.value.field == "support_planned_end"
    assert "two years" in error.value.message
    assert not Carer.objects.exists()


def test_support_starting_29_february_can_run_to_28_february_two_years_on():
    assert two_years_after(date(2024, 2, 29)) == date(2026, 2, 28)


def test_planned_end_before_start_is_refused(allocated_episode, keyworker):
    with pytest.raises(DomainError):
        _add(allocated_episode, keyworker, date(2025, 3, 1), date(2025, 2, 1))
