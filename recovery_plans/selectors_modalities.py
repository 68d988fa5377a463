"""Reads for the modality pages, API and episode link. Each runs a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, Subquery

from core.choices import Role
from core.models import Team, User
from recovery_plans.clocks import MANAGER_ALERT_AFTER_DAYS, RED_FROM_DAY, Clock, modality_clock, waiting_clock
from recovery_plans.models import Modality, ModalityReview
from recovery_plans.services.modalities import sub_intervention_review_due
from referrals.models import Allocation, Episode

RELATED = ("intervention", "modality_type", "setting", "provider_team", "exit_status", "referred_by")


@dataclass
class ModalityRow:
    modality: Modality
    clock: Clock | None
    reviews: list[ModalityReview]
    next_review_due: date | None
    today: date

    @property
    def waited(self) -> Clock | None:
        """The final wait of a started modality (referral to start)."""
        if self.modality.started_on is None:
            return None
        return waiting_clock(self.modality.referred_on, self.modality.started_on)

    @property
    def review_overdue(self) -> bool:
        return self.next_review_due is not None and self.next_review_due < self.today


def visible_modalities(user):
    return Modality.objects.visible_to(user)


def with_latest_review(queryset):
    """The date of each modality's latest review, as a subquery per row shown: a GROUP BY over every visible
    modality would be sorted before the page is cut (docs/benchmarks.md, "Lists and visibility")."""
    latest = ModalityReview.objects.filter(modality=OuterRef("pk")).order_by("-reviewed_on").values("reviewed_on")
    return queryset.annotate(latest_review=Subquery(latest[:1]))


def episode_rows(episode, today: date) -> list[ModalityRow]:
    """The episode's modalities, newest referral first, with clocks and reviews: two queries."""
    modalities = (
        Modality.objects.filter(episode=episode)
        .select_related(*RELATED)
        .prefetch_related(Prefetch("reviews", queryset=ModalityReview.objects.select_related("by")))
        .order_by("-referred_on", "-pk")
    )
    rows = []
    for modality in modalities:
        reviews = list(modality.reviews.all())
        latest = max((r.reviewed_on for r in reviews), default=None)
        rows.append(
            ModalityRow(
                modality=modality,
                clock=modality_clock(modality, today),
                reviews=reviews,
                next_review_due=sub_intervention_review_due(modality, latest),
                today=today,
            )
        )
    return rows


def manager_team_ids(user) -> list[int] | None:
    """The teams whose clocks a manager watches; None for a data admin (every team)."""
    if user.is_superuser or user.has_role(Role.DATA_ADMIN):
        return None
    return list(user.teams.filter(active=True).values_list("pk", flat=True))


@dataclass
class WaitingRow:
    modality: Modality
    clock: Clock
    keyworker: User | None


WAITING_ORDER = ("referred_on", "pk")


def waiting_over(user, today: date, *, days: int = MANAGER_ALERT_AFTER_DAYS):
    """Every running clock past `days` in the user's teams (the episode's team, the provider team or the
    team of the current keyworker), in `WAITING_ORDER` (oldest referral first), with its keyworker's id."""
    current = Allocation.objects.filter(episode=OuterRef("episode"), ended_on__isnull=True)
    modalities = visible_modalities(user).filter(
        # The episode is open: tested per row (EXISTS on its primary key), not as a join condition, which made the
        # planner read every open episode of the service to join the few hundred running clocks to them.
        Exists(Episode.objects.filter(pk=OuterRef("episode_id"), discharged_on__isnull=True)),
        started_on__isnull=True,
        ended_on__isnull=True,
        referred_on__lt=today - timedelta(days=days),
    )
    team_ids = manager_team_ids(user)
    if team_ids is not None:
        modalities = modalities.filter(
            Q(episode__team_id__in=team_ids)
            | Q(provider_team_id__in=team_ids)
            | Exists(current.filter(team_id__in=team_ids))
        )
    return modalities.select_related("episode__person", "episode__team", "intervention", "provider_team").annotate(
        keyworker_id=Subquery(current.order_by("-allocated_on", "-pk").values("keyworker_id")[:1])
    )


def red_clocks(modalities, today: date):
    """The clocks among `modalities` at day RED_FROM_DAY or later."""
    return modalities.filter(referred_on__lte=today - timedelta(days=RED_FROM_DAY))


def waiting_rows(modalities, today: date) -> list[WaitingRow]:
    """Rows for a page of `waiting_over`: one more query for the keyworkers."""
    keyworkers = User.objects.in_bulk({m.keyworker_id for m in modalities if m.keyworker_id})
    return [WaitingRow(m, waiting_clock(m.referred_on, today), keyworkers.get(m.keyworker_id)) for m in modalities]


def link_summary(episode, today: date) -> str:
    """ "2 running, 1 waiting 16 days" for the episode page: one query."""
    counts = Modality.objects.filter(episode=episode).aggregate(
        total=Count("pk"),
        running=Count("pk", filter=Q(started_on__isnull=False, ended_on__isnull=True)),
        waiting=Count("pk", filter=Q(started_on__isnull=True, ended_on__isnull=True)),
        oldest_wait=Min("referred_on", filter=Q(started_on__isnull=True, ended_on__isnull=True)),
    )
    if not counts["total"]:
        return "None referred yet"
    parts = []
    if counts["running"]:
        parts.append(f"{counts['running']} running")
    if counts["waiting"]:
        clock = waiting_clock(counts["oldest_wait"], today)
        longest = "" if counts["waiting"] == 1 else "longest "
        parts.append(f"{counts['waiting']} waiting {longest}{_days(clock.days)} ({clock.tag_text})")
    ended = counts["total"] - counts["running"] - counts["waiting"]
    if ended:
        parts.append(f"{ended} ended")
    return ", ".join(parts)


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def provider_teams():
    return Team.objects.filter(active=True)
