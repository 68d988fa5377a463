"""The morning alerts: one service, called by the daily Celery beat job (`recovery_plans.tasks`).

It raises a `referrals.Task` for each item that falls due within `ALERT_LEAD_DAYS`:

- recovery plan due: treatment start (earliest modality start) + 21 days, while no version is signed;
- recovery plan review due: 12 weeks after the comprehensive assessment, then the plan's interval;
- sub-intervention review due: 182 days after a running modality's start or latest review;
- a modality waiting over 14 days (a running clock on day 15 or later), for the episode's team.

The first three go to the episode's current keyworker (and their team); an unallocated episode's go to
the episode's team. Each task has a `source_key` naming the item and its due date, so a second run the
same day raises nothing. Tasks whose item has been dealt with (plan signed, review recorded, modality
started or ended, episode discharged) are marked done by the same run; starting, reviewing or ending a
modality also closes its own tasks at once (`services.modalities`). Nothing is raised for a discharged
episode. One query selects each kind, whatever the number of episodes.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.choices import AuditAction
from core.dates import long_date
from core.models import AuditEvent
from recovery_plans.clocks import MANAGER_ALERT_AFTER_DAYS, RED_FROM_DAY
from recovery_plans.deadlines import PLAN_DUE_DAYS, next_review_due
from recovery_plans.models import Modality, PlanVersion, VersionStatus
from recovery_plans.services.modalities import (
    REVIEW_TASK_PREFIX,
    SUB_INTERVENTION_REVIEW_DAYS,
    review_task_prefix,
    wait_task_key,
)
from referrals.choices import TaskKind
from referrals.models import Allocation, Episode, Task

# Deadlines are raised a week ahead, so there is time to act; they show as overdue after the due date.
ALERT_LEAD_DAYS = 7

KEY_PREFIXES = {
    TaskKind.RECOVERY_PLAN_DUE: "recovery_plan_due:",
    TaskKind.PLAN_REVIEW_DUE: "plan_review_due:",
    TaskKind.MODALITY_REVIEW_DUE: REVIEW_TASK_PREFIX,
    TaskKind.MODALITY_WAIT: "modality_wait:",
}


@dataclass(frozen=True)
class Alert:
    kind: str
    key: str
    title: str
    person_id: int
    episode_id: int
    due_on: date
    assigned_to_id: int | None
    team_id: int | None


def _current(episode_ref: str):
    return Allocation.objects.filter(episode=OuterRef(episode_ref), ended_on__isnull=True).order_by(
        "-allocated_on", "-pk"
    )


def _with_holder(queryset, episode_ref: str):
    """The current keyworker and their team, as two columns of the same query."""
    current = _current(episode_ref)
    return queryset.annotate(
        keyworker_id=Subquery(current.values("keyworker_id")[:1]),
        holder_team_id=Subquery(current.values("team_id")[:1]),
    )


def plan_due_alerts(today: date) -> list[Alert]:
    signed = PlanVersion.objects.filter(
        plan__episode=OuterRef("pk"), status__in=[VersionStatus.SIGNED, VersionStatus.SUPERSEDED]
    )
    rows = _with_holder(
        Episode.objects.open()
        .annotate(treatment_start=Min("modalities__started_on"))
        .filter(treatment_start__lte=today - timedelta(days=PLAN_DUE_DAYS - ALERT_LEAD_DAYS))
        .filter(~Exists(signed)),
        "pk",
    ).values_list("pk", "person_id", "team_id", "treatment_start", "keyworker_id", "holder_team_id")
    return [
        Alert(
            TaskKind.RECOVERY_PLAN_DUE,
            f"{KEY_PREFIXES[TaskKind.RECOVERY_PLAN_DUE]}{pk}",
            "Recovery plan due",
            person_id,
            pk,
            start + timedelta(days=PLAN_DUE_DAYS),
            keyworker_id,
            holder_team_id or team_id,
        )
        for pk, person_id, team_id, start, keyworker_id, holder_team_id in rows
    ]


def plan_review_alerts(today: date) -> list[Alert]:
    rows = _with_holder(
        Episode.objects.open()
        .filter(recovery_plan__isnull=False)
        .annotate(
            assessed=Max("assessments__completed_on"),
            latest_review=Max("recovery_plan__reviews__reviewed_on"),
        ),
        "pk",
    ).values_list(
        "pk",
        "person_id",
        "team_id",
        "recovery_plan__pk",
        "recovery_plan__review_interval_days",
        "assessed",
        "latest_review",
        "keyworker_id",
        "holder_team_id",
    )
    alerts = []
    for pk, person_id, team_id, plan_pk, interval, assessed, latest, keyworker_id, holder_team_id in rows:
        due = next_review_due(assessed, latest, interval)
        if due is not None and due <= today + timedelta(days=ALERT_LEAD_DAYS):
            alerts.append(
                Alert(
                    TaskKind.PLAN_REVIEW_DUE,
                    f"{KEY_PREFIXES[TaskKind.PLAN_REVIEW_DUE]}{plan_pk}:{due.isoformat()}",
                    "Recovery plan review due",
                    person_id,
                    pk,
                    due,
                    keyworker_id,
                    holder_team_id or team_id,
                )
            )
    return alerts


def sub_intervention_alerts(today: date) -> list[Alert]:
    rows = _with_holder(
        Modality.objects.filter(started_on__isnull=False, ended_on__isnull=True, episode__discharged_on__isnull=True)
        .annotate(last=Coalesce(Max("reviews__reviewed_on"), F("started_on")))
        .filter(last__lte=today - timedelta(days=SUB_INTERVENTION_REVIEW_DAYS - ALERT_LEAD_DAYS)),
        "episode",
    ).values_list(
        "pk",
        "episode_id",
        "episode__person_id",
        "episode__team_id",
        "intervention__label",
        "last",
        "keyworker_id",
        "holder_team_id",
    )
    alerts = []
    for pk, episode_id, person_id, team_id, label, last, keyworker_id, holder_team_id in rows:
        due = last + timedelta(days=SUB_INTERVENTION_REVIEW_DAYS)
        alerts.append(
            Alert(
                TaskKind.MODALITY_REVIEW_DUE,
                f"{review_task_prefix(pk)}{due.isoformat()}",
                f"{label} review due",
                person_id,
                episode_id,
                due,
                keyworker_id,
                holder_team_id or team_id,
            )
        )
    return alerts


def waiting_alerts(today: date) -> list[Alert]:
    rows = Modality.objects.filter(
        started_on__isnull=True,
        ended_on__isnull=True,
        episode__discharged_on__isnull=True,
        referred_on__lt=today - timedelta(days=MANAGER_ALERT_AFTER_DAYS),
    ).values_list("pk", "episode_id", "episode__person_id", "episode__team_id", "intervention__label", "referred_on")
    return [
        Alert(
            TaskKind.MODALITY_WAIT,
            wait_task_key(pk),
            f"{label} waiting over {MANAGER_ALERT_AFTER_DAYS} days (referred {long_date(referred)})",
            person_id,
            episode_id,
            # W21: a first intervention starts within 21 days of its referral.
            referred + timedelta(days=RED_FROM_DAY),
            None,
            team_id,
        )
        for pk, episode_id, person_id, team_id, label, referred in rows
    ]


KINDS = [plan_due_alerts, plan_review_alerts, sub_intervention_alerts, waiting_alerts]


def _audit(tasks, details: dict) -> None:
    """One audit row per task, written together: the job may raise thousands on its first morning."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=AuditAction.CREATE if details.get("raised") else AuditAction.CHANGE,
            object_type=Task._meta.label,
            object_id=str(pk),
            object_repr=title[:200],
            details=details,
        )
        for pk, title in tasks
    )


@transaction.atomic
def raise_alerts(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    due = {alert.key: alert for kind in KINDS for alert in kind(today)}
    existing = set(Task.objects.filter(source_key__in=due).values_list("source_key", flat=True))
    created = Task.objects.bulk_create(
        Task(
            person_id=alert.person_id,
            episode_id=alert.episode_id,
            kind=alert.kind,
            title=alert.title,
            assigned_to_id=alert.assigned_to_id,
            team_id=alert.team_id,
            due_on=alert.due_on,
            source_key=alert.key,
        )
        for key, alert in due.items()
        if key not in existing
    )
    _audit([(task.pk, task.title) for task in created], {"source": "morning_alerts", "raised": True})
    # Open alerts whose item is no longer due (done, or the episode discharged) are closed.
    answered = Task.objects.filter(done_on__isnull=True, kind__in=list(KEY_PREFIXES)).exclude(source_key__in=due)
    answered = [
        (pk, title, key)
        for pk, title, key, kind in answered.values_list("pk", "title", "source_key", "kind")
        if key.startswith(KEY_PREFIXES[kind])
    ]
    Task.objects.filter(pk__in=[pk for pk, _, _ in answered]).update(done_on=today)
    _audit([(pk, title) for pk, title, _ in answered], {"source": "morning_alerts", "done_on": today.isoformat()})
    return {"raised": len(created), "closed": len(answered)}
