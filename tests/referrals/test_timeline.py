"""Issue 14: a person's timeline is what has happened. An open task due next month is listed on the day it was
set, with its due date in words, never among past events at a date still to come."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from referrals.choices import TaskKind
from referrals.factories import AllocationFactory
from referrals.models import Task

pytestmark = pytest.mark.django_db


def test_no_event_in_the_timeline_is_in_the_future(client, staff, arm_team):
    person = AllocationFactory(episode__referral__team=arm_team).episode.person
    today = timezone.localdate()
    due = today + timedelta(days=30)
    Task.objects.create(person=person, kind=TaskKind.OTHER, title="Review in a month", due_on=due, source_key="a")
    Task.objects.create(
        person=person, kind=TaskKind.OTHER, title="Called back", due_on=today, done_on=today, source_key="b"
    )
    client.force_login(staff(Role.ASSESSOR, team=arm_team))
    page = client.get(reverse("referrals:person-detail", args=[person.pk])).content.decode()
    timeline = page[page.index(">Timeline<") :]
    assert f'<td class="nhsuk-table__cell">{due.day} {due:%B %Y}</td>' not in timeline
    assert (
        f'Task (open): Review in a month</td><td class="nhsuk-table__cell">Other, due {due.day} {due:%B %Y}' in timeline
    )
    assert "Task (done): Called back" in timeline
