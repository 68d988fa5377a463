"""The export side of the returns: asking for an export, writing it (in a task), marking a return sent, the
nightly check of the last twelve months and the removal of old files. Every export is audited (who, when,
which month, checksum, row counts)."""

from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from core import audit
from core.choices import AuditAction, Role
from core.errors import DomainError
from referrals.models import Referral
from reporting.choices import ExportKind, ExportState
from reporting.models import MonthlyReturnCheck, ReturnExport
from reporting.periods import MONTH, PeriodError, last_months, month_containing, parse_period
from reporting.returns import validate
from reporting.returns.export import ExportResult, ExportSpec, count_referrals, write_file

# The problems kept on the export for the page; the count says how many there were in all.
PROBLEMS_KEPT = 2000
MONTHS_SHOWN = 12


def may_export(user) -> bool:
    """Returns are a data admin's work (domain.md 1): they read every identifiable record."""
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.DATA_ADMIN))


def export_months(today: date) -> list:
    """The months a data admin may send, newest first: the last twelve finished ones."""
    return last_months(MONTHS_SHOWN, ending=month_containing(today).previous())


def return_export(*, spec: ExportSpec, stream, by, queryset=None, progress=None, checker=None) -> ExportResult:
    """Write the file described by `spec` to `stream` and audit it; `by` is None for the command line."""
    result = write_file(spec, stream, queryset=queryset, progress=progress, checker=checker)
    audit.record(AuditAction.EXPORT, actor=by, object_type="reporting.Return", details=audit_details(spec, result))
    return result


def audit_details(spec: ExportSpec, result: ExportResult) -> dict:
    return {
        "kind": ExportKind.TRANSFER if spec.transfer else ExportKind.MONTHLY,
        "period": None if spec.transfer else f"{spec.as_of:%Y-%m}",
        "as_of": spec.as_of.isoformat(),
        "file_name": result.file_name,
        "checksum": result.checksum,
        "episode_rows": result.episode_rows,
        "top_rows": result.top_rows,
    }


def _spec(export: ReturnExport) -> ExportSpec:
    if export.kind == ExportKind.TRANSFER:
        return ExportSpec.transfer_as_of(export.as_of)
    return ExportSpec.monthly(parse_period(export.period))


@transaction.atomic
def return_export_request(*, user, kind: str, period: str = "", today: date | None = None) -> ReturnExport:
    """Ask for an export; a task writes it (queued once this transaction commits) and the page polls it."""
    if not may_export(user):
        raise DomainError("Only data admins export returns.", field="kind")
    today = today or timezone.localdate()
    if kind == ExportKind.TRANSFER:
        export = ReturnExport.objects.create(kind=kind, as_of=today, requested_by=user)
    elif kind == ExportKind.MONTHLY:
        label = (period or "").strip()
        try:
            month = parse_period(label) if MONTH.match(label) else None
        except PeriodError:
            month = None
        if month is None:
            raise DomainError(
                f"'{label}' is not a month: choose one written YYYY-MM, for example 2025-04.", field="period"
            )
        if month.end >= today:
            raise DomainError(
                f"The return for {month.start:%B %Y} can be exported once the month has ended.", field="period"
            )
        export = ReturnExport.objects.create(kind=kind, period=month.label, as_of=month.end, requested_by=user)
    else:
        raise DomainError("Choose the monthly return or the transfer-of-care file.", field="kind")
    audit.record(AuditAction.CREATE, export, actor=user, details={"kind": kind, "period": export.period})
    from reporting.tasks import run_return_export

    transaction.on_commit(lambda: run_return_export.delay(export.pk))
    return export


class _ProgressWriter:
    """Progress goes through a connection of its own: the export reads in one read-only snapshot, and a person
    polling the page must see the figure while the file is still being written."""

    def __init__(self, export_id: int, total: int):
        self.export_id = export_id
        self.total = max(total, 1)
        self.connection = connections.create_connection("default")

    def __call__(self, done: int):
        percent = min(99, done * 100 // self.total)
        with self.connection.cursor() as cursor:
            # The table name is the model's own; the values are bound parameters.
            sql = f"UPDATE {ReturnExport._meta.db_table} SET progress = %s WHERE id = %s"  # nosec B608
            cursor.execute(sql, [percent, self.export_id])

    def close(self):
        self.connection.close()


def private_path(relative: str) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / relative


def return_export_run(*, export_id: int) -> str:
    """Write a requested export once: the conditional UPDATE claims it, so a second delivery of the same task
    finds it no longer pending and does nothing. The file goes to private storage, is checked by the import's
    rules as it is written, and is audited."""
    claimed = ReturnExport.objects.filter(pk=export_id, state=ExportState.PENDING).update(
        state=ExportState.RUNNING, started_at=timezone.now(), progress=0
    )
    if not claimed:
        return "already claimed"
    export = ReturnExport.objects.select_related("requested_by").get(pk=export_id)
    spec = _spec(export)
    relative = f"returns/{export.pk}-{spec.file_name}"
    target = private_path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    progress = _ProgressWriter(export.pk, count_referrals(spec))
    checker = validate.RowChecker(local_fields=spec.transfer)
    try:
        with target.open("wb") as stream:
            result = return_export(spec=spec, stream=stream, by=export.requested_by, progress=progress, checker=checker)
        problems = checker.finish()
    except Exception as error:
        target.unlink(missing_ok=True)
        ReturnExport.objects.filter(pk=export_id).update(
            state=ExportState.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        raise
    finally:
        progress.close()
    now = timezone.now()
    ReturnExport.objects.filter(pk=export_id).update(
        state=ExportState.DONE,
        progress=100,
        finished_at=now,
        file_name=result.file_name,
        file_path=relative,
        checksum=result.checksum,
        size=result.size,
        episode_rows=result.episode_rows,
        top_rows=result.top_rows,
        problem_count=len(problems),
        problems=[_problem(problem, result) for problem in problems[:PROBLEMS_KEPT]],
    )
    if not spec.transfer:
        _store_check(export.period, result, len(problems), now)
    return "done"


def _problem(problem, result: ExportResult) -> dict:
    """A problem with the referral its line came from, so the page can link to the record to fix."""
    index = problem.line - 2
    referral_id = result.line_referrals[index] if 0 <= index < len(result.line_referrals) else None
    return {**problem.as_dict(), "referral_id": referral_id}


def _store_check(period: str, result: ExportResult, problem_count: int, at: datetime) -> MonthlyReturnCheck:
    check, _ = MonthlyReturnCheck.objects.update_or_create(
        period=period,
        defaults={
            "checked_at": at,
            "checksum": result.checksum,
            "episode_rows": result.episode_rows,
            "top_rows": result.top_rows,
            "problem_count": problem_count,
        },
    )
    return check


def return_month_check(*, period: str) -> MonthlyReturnCheck:
    """Write a month's return nowhere, only to hash it and run the rules on it: is it ready to send, and has
    its data changed since it was sent?"""
    spec = ExportSpec.monthly(parse_period(period))
    checker = validate.RowChecker(local_fields=False)
    result = write_file(spec, None, checker=checker)
    return _store_check(period, result, len(checker.finish()), timezone.now())


@transaction.atomic
def return_export_mark_sent(*, export: ReturnExport, user) -> ReturnExport:
    """Record that this file is the month's return as sent to NDTMS (downloaded as final, or sent another way)."""
    if not may_export(user):
        raise DomainError("Only data admins mark a return sent.", field="sent")
    export = ReturnExport.objects.select_for_update().get(pk=export.pk)
    if export.kind != ExportKind.MONTHLY or export.state != ExportState.DONE:
        raise DomainError("Only a finished monthly return can be marked sent.", field="sent")
    if export.sent_at is None:
        export.sent_at, export.sent_by = timezone.now(), user
        export.save(update_fields=["sent_at", "sent_by"])
        audit.record(
            AuditAction.CHANGE,
            export,
            actor=user,
            details={"sent": export.period, "checksum": export.checksum, "problems": export.problem_count},
        )
    return export


def return_exports_remove_expired(*, now: datetime | None = None) -> int:
    """Delete export files older than the retention period; the record of the export stays (audit)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETURN_FILE_RETENTION_DAYS)
    expired = list(
        ReturnExport.objects.filter(finished_at__lt=cutoff, file_removed_at__isnull=True)
        .exclude(file_path="")
        .values_list("pk", "file_path")
    )
    for _pk, relative in expired:
        private_path(relative).unlink(missing_ok=True)
    ReturnExport.objects.filter(pk__in=[pk for pk, _ in expired]).update(file_removed_at=now)
    return len(expired)


def referral_links(referral_ids) -> dict[int, tuple[str, int]]:
    """For each referral, the record a problem is fixed on: its episode, or the person when it has none."""
    rows = Referral.objects.filter(pk__in=[pk for pk in referral_ids if pk]).values_list(
        "pk", "episode__pk", "person_id"
    )
    return {
        pk: ("referrals:episode-detail", episode) if episode else ("referrals:person-detail", person)
        for pk, episode, person in rows
    }
