"""After discharge nobody is lost (issue 14): the keyworker keeps the person while a follow-up is theirs, and
the episode's open tasks are closed with it or carried, never left dangling."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import AuditAction, Role
from core.models import AuditEvent, DischargeReason
from referrals.choices import TaskKind
from referrals.models import Episode, FollowUp, Person, Task
from referrals.services.episodes import episode_discharge, follow_up_record, tasks_at_discharge
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


def _discharge(episode, by, code):
    return episode_discharge(
        episode=episode,
        reason=DischargeReason.objects.get(code=code),
        discharged_on=timezone.localdate(),
        expected_version=Episode.objects.get(pk=episode.pk).version,
        by=by,
    )


def _task(episode, kind, key, **fields):
    return Task.objects.create(
        person=episode.person, episode=episode, kind=kind, title=f"{kind} task", source_key=key, **fields
    )


def _sees(user, person) -> bool:
    user = type(user).objects.get(pk=user.pk)  # a fresh scope
    return Person.objects.visible_to(user).filter(pk=person.pk).exists()


def test_planned_exit_gives_the_follow_ups_to_the_keyworker_and_team(allocated_episode, keyworker, delivery_team):
    _discharge(allocated_episode, keyworker, "80")
    owners = set(FollowUp.objects.values_list("keyworker", "team"))
    assert owners == {(keyworker.pk, delivery_team.pk)}


def test_keyworker_keeps_the_person_until_their_follow_ups_are_done(allocated_episode, keyworker, other_keyworker):
    person = allocated_episode.person
    _discharge(allocated_episode, keyworker, "80")
    assert _sees(keyworker, person)
    assert not _sees(other_keyworker, person)
    for follow_up in FollowUp.objects.all():
        assert _sees(keyworker, person)
        follow_up_record(follow_up=follow_up, done_on=timezone.localdate(), outcome="Doing well", by=keyworker)
    assert not _sees(keyworker, person)


def test_unplanned_exit_leaves_no_follow_up_access(allocated_episode, keyworker):
    _discharge(allocated_episode, keyworker, "85")
    assert not _sees(keyworker, allocated_episode.person)


def test_treatment_clocks_close_and_the_rest_is_carried_to_the_keyworker(allocated_episode, keyworker, staff):
    prescriber = staff(Role.PRESCRIBER)
    review = _task(allocated_episode, TaskKind.PLAN_REVIEW_DUE, "review")
    wait = _task(allocated_episode, TaskKind.MODALITY_WAIT, "wait", team=allocated_episode.team)
    safeguarding = _task(allocated_episode, TaskKind.SAFEGUARDING, "safeguarding", team=allocated_episode.team)
    hepatology = _task(allocated_episode, TaskKind.HEPATOLOGY_REFERRAL, "hep", assigned_to=prescriber)
    done = _task(allocated_episode, TaskKind.OTHER, "done", done_on=timezone.localdate())
    planned = tasks_at_discharge(allocated_episode)
    assert (planned.closing, planned.carried) == ([review, wait], [safeguarding, hepatology])
    assert planned.carried_to == keyworker

    _discharge(allocated_episode, keyworker, "85")

    for task in (review, wait):
        task.refresh_from_db()
        assert task.done_on == timezone.localdate()
        assert task.closed_reason.startswith("Closed with the episode's discharge")
    safeguarding.refresh_from_db()
    hepatology.refresh_from_db()
    assert (safeguarding.done_on, safeguarding.assigned_to) == (None, keyworker)
    assert (hepatology.done_on, hepatology.assigned_to) == (None, prescriber)
    assert Task.objects.get(pk=done.pk).closed_reason == ""
    details = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type="referrals.Episode").latest("id").details
    assert details["tasks_closed"] == [review.pk, wait.pk]
    assert details["tasks_carried"] == [safeguarding.pk, hepatology.pk]
    # The carried task keeps the person within the keyworker's reach (an open task of theirs).
    assert _sees(keyworker, allocated_episode.person)


def test_discharge_page_lists_the_tasks_and_brings_the_keyworker_back_to_the_episode(
    client, allocated_episode, keyworker
):
    _task(allocated_episode, TaskKind.PLAN_REVIEW_DUE, "review")
    _task(allocated_episode, TaskKind.SAFEGUARDING, "safeguarding")
    client.force_login(keyworker)
    url = reverse("referrals:episode-discharge", args=[allocated_episode.pk])
    page = client.get(url).text
    assert "These tasks close with the discharge" in page
    assert "These tasks stay open" in page
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "version": allocated_episode.version,
            "reason": DischargeReason.objects.get(code="80").pk,
            "discharged_on_day": today.day,
            "discharged_on_month": today.month,
            "discharged_on_year": today.year,
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("referrals:episode-detail", args=[allocated_episode.pk])
    assert client.get(response.url).status_code == 200


def test_a_follow_up_due_long_after_discharge_is_still_the_keyworkers(allocated_episode, keyworker):
    _discharge(allocated_episode, keyworker, "80")
    twelve = FollowUp.objects.get(kind="12_months")
    assert twelve.due_on > timezone.localdate() + timedelta(days=300)
    assert twelve.keyworker == keyworker
