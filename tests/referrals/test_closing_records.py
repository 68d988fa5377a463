"""Closing the records that discharge and carers leave open: a follow-up contact done, a re-engagement
entry closed, a carer's support ended. Rules in the services; the pages and API call them."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.choices import AuditAction, Role
from core.errors import DomainError
from core.models import AuditEvent, DischargeReason
from referrals.choices import FollowUpKind, TaskKind
from referrals.models import Carer, FollowUp, ReengagementEntry, Task
from referrals.services import episodes
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)

TODAY = timezone.localdate


def _date(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _discharge(episode, keyworker, code):
    return episodes.episode_discharge(
        episode=episode,
        reason=DischargeReason.objects.get(code=code),
        discharged_on=TODAY() - timedelta(days=10),
        expected_version=episode.version,
        by=keyworker,
    )


@pytest.fixture
def follow_up(allocated_episode, keyworker):
    _discharge(allocated_episode, keyworker, "80")
    return FollowUp.objects.get(episode=allocated_episode, kind=FollowUpKind.SIX_MONTHS)


@pytest.fixture
def entry(allocated_episode, keyworker):
    _discharge(allocated_episode, keyworker, "85")
    return ReengagementEntry.objects.get(episode=allocated_episode)


@pytest.fixture
def carer(allocated_episode):
    return Carer.objects.create(
        person=allocated_episode.person,
        name="Jo Carer",
        relationship="Partner",
        support_started_on=date(2025, 1, 10),
        support_planned_end=date(2027, 1, 10),
    )


def _changes(obj):
    return AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type=obj._meta.label, object_id=str(obj.pk))


# Follow-ups


def test_recording_a_follow_up_keeps_its_date_and_outcome_and_closes_its_task(follow_up, manager):
    Task.objects.create(
        person=follow_up.episode.person,
        episode=follow_up.episode,
        kind=TaskKind.FOLLOW_UP,
        title="Follow-up",
        source_key=f"follow_up:{follow_up.pk}",
    )
    episodes.follow_up_record(follow_up=follow_up, done_on=TODAY(), outcome=" Doing well, still abstinent ", by=manager)
    follow_up.refresh_from_db()
    assert (follow_up.done_on, follow_up.outcome) == (TODAY(), "Doing well, still abstinent")
    assert Task.objects.get(source_key=f"follow_up:{follow_up.pk}").done_on == TODAY()
    assert _changes(follow_up).get().actor == manager


def test_a_follow_up_on_the_discharge_day_is_accepted_and_the_day_before_refused(follow_up, manager):
    discharged_on = follow_up.episode.discharged_on
    with pytest.raises(DomainError) as error:
        episodes.follow_up_record(
            follow_up=follow_up, done_on=discharged_on - timedelta(days=1), outcome="Called", by=manager
        )
    assert error.value.field == "done_on"
    assert "before the discharge" in error.value.message
    episodes.follow_up_record(follow_up=follow_up, done_on=discharged_on, outcome="Called", by=manager)


@pytest.mark.parametrize(
    ("done_on", "outcome", "field"),
    [(lambda: TODAY() + timedelta(days=1), "Called", "done_on"), (TODAY, "  ", "outcome")],
)
def test_a_follow_up_in_the_future_or_without_an_outcome_is_refused(follow_up, manager, done_on, outcome, field):
    with pytest.raises(DomainError) as error:
        episodes.follow_up_record(follow_up=follow_up, done_on=done_on(), outcome=outcome, by=manager)
    assert error.value.field == field
    follow_up.refresh_from_db()
    assert follow_up.done_on is None


def test_a_follow_up_cannot_be_recorded_twice(follow_up, manager):
    episodes.follow_up_record(follow_up=follow_up, done_on=TODAY(), outcome="Called", by=manager)
    with pytest.raises(DomainError, match="already recorded"):
        episodes.follow_up_record(follow_up=follow_up, done_on=TODAY(), outcome="Again", by=manager)


def test_a_referrer_cannot_record_a_follow_up(follow_up, staff):
    with pytest.raises(DomainError):
        episodes.follow_up_record(follow_up=follow_up, done_on=TODAY(), outcome="Called", by=staff(Role.REFERRER))


@pytest.mark.parametrize(("who", "status"), [("assessor", 200), ("manager", 200), ("other_keyworker", 404)])
def test_follow_up_page_by_persona(client, follow_up, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("referrals:follow-up-done", args=[follow_up.pk])).status_code == status


def test_the_episode_page_links_to_the_follow_up_and_the_page_records_it(client, follow_up, manager):
    client.force_login(manager)
    detail = client.get(reverse("referrals:episode-detail", args=[follow_up.episode_id])).content.decode()
    url = reverse("referrals:follow-up-done", args=[follow_up.pk])
    assert url in detail
    response = client.post(url, {**_date("done_on", TODAY()), "outcome": "Doing well"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.outcome == "Doing well"


def test_the_follow_up_page_shows_the_rule_on_the_field(client, follow_up, manager):
    client.force_login(manager)
    response = client.post(
        reverse("referrals:follow-up-done", args=[follow_up.pk]),
        {**_date("done_on", follow_up.episode.discharged_on - timedelta(days=1)), "outcome": "Called"},
    )
    assert response.status_code == 200
    assert "before the discharge" in response.content.decode()


def test_the_follow_up_page_read_is_audited(client, follow_up, manager):
    client.force_login(manager)
    client.get(reverse("referrals:follow-up-done", args=[follow_up.pk]))
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(follow_up.pk), actor=manager).exists()


def test_follow_up_api_records_it_and_refuses_an_unrelated_worker(follow_up, manager, other_keyworker):
    url = f"/api/v1/follow-ups/{follow_up.pk}/done/"
    body = {"done_on": str(TODAY()), "outcome": "Called"}
    assert _api(other_keyworker).post(url, body).status_code == 404
    response = _api(manager).post(url, body)
    assert response.status_code == 200
    assert response.json()["done_on"] == str(TODAY())


# Re-engagement


def test_closing_a_reengagement_entry_takes_it_off_the_list(entry, manager):
    episodes.reengagement_close(entry=entry, closed_on=TODAY(), outcome="Re-referred", by=manager)
    entry.refresh_from_db()
    assert (entry.closed_on, entry.outcome) == (TODAY(), "Re-referred")
    assert _changes(entry).get().actor == manager


def test_a_reengagement_entry_closing_the_day_it_was_added_is_accepted_and_the_day_before_refused(entry, manager):
    with pytest.raises(DomainError) as error:
        episodes.reengagement_close(
            entry=entry, closed_on=entry.added_on - timedelta(days=1), outcome="Declined", by=manager
        )
    assert error.value.field == "closed_on"
    episodes.reengagement_close(entry=entry, closed_on=entry.added_on, outcome="Declined", by=manager)


def test_a_reengagement_entry_without_an_outcome_or_closed_twice_is_refused(entry, manager):
    with pytest.raises(DomainError) as error:
        episodes.reengagement_close(entry=entry, closed_on=TODAY(), outcome="", by=manager)
    assert error.value.field == "outcome"
    episodes.reengagement_close(entry=entry, closed_on=TODAY(), outcome="Moved away", by=manager)
    with pytest.raises(DomainError, match="already closed"):
        episodes.reengagement_close(entry=entry, closed_on=TODAY(), outcome="Again", by=manager)


def test_an_assessor_cannot_close_a_reengagement_entry(client, entry, assessor):
    with pytest.raises(DomainError):
        episodes.reengagement_close(entry=entry, closed_on=TODAY(), outcome="Re-referred", by=assessor)
    client.force_login(assessor)
    assert client.get(reverse("referrals:reengagement-close", args=[entry.pk])).status_code == 403


@pytest.mark.parametrize(("who", "status"), [("manager", 200), ("other_keyworker", 404)])
def test_reengagement_close_page_by_persona(client, entry, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("referrals:reengagement-close", args=[entry.pk])).status_code == status


def test_the_list_links_to_closing_and_the_page_closes_back_to_the_list(client, entry, manager):
    client.force_login(manager)
    url = reverse("referrals:reengagement-close", args=[entry.pk])
    assert url in client.get(reverse("referrals:reengagement-list")).content.decode()
    response = client.post(url, {**_date("closed_on", TODAY()), "outcome": "Re-referred"})
    assert response.url == reverse("referrals:reengagement-list")
    assert str(entry.person) not in client.get(reverse("referrals:reengagement-list")).content.decode()


def test_reengagement_api_close_names_the_field_and_answers_already_closed(entry, manager):
    url = f"/api/v1/reengagement/{entry.pk}/close/"
    early = _api(manager).post(url, {"closed_on": str(entry.added_on - timedelta(days=1)), "outcome": "x"})
    assert early.status_code == 400
    assert "closed_on" in early.json()
    assert _api(manager).post(url, {"closed_on": str(TODAY()), "outcome": "Re-referred"}).status_code == 200
    again = _api(manager).post(url, {"closed_on": str(TODAY()), "outcome": "Again"})
    assert again.status_code == 400


# Carers


def test_carer_support_ending_exactly_two_years_on_is_accepted_a_day_later_refused(carer, keyworker, monkeypatch):
    monkeypatch.setattr(episodes.timezone, "localdate", lambda: date(2027, 6, 1))
    with pytest.raises(DomainError, match="at most two years") as error:
        episodes.carer_support_end(carer=carer, ended_on=date(2027, 1, 11), by=keyworker)
    assert error.value.field == "support_ended_on"
    episodes.carer_support_end(carer=carer, ended_on=date(2027, 1, 10), by=keyworker)
    carer.refresh_from_db()
    assert carer.support_ended_on == date(2027, 1, 10)


@pytest.mark.parametrize("ended_on", [date(2025, 1, 9), "tomorrow"])
def test_carer_support_ending_before_it_started_or_in_the_future_is_refused(carer, keyworker, ended_on):
    ended_on = TODAY() + timedelta(days=1) if ended_on == "tomorrow" else ended_on
    with pytest.raises(DomainError):
        episodes.carer_support_end(carer=carer, ended_on=ended_on, by=keyworker)
    carer.refresh_from_db()
    assert carer.support_ended_on is None


def test_carer_support_cannot_end_twice_and_the_end_is_audited(carer, keyworker):
    episodes.carer_support_end(carer=carer, ended_on=date(2025, 6, 1), by=keyworker)
    with pytest.raises(DomainError, match="already ended"):
        episodes.carer_support_end(carer=carer, ended_on=date(2025, 7, 1), by=keyworker)
    assert _changes(carer).get().details == {"support_ended_on": "2025-06-01"}


@pytest.mark.parametrize(("who", "status"), [("keyworker", 200), ("manager", 200), ("other_keyworker", 404)])
def test_carer_end_page_by_persona(client, allocated_episode, carer, request, who, status):
    client.force_login(request.getfixturevalue(who))
    url = reverse("referrals:carer-end", args=[allocated_episode.pk, carer.pk])
    assert client.get(url).status_code == status


def test_the_episode_page_links_to_ending_support_and_the_page_ends_it(client, allocated_episode, carer, keyworker):
    client.force_login(keyworker)
    url = reverse("referrals:carer-end", args=[allocated_episode.pk, carer.pk])
    assert url in client.get(reverse("referrals:episode-detail", args=[allocated_episode.pk])).content.decode()
    response = client.post(url, _date("support_ended_on", date(2025, 1, 9)))
    assert "before it started" in response.content.decode()
    assert client.post(url, _date("support_ended_on", date(2025, 6, 1))).status_code == 302
    carer.refresh_from_db()
    assert carer.support_ended_on == date(2025, 6, 1)


def test_carer_api_end_by_the_keyworker_and_not_by_an_unrelated_worker(carer, keyworker, other_keyworker):
    url = f"/api/v1/carers/{carer.pk}/end/"
    assert _api(other_keyworker).post(url, {"support_ended_on": "2025-06-01"}).status_code == 404
    response = _api(keyworker).post(url, {"support_ended_on": "2025-06-01"})
    assert response.status_code == 200
    assert response.json()["support_ended_on"] == "2025-06-01"
