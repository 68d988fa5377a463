"""Writes of the dashboard's own records. Pages, API and Celery call these; each is one transaction and audited."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from core import audit
from core.choices import AuditAction, JobState
from core.errors import DomainError
from core.models import JobRun, Team
from core.tasks import TRANSIENT_ERRORS
from reporting.dashboard import access
from reporting.models import QuarterlyReport, ServiceFeedback
from reporting.periods import QUARTER, parse_period


def feedback_teams(user):
    """The teams a member of staff records feedback for: their own (a data admin: any active team)."""
    teams = Team.objects.filter(active=True)
    if user.is_superuser or user.has_role(*access.DASHBOARD_ROLES):
        return teams
    return teams.filter(members=user)


def feedback_record(
    *,
    actor,
    team: Team | None,
    received_on: date | None,
    rating: int | None,
    comment: str = "",
    given_by: str = ServiceFeedback.GivenBy.PERSON,
) -> ServiceFeedback:
    access.require_feedback(actor)
    if team is None:
        raise DomainError("Choose the team the feedback is about.", field="team")
    if not feedback_teams(actor).filter(pk=team.pk).exists():
        raise DomainError(f"You can record feedback only for your own teams, not {team}.", field="team")
    if received_on is None:
        raise DomainError("Enter the date the feedback was given.", field="received_on")
    if received_on > timezone.localdate():
        raise DomainError("The date the feedback was given cannot be in the future.", field="received_on")
    if rating is None or not 1 <= rating <= 5:
        raise DomainError("Choose a rating from 1 (very poor) to 5 (very good).", field="rating")
    if given_by not in ServiceFeedback.GivenBy.values:
        raise DomainError("Say who filled in the feedback: the person or a member of staff.", field="given_by")
    with transaction.atomic():
        feedback = ServiceFeedback.objects.create(
            team=team,
            received_on=received_on,
            rating=rating,
            comment=comment.strip(),
            given_by=given_by,
            recorded_by=actor,
        )
        audit.record(AuditAction.CREATE, feedback, actor=actor, details={"rating": rating, "team": team.pk})
    return feedback


def report_request(*, actor, period, team=None):
    """Queue a quarterly report PDF for the quarter and scope; its `job` row shows the progress."""
    from reporting.dashboard import tasks

    access.require_dashboard(actor)
    if not QUARTER.match(period.label):
        raise DomainError("Choose a financial quarter, for example FY2025Q1.", field="quarter")
    with transaction.atomic():
        job = JobRun.objects.create(
            name="quarterly_report",
            requested_by=actor,
            parameters={"period": period.label, "team": team.pk if team else None},
        )
        report = QuarterlyReport.objects.create(period_label=period.label, team=team, job=job, requested_by=actor)
        audit.record(AuditAction.CREATE, report, actor=actor, details={"period": period.label})
        transaction.on_commit(lambda: tasks.build_quarterly_report.delay(report.pk))
    return report


def report_build(*, report_id: int) -> None:
    """Draw the PDF. Idempotent: only a job still waiting is claimed, so a repeated task does nothing."""
    from reporting.dashboard import report as pdf
    from reporting.dashboard import selectors

    report = QuarterlyReport.objects.select_related("job", "team").defer("pdf").get(pk=report_id)
    claimed = JobRun.objects.filter(pk=report.job_id, state=JobState.PENDING).update(
        state=JobState.RUNNING, started_at=timezone.now(), progress=10
    )
    if not claimed:
        return
    try:
        dashboard = selectors.dashboard(period=parse_period(report.period_label), team=report.team)
        document = pdf.render_pdf(dashboard)
    except TRANSIENT_ERRORS:
        # Handed back, so the task's retry claims it again.
        JobRun.objects.filter(pk=report.job_id).update(state=JobState.PENDING, progress=0)
        raise
    except Exception as error:
        JobRun.objects.filter(pk=report.job_id).update(
            state=JobState.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        QuarterlyReport.objects.filter(pk=report.pk).update(pdf=document)
        JobRun.objects.filter(pk=report.job_id).update(
            state=JobState.SUCCEEDED, progress=100, finished_at=timezone.now(), result={"bytes": len(document)}
        )


def comparator_check(*, kpi, period_label, national_value, similar_areas_value, comparator=None) -> None:
    """The rules of a comparator entry, shared by the admin form (to show them on the field) and the save."""
    from reporting.models import KpiComparator

    if not QUARTER.match(period_label or ""):
        raise DomainError("Enter the quarter as FY2025Q1 (April to June 2025).", field="period_label")
    for name, value in (("national_value", national_value), ("similar_areas_value", similar_areas_value)):
        if value is not None and value < 0:
            raise DomainError("A comparator cannot be negative.", field=name)
        if value is not None and kpi.kind != "count" and value > 1:
            raise DomainError(
                f"{kpi.code} is a percentage: enter it as a fraction, for example 0.95 for 95%.", field=name
            )
    clash = KpiComparator.objects.filter(kpi=kpi, period_label=period_label)
    if comparator is not None:
        clash = clash.exclude(pk=comparator.pk)
    if clash.exists():
        raise DomainError(
            f"{kpi.code} already has comparators for {period_label}: change that entry instead.", field="period_label"
        )


def comparator_save(
    *,
    actor,
    kpi,
    period_label: str,
    national_value=None,
    similar_areas_value=None,
    source: str = "",
    comparator=None,
):
    """Enter or correct the published comparators of one KPI and quarter. Audited with the old and new values."""
    from reporting.models import KpiComparator

    access.require_comparators(actor)
    comparator_check(
        kpi=kpi,
        period_label=period_label,
        national_value=national_value,
        similar_areas_value=similar_areas_value,
        comparator=comparator,
    )
    fields = {
        "kpi": kpi,
        "period_label": period_label,
        "national_value": national_value,
        "similar_areas_value": similar_areas_value,
        "source": source.strip(),
    }
    with transaction.atomic():
        if comparator is None:
            comparator = KpiComparator(updated_by=actor, **fields)
            before = None
        else:
            before = {name: _plain(getattr(comparator, name)) for name in fields}
            for name, value in fields.items():
                setattr(comparator, name, value)
            comparator.updated_by = actor
        comparator.save()
        after = {name: _plain(getattr(comparator, name)) for name in fields}
        audit.record(
            AuditAction.CREATE if before is None else AuditAction.CHANGE,
            comparator,
            actor=actor,
            details={"before": before, "after": after},
        )
    return comparator


def _plain(value):
    if hasattr(value, "code"):
        return value.code
    return None if value is None else str(value)
