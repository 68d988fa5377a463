"""A transfer-of-care file uploaded by a data admin: the file (private storage, removed after 30 days), its
checksum, the background run's state and progress, and the report kept for later."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q

from core.choices import JobState


def private_storage():
    """Uploaded files are never under MEDIA_URL or STATIC_URL: only the import reads them."""
    return storages["private"]


class TransferImport(models.Model):
    file = models.FileField(storage=private_storage, upload_to="transfer-imports/%Y/%m/", blank=True)
    original_name = models.CharField("file name", max_length=255)
    size = models.BigIntegerField(help_text="Bytes.")
    checksum = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    create_staff = models.BooleanField(
        "create staff accounts", default=False, help_text="An inactive keyworker for each unknown XKEYWORKER."
    )
    dry_run = models.BooleanField(default=False, help_text="Check and report, write nothing.")
    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent complete.")
    rows = models.PositiveIntegerField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_removed_on = models.DateField(null=True, blank=True, help_text="The uploaded file was deleted (30 days).")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="transferimport_progress_max_100"),
        ]

    def __str__(self):
        return f"Import of {self.original_name}"

    @property
    def finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED)

    @property
    def refused(self) -> bool:
        return bool(self.report.get("problems"))

    @property
    def report_or_none(self) -> dict | None:
        return self.report or None

    @property
    def outcome(self) -> str:
        """In words, for the list and the status row (never colour alone)."""
        if not self.finished:
            return self.get_state_display()
        if self.state == JobState.FAILED:
            return "Failed"
        if self.refused:
            return "Refused: nothing imported"
        return "Checked: nothing imported (dry run)" if self.dry_run else "Imported"
