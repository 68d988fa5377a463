"""Background work: KPI computation (the nightly job, the recomputation someone asked for, the morning at-risk
tasks) and transfer-of-care imports (the run of an uploaded file, the removal of uploaded files after 30 days)."""

from celery import shared_task
from django.utils import timezone

from core.choices import TeamKind
from core.models import Team
from core.tasks import daily_job
from reporting.choices import RecomputationState
from reporting.dashboard import mi
from reporting.forecast import raise_at_risk_tasks
from reporting.kpis import snapshots
from reporting.kpis.engine import compute
from reporting.models import KpiRecomputation
from reporting.periods import QUARTER, Period, month_containing, parse_period, quarter_containing
from reporting.returns.uploads import transfer_import_files_purge, transfer_import_run

# Per-team figures are by the ARM or ESAP team that holds the referral and opened the episode (domain.md 6b);
# other teams hold no population of their own.
REPORTING_TEAM_KINDS = (TeamKind.ARM, TeamKind.ESAP)


def reporting_teams() -> list[Team]:
    return list(Team.objects.filter(kind__in=REPORTING_TEAM_KINDS, active=True).order_by("name"))


def store_period(period: Period, *, job: str, on_scope_done=None) -> int:
    """Compute and store every KPI for the period, whole service then each reporting team; returns the number
    of scopes stored."""
    scopes = [None, *reporting_teams()]
    for done, team in enumerate(scopes, start=1):
        snapshots.store(period, compute(period, team=team), team=team, job=job)
        if QUARTER.match(period.label):
            # The quarter's management information (SPEC 17) is stored with its KPIs, so the dashboard shows both.
            mi.mi_store(period=period, team=team)
        if on_scope_done is not None:
            on_scope_done(done, len(scopes))
    return len(scopes)


def nightly_periods(today) -> list[Period]:
    """The current and previous month and quarter: late entries for them still change their figures."""
    month, quarter = month_containing(today), quarter_containing(today)
    return [month.previous(), month, quarter.previous(), quarter]


@daily_job("reporting.nightly_kpis")
def nightly_kpis() -> dict:
    stored = {}
    for period in nightly_periods(timezone.localdate()):
        stored[period.label] = store_period(period, job="nightly")
    return stored


@shared_task(name="reporting.run_kpi_recomputation", soft_time_limit=600, time_limit=660)
def run_kpi_recomputation(recomputation_id: int) -> str:
    """Run a requested recomputation once: the conditional UPDATE claims it, so a second delivery of the same
    message (or a retry) finds it no longer pending and does nothing."""
    claimed = KpiRecomputation.objects.filter(pk=recomputation_id, state=RecomputationState.PENDING).update(
        state=RecomputationState.RUNNING, started_at=timezone.now(), progress=0
    )
    if not claimed:
        return "already claimed"
    recomputation = KpiRecomputation.objects.get(pk=recomputation_id)

    def progress(done: int, total: int):
        KpiRecomputation.objects.filter(pk=recomputation_id).update(progress=min(99, done * 100 // total))

    try:
        store_period(
            parse_period(recomputation.period_label), job=f"recomputation {recomputation_id}", on_scope_done=progress
        )
    except Exception as error:
        KpiRecomputation.objects.filter(pk=recomputation_id).update(
            state=RecomputationState.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        raise
    KpiRecomputation.objects.filter(pk=recomputation_id).update(
        state=RecomputationState.DONE, progress=100, finished_at=timezone.now()
    )
    return "done"


@shared_task(name="reporting.run_return_export", soft_time_limit=14 * 60, time_limit=15 * 60)
def run_return_export(export_id: int) -> str:
    """Write an export someone asked for (claimed once: a second delivery does nothing)."""
    from reporting.returns.services import return_export_run

    return return_export_run(export_id=export_id)


@daily_job("reporting.check_monthly_returns")
def check_monthly_returns() -> dict:
    """Each of the last twelve months' returns as it would be written today: ready to send, changed since sent."""
    from reporting.returns.services import export_months, return_month_check

    months = export_months(timezone.localdate())
    return {month.label: return_month_check(period=month.label).checksum for month in months}


@daily_job("reporting.remove_expired_return_files")
def remove_expired_return_files() -> int:
    from reporting.returns.services import return_exports_remove_expired

    return return_exports_remove_expired()


@daily_job("reporting.kpi_at_risk_tasks")
def kpi_at_risk_tasks() -> dict[str, int]:
    """Each morning: a task for each record that will fail a clock KPI within 7 days, and the close of those
    whose work is done (idempotent)."""
    return raise_at_risk_tasks()


# No automatic retry: a run that fails is marked failed for the data admin to see, and a retry of a claimed
# import would do nothing. A whole caseload can take minutes, so it runs in the background.
@shared_task(name="reporting.run_transfer_import", soft_time_limit=50 * 60, time_limit=55 * 60)
def run_transfer_import(import_id: int) -> str:
    return transfer_import_run(import_id)


@daily_job("reporting.purge_transfer_import_files")
def purge_transfer_import_files() -> int:
    """Uploaded files are kept 30 days (issue 13); the reports stay."""
    return transfer_import_files_purge()
