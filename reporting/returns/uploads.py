"""Transfer-of-care imports from the data admin page and the API: upload (size refused early, file kept in
private storage with its checksum), the background run with its progress, and the removal of files after
RETURN_FILE_RETENTION_DAYS. The import itself is `importer.import_file`, the same as the command's."""

import hashlib
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import connection, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from core import audit
from core.choices import AuditAction, JobState, Role
from core.errors import DomainError
from reporting.models import TransferImport
from reporting.returns.importer import import_file


def may_import(user) -> bool:
    return user.is_authenticated and user.has_role(Role.DATA_ADMIN)


def too_large_message() -> str:
    limit = filesizeformat(settings.TRANSFER_IMPORT_MAX_BYTES).replace("\xa0", " ")
    return (
        f"The file is larger than {limit}, the most this page takes. Split it, or ask the "
        "system's administrator to run python manage.py import_return FILE on the server."
    )


def declared_too_large(request) -> bool:
    """The body's declared length, read before a byte of it is."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    # The form's other fields and the multipart boundaries add a little to the file.
    return length > settings.TRANSFER_IMPORT_MAX_BYTES + 64 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading an upload once it passes the limit, for a body sent without a Content-Length."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.TRANSFER_IMPORT_MAX_BYTES:
            self.exceeded = True
            # The rest of the body is read and dropped, never stored, so the page can answer with a message.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


@transaction.atomic
def transfer_import_upload(*, actor, uploaded_file, create_staff: bool = False, dry_run: bool = False):
    """Keep the file and queue its import. Refuses an empty or oversized file before anything is stored."""
    if not may_import(actor):
        raise PermissionDenied("Only a data admin can import a transfer-of-care file.")
    if uploaded_file is None:
        raise DomainError("Choose the transfer-of-care file to upload.", field="file")
    if uploaded_file.size > settings.TRANSFER_IMPORT_MAX_BYTES:
        raise DomainError(too_large_message(), field="file")
    if uploaded_file.size == 0:
        raise DomainError("The file is empty: choose a file with a header row and rows.", field="file")
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    record = TransferImport(
        original_name=uploaded_file.name[:255],
        size=uploaded_file.size,
        checksum=digest.hexdigest(),
        uploaded_by=actor,
        create_staff=create_staff,
        dry_run=dry_run,
    )
    record.file.save(uploaded_file.name, uploaded_file, save=False)
    record.save()
    audit.record(
        AuditAction.CREATE,
        record,
        actor=actor,
        details={"file": record.original_name, "checksum": record.checksum, "size": record.size, "dry_run": dry_run},
    )
    from reporting.tasks import run_transfer_import

    transaction.on_commit(lambda: run_transfer_import.delay(record.pk))
    return record


class _Progress:
    """Writes the percentage through a connection of its own, so a person watching sees it while the import's
    transaction is still open."""

    def __init__(self, pk: int):
        self.pk = pk
        self.connection = connection.get_new_connection(connection.get_connection_params())
        self.connection.autocommit = True

    def __call__(self, percent: int):
        with self.connection.cursor() as cursor:
            # The table name is the model's own; the values are bound parameters.
            sql = f"UPDATE {TransferImport._meta.db_table} SET progress = %s WHERE id = %s"  # nosec B608
            cursor.execute(sql, [min(percent, 99), self.pk])

    def close(self):
        self.connection.close()


def transfer_import_run(pk: int) -> str:
    """Run one queued import. Idempotent: only a pending import is claimed, so a retried task does nothing."""
    claimed = TransferImport.objects.filter(pk=pk, state=JobState.PENDING).update(
        state=JobState.RUNNING, started_at=timezone.now(), progress=1
    )
    if not claimed:
        return "already claimed"
    record = TransferImport.objects.select_related("uploaded_by").get(pk=pk)
    progress = _Progress(pk)
    try:
        with record.file.open("rb") as stream:
            report = import_file(
                stream,
                actor=record.uploaded_by,
                create_staff=record.create_staff,
                dry_run=record.dry_run,
                progress=progress,
            )
    except Exception as error:
        TransferImport.objects.filter(pk=pk).update(
            state=JobState.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    finally:
        progress.close()
    TransferImport.objects.filter(pk=pk).update(
        state=JobState.SUCCEEDED,
        progress=100,
        rows=report.rows,
        report=report.as_dict(),
        finished_at=timezone.now(),
    )
    audit.record(
        AuditAction.CHANGE,
        record,
        actor=record.uploaded_by,
        details={
            "file": record.original_name,
            "checksum": record.checksum,
            "rows": report.rows,
            "refused": report.refused,
            "problems": len(report.problems),
            "dry_run": record.dry_run,
            "created": report.created,
        },
    )
    return "refused" if report.refused else "done"


def transfer_import_files_purge(today: date | None = None) -> int:
    """Delete uploaded files older than RETURN_FILE_RETENTION_DAYS; the record and its report stay."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.RETURN_FILE_RETENTION_DAYS)
    removed = 0
    for record in TransferImport.objects.filter(file_removed_on__isnull=True, uploaded_at__date__lt=cutoff).exclude(
        state__in=(JobState.PENDING, JobState.RUNNING)
    ):
        if record.file:
            record.file.delete(save=False)
        TransferImport.objects.filter(pk=record.pk).update(file="", file_removed_on=today)
        removed += 1
    return removed
