"""Reads for intake pages and API: every one starts from `visible_to(user)` and prefetches what it shows."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.choices import Role, TeamKind
from core.dates import long_date
from core.models import Team
from referrals.choices import QUEUE_STATUSES
from referrals.models import Allocation, ContactAttempt, Episode, Person, PersonMerge, Referral, Task
from referrals.querysets import in_scope


def queue_teams_for(user):
    """The ARM/ESAP teams whose queue the user can pick; data admins may pick any."""
    teams = Team.objects.filter(kind__in=[TeamKind.ARM, TeamKind.ESAP], active=True)
    if user.is_superuser or user.has_role(Role.DATA_ADMIN):
        return teams
    return teams.filter(members=user)


# The soonest-due referrals come first, so the first page is the one that needs action.
QUEUE_ORDER = ("first_contact_due", "received_at", "pk")


def referral_queue(user, *, team=None):
    """Referrals awaiting first contact or triage, the soonest due first (`QUEUE_ORDER`)."""
    referrals = (
        Referral.objects.visible_to(user)
        .filter(status__in=QUEUE_STATUSES)
        .select_related("person", "team", "source")
        .order_by(*QUEUE_ORDER)
    )
    if team is not None:
        referrals = referrals.filter(team=team)
    elif user.has_role(Role.ASSESSOR, Role.TEAM_MANAGER) and not user.has_role(Role.DATA_ADMIN):
        # A person known to two teams is visible to both, but each team works only its own referrals.
        referrals = referrals.filter(team__in=queue_teams_for(user))
    return referrals


def person_for(user, pk, *, with_treatment_scope: bool = False):
    """One person: its visibility is the request's shared subquery (`in_scope`), which the page's referral list
    reuses, rather than the rule built again for this one lookup. `with_treatment_scope` adds
    `treatment_scope`, whether the user's scope reaches the person's treatment records too, not only their
    intake ones, asked in the same query rather than one of its own."""
    people = Person.objects.filter(in_scope("pk", user, as_referrer=True)).select_related("sex", "ethnicity")
    if with_treatment_scope:
        reached = Person.objects.filter(Q(pk=OuterRef("pk")) & in_scope("pk", user))
        people = people.annotate(treatment_scope=Exists(reached))
    return get_object_or_404(people, pk=pk)


def person_or_merged_for(user, pk):
    """A person the user can see, or a record merged into one they can see: a write to it is then
    refused with a message naming the kept record, not a bare 404."""
    people = Person.objects.visible_to(user, as_referrer=True)
    person = people.select_related("sex", "ethnicity").filter(pk=pk).first()
    if person is None:
        person = get_object_or_404(
            Person.objects.select_related("sex", "ethnicity", "merged_into"), pk=pk, merged_into__in=people
        )
    return person


def merges_of(person):
    """The merges into this record that can still be undone, newest first."""
    return PersonMerge.objects.filter(kept=person, undone_at__isnull=True).select_related("merged", "merged_by")


def referral_for(user, pk):
    return get_object_or_404(Referral.objects.visible_to(user).select_related("person", "team", "source"), pk=pk)


def person_referrals(person, user):
    """The person page's referrals, episodes and tasks each start from their own `visible_to`: a referrer
    reads the referrals they made and never an episode, a keyworker or a task (domain.md section 1)."""
    return (
        Referral.objects.visible_to(user)
        .filter(person=person)
        .select_related("team", "source", "triaged_by", "closed_by")
        .prefetch_related(
            "presenting_substances",
            Prefetch("contact_attempts", queryset=ContactAttempt.objects.select_related("recorded_by")),
        )
        .order_by("-received_at")
    )


def person_episodes(person, user):
    current = Allocation.objects.filter(ended_on__isnull=True).select_related("keyworker", "assessor", "team")
    return (
        Episode.objects.visible_to(user)
        .filter(person=person)
        .select_related("team", "discharge_reason")
        .prefetch_related(Prefetch("allocations", queryset=current, to_attr="current_allocations"))
        .order_by("-opened_on", "-id")
    )


def person_tasks(person, user):
    return Task.objects.visible_to(user).filter(person=person).select_related("assigned_to").order_by("due_on", "id")


def person_timeline(*, referrals, episodes, tasks) -> list[dict]:
    """Everything that happened to the person, newest first, from rows already loaded by the page."""
    events = []
    for referral in referrals:
        events.append(
            {
                "on": referral.received_on,
                "title": f"Referral received from {referral.source}",
                "detail": f"Routed to {referral.team}. {referral.get_status_display()}.",
            }
        )
        for attempt in referral.contact_attempts.all():
            events.append(
                {
                    "on": attempt.made_on,
                    "title": f"Contact: {attempt.get_method_display()}",
                    "detail": attempt.notes,
                }
            )
        if referral.triaged_on:
            events.append({"on": referral.triaged_on, "title": "Triage", "detail": referral.get_status_display()})
    for episode in episodes:
        events.append({"on": episode.opened_on, "title": f"Episode {episode.episode_id} opened", "detail": ""})
        if episode.discharged_on:
            events.append(
                {
                    "on": episode.discharged_on,
                    "title": f"Episode {episode.episode_id} discharged",
                    "detail": str(episode.discharge_reason or ""),
                }
            )
    for task in tasks:
        # An open task is an event on the day it was set, never on a due date still to come: the timeline is
        # what has happened, and its due date is said in words.
        if task.done_on:
            events.append(
                {"on": task.done_on, "title": f"Task (done): {task.title}", "detail": task.get_kind_display()}
            )
        else:
            due = f", due {long_date(task.due_on)}" if task.due_on else ""
            detail = f"{task.get_kind_display()}{due}"
            events.append(
                {"on": timezone.localdate(task.created_at), "title": f"Task (open): {task.title}", "detail": detail}
            )
    return sorted(events, key=lambda e: e["on"], reverse=True)
