"""Issue 11 item 11 (the referrals part): a death closes what would chase the person; the arrest referral
window is elapsed hours across clock changes; a carer's support is two years in all; a discharge before
the last allocation began is a message, never a database error. Each through the service and the API."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import DomainError
from core.models import DischargeReason
from referrals.choices import FollowUpKind, TaskKind
from referrals.factories import AllocationFactory, EpisodeFactory
from referrals.models import Allocation, ArrestReferral, Carer, Episode, FollowUp, ReengagementEntry, Task
from referrals.services import criminal_justice as cj
from referrals.services.episodes import add_carer, carer_support_end, episode_discharge
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)

LONDON = ZoneInfo("Europe/London")


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _discharge(episode, by, code, on):
    return episode_discharge(
        episode=episode,
        reason=DischargeReason.objects.get(code=code),
        discharged_on=on,
        expected_version=Episode.objects.get(pk=episode.pk).version,
        by=by,
    )


# A client who died (discharge reason 89)


@pytest.fixture
def earlier_exits(allocated_episode, keyworker, arm_team):
    """An earlier planned exit with its follow-up due, and an earlier unplanned one on the list."""
    person = allocated_episode.person
    planned = EpisodeFactory(
        referral__person=person,
        referral__team=arm_team,
        opened_on=date(2024, 6, 1),
        discharged_on=date(2025, 1, 10),
        discharge_reason=DischargeReason.objects.get(code="80"),
    )
    follow_up = FollowUp.objects.create(episode=planned, kind=FollowUpKind.TWELVE_MONTHS, due_on=date(2026, 1, 10))
    unplanned = EpisodeFactory(
        referral__person=person,
        referral__team=arm_team,
        opened_on=date(2025, 2, 1),
        discharged_on=date(2025, 6, 1),
        discharge_reason=DischargeReason.objects.get(code="85"),
    )
    entry = ReengagementEntry.objects.create(person=person, episode=unplanned, added_on=date(2025, 6, 1))
    task = Task.objects.create(
        person=person, episode=allocated_episode, kind=TaskKind.OTHER, title="Call back", source_key="died-1"
    )
    return follow_up, entry, task


def test_a_client_who_died_is_not_put_on_the_reengagement_list(allocated_episode, keyworker, earlier_exits):
    _discharge(allocated_episode, keyworker, "89", timezone.localdate())
    assert not ReengagementEntry.objects.filter(episode=allocated_episode).exists()


def test_a_death_closes_open_tasks_follow_ups_and_reengagement_with_the_reason(
    allocated_episode, keyworker, earlier_exits
):
    follow_up, entry, task = earlier_exits
    today = timezone.localdate()
    _discharge(allocated_episode, keyworker, "89", today)
    for record in (follow_up, entry, task):
        record.refresh_from_db()
    assert (task.done_on, task.done_by) == (today, keyworker)
    assert "the client died (89" in task.closed_reason
    assert follow_up.done_on == today
    assert "the client died" in follow_up.outcome
    assert entry.closed_on == today
    assert "the client died" in entry.outcome


def test_another_unsuccessful_reason_still_goes_on_the_list_and_closes_nothing(
    allocated_episode, keyworker, earlier_exits
):
    _discharge(allocated_episode, keyworker, "85", timezone.localdate())
    assert ReengagementEntry.objects.filter(episode=allocated_episode).exists()
    assert Task.objects.get(source_key="died-1").done_on is None


def test_a_death_by_api_closes_the_same(allocated_episode, keyworker, earlier_exits):
    response = _api(keyworker).post(
        f"/api/v1/episodes/{allocated_episode.pk}/discharge/",
        {
            "reason": DischargeReason.objects.get(code="89").pk,
            "discharged_on": str(timezone.localdate()),
            "version": allocated_episode.version,
        },
    )
    assert response.status_code == 200
    assert not ReengagementEntry.objects.filter(closed_on__isnull=True).exists()
    assert not Task.objects.filter(done_on__isnull=True).exists()


# Arrest referral: 24 / 48 elapsed hours across the clock changes (last Sundays of March and October)


@pytest.mark.parametrize(
    ("tested", "other_area", "due"),
    [
        # Clocks go forward at 01:00 GMT on Sunday 29 March 2026: 24 hours after 10:00 GMT is 11:00 BST.
        (datetime(2026, 3, 28, 10, tzinfo=LONDON), False, datetime(2026, 3, 29, 11, tzinfo=LONDON)),
        (datetime(2026, 3, 28, 10, tzinfo=LONDON), True, datetime(2026, 3, 30, 11, tzinfo=LONDON)),
        # Clocks go back at 01:00 GMT on Sunday 25 October 2026: 24 hours after 10:00 BST is 09:00 GMT.
        (datetime(2026, 10, 24, 10, tzinfo=LONDON), False, datetime(2026, 10, 25, 9, tzinfo=LONDON)),
        (datetime(2026, 10, 24, 10, tzinfo=LONDON), True, datetime(2026, 10, 26, 9, tzinfo=LONDON)),
        # No change in between: the same wall-clock time.
        (datetime(2026, 6, 1, 10, tzinfo=LONDON), False, datetime(2026, 6, 2, 10, tzinfo=LONDON)),
    ],
)
def test_arrest_assessment_is_due_24_or_48_elapsed_hours_after_the_test(
    allocated_episode, keyworker, tested, other_area, due
):
    referral = cj.add_arrest_referral(
        person=allocated_episode.person,
        tested_at=tested,
        trigger_offence="Theft",
        from_other_area=other_area,
        by=keyworker,
    )
    referral.refresh_from_db()
    assert referral.assessment_due_at == due
    assert (referral.assessment_due_at - referral.tested_at) == timedelta(hours=48 if other_area else 24)


def test_arrest_assessment_an_hour_before_the_spring_deadline_is_on_time(allocated_episode, keyworker):
    referral = cj.add_arrest_referral(
        person=allocated_episode.person,
        tested_at=datetime(2026, 3, 28, 10, tzinfo=LONDON),
        trigger_offence="Theft",
        by=keyworker,
    )
    # 10:30 BST on the Sunday is 23.5 elapsed hours: on time, though the wall clock says more than 24.
    assert cj.arrest_assessment_status(referral, now=datetime(2026, 3, 29, 10, 30, tzinfo=LONDON)) == "due"
    assert cj.arrest_assessment_status(referral, now=datetime(2026, 3, 29, 11, 1, tzinfo=LONDON)) == "overdue"


def test_arrest_referral_by_api_is_due_24_elapsed_hours_across_the_autumn_change(allocated_episode, keyworker):
    response = _api(keyworker).post(
        "/api/v1/arrest-referrals/",
        {"episode": allocated_episode.pk, "tested_at": "2026-10-24T10:00:00+01:00", "trigger_offence": "Theft"},
    )
    assert response.status_code == 201
    due = datetime.fromisoformat(response.json()["assessment_due_at"])
    assert due == datetime(2026, 10, 25, 9, tzinfo=LONDON)
    assert ArrestReferral.objects.get().assessment_due_at - datetime(2026, 10, 24, 9, tzinfo=ZoneInfo("UTC")) == (
        timedelta(hours=24)
    )


# A carer's support is at most two years in all, however many records


def _carer(episode, by, start, end, name="Sam Carer"):
    return add_carer(
        person=episode.person,
        name=name,
        relationship="Mother",
        support_started_on=start,
        support_planned_end=end,
        by=by,
    )


def test_a_second_record_for_the_same_carer_cannot_restart_the_two_years(allocated_episode, keyworker):
    _carer(allocated_episode, keyworker, date(2024, 1, 1), date(2025, 1, 1))  # 366 days (2024 is a leap year)
    # Two years from 1 January 2024 are 731 days: 365 left.
    _carer(allocated_episode, keyworker, date(2025, 6, 1), date(2025, 6, 1) + timedelta(days=365), name="sam  carer")
    assert Carer.objects.count() == 2


def test_a_day_over_two_years_in_all_is_refused_naming_the_field(allocated_episode, keyworker):
    _carer(allocated_episode, keyworker, date(2024, 1, 1), date(2025, 1, 1))
    with pytest.raises(DomainError) as error:
        _carer(allocated_episode, keyworker, date(2025, 6, 1), date(2025, 6, 1) + timedelta(days=366))
    assert error.value.field == "support_planned_end"
    assert "two years in all" in error.value.message
    assert "1 June 2026" in error.value.message
    assert Carer.objects.count() == 1


def test_another_carer_has_their_own_two_years(allocated_episode, keyworker):
    _carer(allocated_episode, keyworker, date(2024, 1, 1), date(2025, 1, 1))
    _carer(allocated_episode, keyworker, date(2025, 6, 1), date(2027, 6, 1), name="Alex Carer")


def test_overlapping_support_for_the_same_carer_is_refused(allocated_episode, keyworker):
    _carer(allocated_episode, keyworker, date(2025, 1, 1), date(2025, 12, 1))
    with pytest.raises(DomainError) as error:
        _carer(allocated_episode, keyworker, date(2025, 6, 1), date(2025, 7, 1))
    assert "already supported" in error.value.message


def test_ending_support_early_leaves_the_rest_of_the_two_years(allocated_episode, keyworker):
    first = _carer(allocated_episode, keyworker, date(2024, 1, 1), date(2025, 12, 31))
    carer_support_end(carer=first, ended_on=date(2024, 3, 31), by=keyworker)  # 90 days
    _carer(allocated_episode, keyworker, date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=640))


def test_carer_over_two_years_in_all_by_api_is_400_on_the_field(allocated_episode, keyworker):
    _carer(allocated_episode, keyworker, date(2024, 1, 1), date(2025, 1, 1))
    response = _api(keyworker).post(
        "/api/v1/carers/",
        {
            "episode": allocated_episode.pk,
            "name": "Sam Carer",
            "relationship": "Mother",
            "support_started_on": "2025-06-01",
            "support_planned_end": "2026-06-02",
        },
    )
    assert response.status_code == 400
    assert "two years in all" in response.json()["support_planned_end"][0]


def test_carer_over_two_years_in_all_on_the_page_shows_in_the_error_summary(client, allocated_episode, keyworker):
    _carer(allocated_episode, keyworker, date(2024, 1, 1), date(2025, 1, 1))
    client.force_login(keyworker)
    response = client.post(
        reverse("referrals:carer-new", args=[allocated_episode.pk]),
        {
            "name": "Sam Carer",
            "relationship": "Mother",
            "support_started_on_day": 1,
            "support_started_on_month": 6,
            "support_started_on_year": 2025,
            "support_planned_end_day": 2,
            "support_planned_end_month": 6,
            "support_planned_end_year": 2026,
        },
    )
    assert response.status_code == 200
    assert 'href="#id_support_planned_end_day">Carer support is at most two years in all' in response.text
    assert Carer.objects.count() == 1


# A discharge dated before the last allocation began


@pytest.fixture
def reallocated(allocated_episode, manager, assessor, keyworker, delivery_team):
    Allocation.objects.filter(episode=allocated_episode).update(
        ended_on=allocated_episode.opened_on + timedelta(days=9)
    )
    return AllocationFactory(
        episode=allocated_episode,
        assessor=assessor,
        keyworker=keyworker,
        team=delivery_team,
        allocated_on=allocated_episode.opened_on + timedelta(days=10),
        allocated_by=manager,
    )


def test_discharge_the_day_before_the_last_allocation_began_is_refused(allocated_episode, keyworker, reallocated):
    with pytest.raises(DomainError) as error:
        _discharge(allocated_episode, keyworker, "80", reallocated.allocated_on - timedelta(days=1))
    assert error.value.field == "discharged_on"
    assert f"{reallocated.allocated_on:%-d %B %Y}." in error.value.message
    assert Episode.objects.get(pk=allocated_episode.pk).discharged_on is None


def test_discharge_on_the_day_the_last_allocation_began_is_accepted(allocated_episode, keyworker, reallocated):
    assert _discharge(allocated_episode, keyworker, "80", reallocated.allocated_on).discharged_on


def test_discharge_before_the_allocation_by_api_is_400_not_500(allocated_episode, keyworker, reallocated):
    response = _api(keyworker).post(
        f"/api/v1/episodes/{allocated_episode.pk}/discharge/",
        {
            "reason": DischargeReason.objects.get(code="80").pk,
            "discharged_on": str(reallocated.allocated_on - timedelta(days=1)),
            "version": allocated_episode.version,
        },
    )
    assert response.status_code == 400
    assert "allocation began" in response.json()["discharged_on"][0]


def test_discharge_before_the_allocation_on_the_page_shows_in_the_error_summary(
    client, allocated_episode, keyworker, reallocated
):
    day = reallocated.allocated_on - timedelta(days=1)
    client.force_login(keyworker)
    response = client.post(
        reverse("referrals:episode-discharge", args=[allocated_episode.pk]),
        {
            "reason": DischargeReason.objects.get(code="80").pk,
            "discharged_on_day": day.day,
            "discharged_on_month": day.month,
            "discharged_on_year": day.year,
            "version": allocated_episode.version,
        },
    )
    assert response.status_code == 200
    assert 'href="#id_discharged_on_day">The discharge date cannot be before the current allocation began' in (
        response.text
    )
