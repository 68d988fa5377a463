"""Exports of the monthly return and the transfer-of-care file, and what each month's return looks like today."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.dates import date_time
from reporting.choices import ExportKind, ExportState

User = settings.AUTH_USER_MODEL


class ReturnExport(models.Model):
    """One export someone asked for: its state and progress while a task writes it, then the file (kept in
    private storage for 30 days, never under a public URL), its checksum, row counts and the problems the
    import's rules found in it; `sent_at` once a data admin downloaded it as final or marked it sent."""

    kind = models.CharField(max_length=10, choices=ExportKind.choices)
    period = models.CharField(max_length=7, blank=True, help_text="The month of a return, YYYY-MM.")
    as_of = models.DateField(help_text="The day the file is written as at: the month's last day for a return.")
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent complete.")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    file_name = models.CharField(max_length=100, blank=True)
    file_path = models.CharField(max_length=200, blank=True, help_text="Within the private media folder.")
    file_removed_at = models.DateTimeField(null=True, blank=True)
    checksum = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    episode_rows = models.PositiveIntegerField(null=True, blank=True)
    top_rows = models.PositiveIntegerField(null=True, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    # The first problems found (line, field, reason, client and episode IDs, referral id), for the page.
    problems = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["kind", "period"], name="returnexport_kind_period_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="returnexport_progress_max_100"),
            models.CheckConstraint(
                condition=Q(kind=ExportKind.TRANSFER, period="") | Q(kind=ExportKind.MONTHLY) & ~Q(period=""),
                name="returnexport_period_iff_monthly",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(state=ExportState.DONE, kind=ExportKind.MONTHLY),
                name="returnexport_sent_only_when_done",
            ),
        ]

    def __str__(self):
        what = f"return for {self.period}" if self.kind == ExportKind.MONTHLY else f"transfer file as at {self.as_of}"
        return f"Export {self.pk}: {what}"

    @property
    def finished(self) -> bool:
        return self.state in (ExportState.DONE, ExportState.FAILED)

    @property
    def rows(self) -> int:
        return (self.episode_rows or 0) + (self.top_rows or 0)

    @property
    def downloadable(self) -> bool:
        return self.state == ExportState.DONE and bool(self.file_path) and self.file_removed_at is None


class MonthlyReturnCheck(models.Model):
    """A month's return as it would be written now: its checksum, row counts and problem count, from the last
    export of the month or the nightly check, so the month view can say "ready" and "changed since sent"
    without writing twelve files while someone waits."""

    period = models.CharField(max_length=7, unique=True)
    checked_at = models.DateTimeField()
    checksum = models.CharField("SHA-256", max_length=64)
    episode_rows = models.PositiveIntegerField()
    top_rows = models.PositiveIntegerField()
    problem_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-period"]

    def __str__(self):
        return f"Return {self.period} checked {date_time(self.checked_at)}"
