"""Reads for episode pages and API. Everything starts from `visible_to(user)`; out of scope is a 404."""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from core.choices import Gender, Role
from core.models import Team, User
from core.visibility import scope_for
from referrals import caseload
from referrals.models import (
    Allocation,
    ArrestReferral,
    BreachReport,
    Carer,
    CommunityOrder,
    Episode,
    FollowUp,
    PartnerInvolvement,
    Person,
    ReengagementEntry,
    Task,
)
from referrals.querysets import in_scope


def role_users(role: str):
    return User.objects.filter(is_active=True, groups__name=Role(role).label)


def visible_episodes(user):
    return Episode.objects.visible_to(user)


def episode_for(user, pk: int) -> Episode:
    return get_object_or_404(
        visible_episodes(user).select_related("person", "team", "referral", "discharge_reason"), pk=pk
    )


def scoped(model, user):
    """Rows of a model that hangs off an episode or a person, limited to people the user may see."""
    if hasattr(model.objects, "visible_to"):
        # The model's own rule, with its per-role limits (treatment detail hidden from harm reduction).
        return model.objects.visible_to(user)
    if model in (PartnerInvolvement, FollowUp, Allocation):
        return model.objects.filter(in_scope("episode__person", user))
    if model is BreachReport:
        return model.objects.filter(in_scope("order__person", user))
    return model.objects.filter(in_scope("person", user))


@dataclass
class CaseloadRow:
    allocation: Allocation
    items: list[caseload.DueItem]

    @property
    def person(self) -> Person:
        return self.allocation.episode.person

    @property
    def next_item(self) -> caseload.DueItem | None:
        return self.items[0] if self.items else None

    @property
    def overdue(self) -> list[caseload.DueItem]:
        return [item for item in self.items if item.overdue]


CASELOAD_ORDER = ("episode__person__family_name", "episode__person__given_name", "pk")


def current_caseload(user):
    """The user's current allocations, in `CASELOAD_ORDER` (a keyset: pages of a large caseload cost the same)."""
    return Allocation.objects.filter(
        keyworker=user, ended_on__isnull=True, episode__discharged_on__isnull=True
    ).select_related("episode__person", "team")


def caseload_rows(allocations) -> list[CaseloadRow]:
    """Due items for a page of allocations: one query per provider, however long the caseload."""
    items = caseload.due_items_for(a.episode_id for a in allocations)
    return [CaseloadRow(a, items.get(a.episode_id, [])) for a in allocations]


def manager_teams(user):
    if user.has_role(Role.DATA_ADMIN):
        return Team.objects.filter(active=True)
    return user.teams.filter(active=True)


UNALLOCATED_ORDER = ("opened_on", "pk")


def unallocated_episodes(user, *, team=None):
    """Open episodes of the manager's teams (or one of them) with no current keyworker, in `UNALLOCATED_ORDER`.

    The unallocated are found first, by their own query: the teams' open episodes (`open_episode_team_idx`) less
    those with a current allocation. In one query with the order, the planner expects most open episodes to be
    unallocated (it cannot know that allocations follow episodes) and walks every open episode of the service in
    date order to fill a page that a few rows fill (3 s at 1,000,000 people)."""
    current = Allocation.objects.filter(episode=OuterRef("pk"), ended_on__isnull=True)
    teams = [team.pk] if team is not None else manager_teams(user)
    unallocated = list(
        Episode.objects.open().filter(team__in=teams).filter(~Exists(current)).order_by().values_list("pk", flat=True)
    )
    return visible_episodes(user).open().filter(pk__in=unallocated).select_related("person", "team")


def keyworkers_with_caseload(user, *, preferred_gender: str = "", team=None):
    """Keyworkers of the manager's teams (or one of them) with their current caseload; a preferred gender lists
    those first. The caseload is a subquery per keyworker, so one in two of the manager's teams counts once."""
    teams = [team.pk] if team is not None else manager_teams(user)
    current = (
        Allocation.objects.filter(keyworker=OuterRef("pk"), ended_on__isnull=True)
        .order_by()
        .values("keyworker")
        .annotate(total=Count("pk"))
        .values("total")
    )
    workers = (
        role_users(Role.KEYWORKER)
        .filter(Exists(Team.members.through.objects.filter(user_id=OuterRef("pk"), team_id__in=teams)))
        .annotate(caseload=Coalesce(Subquery(current), 0))
        .order_by("last_name", "first_name", "pk")
    )
    workers = list(workers)
    if preferred_gender and preferred_gender != Gender.NOT_STATED:
        workers.sort(key=lambda w: w.gender != preferred_gender)
    return workers


REENGAGEMENT_ORDER = ("added_on", "pk")


def reengagement_entries(user):
    """Open re-engagement entries the user may see, in `REENGAGEMENT_ORDER` (oldest first)."""
    return (
        scoped(ReengagementEntry, user)
        .filter(closed_on__isnull=True)
        .select_related("person", "episode__discharge_reason")
    )


def episode_context(user, episode: Episode) -> dict:
    return {
        "allocations": list(episode.allocations.select_related("assessor", "keyworker", "team", "allocated_by")),
        "partners": list(episode.partner_involvements.all()),
        # Court orders, breach reports and carers are treatment detail: empty for a harm reduction worker.
        "orders": list(
            CommunityOrder.objects.visible_to(user)
            .filter(person=episode.person)
            .prefetch_related(Prefetch("breach_reports", queryset=BreachReport.objects.visible_to(user)))
        ),
        "arrest_referrals": list(ArrestReferral.objects.filter(person=episode.person)),
        "carers": list(Carer.objects.visible_to(user).filter(person=episode.person)),
        "follow_ups": list(episode.follow_ups.all()),
        # Through the task rule: a title is treatment detail (referrals.querysets.TaskQuerySet).
        "tasks": list(
            Task.objects.visible_to(user)
            .filter(episode=episode)
            .select_related("assigned_to")
            .order_by("done_on", "due_on")
        ),
    }


def open_tasks_for(user):
    """The user's work list: open tasks they own, and open tasks of their teams that no one person owns (a harm
    reduction referral with no keyworker or manager to take it). Whether or not the person has an open episode."""
    mine = Q(assigned_to=user) | Q(assigned_to__isnull=True, team_id__in=scope_for(user).team_ids)
    return (
        Task.objects.visible_to(user)
        .filter(mine, done_on__isnull=True)
        .select_related("person", "team", "assigned_to")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
