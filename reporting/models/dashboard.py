"""What the commissioner's dashboard keeps beside the KPI snapshots: the quarterly management information as
aggregates, service user feedback, the published comparators and the quarterly report PDFs.

None of these rows names a person: the commissioner's pages read them, and only them, never an identifiable table.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.dates import long_date
from core.models import JobRun, Team


class MiSnapshot(models.Model):
    """The quarterly management information (SPEC 17 items 1-20) of one quarter and scope, as aggregate tables.

    `tables` holds exact counts; suppression is applied when they are shown, so a rule change needs no recompute.
    """

    period_label = models.CharField(max_length=30)
    period_start = models.DateField()
    period_end = models.DateField()
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text="Empty: the whole service."
    )
    tables = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-period_end", "team"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_label", "team"], nulls_distinct=False, name="mi_snapshot_one_per_period_scope"
            ),
        ]

    def __str__(self):
        return f"Management information {self.period_label} ({self.team or 'whole service'})"


class ServiceFeedback(models.Model):
    """One piece of service user feedback (SPEC 17 item 17). The comment stays with the service: commissioners see
    only the count and the ratings."""

    class GivenBy(models.TextChoices):
        PERSON = "person", "The person filled it in themselves"
        STAFF = "staff", "A member of staff wrote down what the person said"

    received_on = models.DateField(db_index=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(help_text="1 (very poor) to 5 (very good).")
    comment = models.TextField(blank=True)
    given_by = models.CharField(max_length=10, choices=GivenBy.choices, default=GivenBy.PERSON)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = "service user feedback"
        verbose_name_plural = "service user feedback"
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]

    def __str__(self):
        return f"Feedback rated {self.rating} on {long_date(self.received_on)}"


class QuarterlyReport(models.Model):
    """A quarterly report PDF, made by a Celery task whose progress is `job`."""

    period_label = models.CharField(max_length=30)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text="Empty: the whole service."
    )
    job = models.OneToOneField(JobRun, on_delete=models.PROTECT, related_name="quarterly_report")
    # In the database rather than on a disk, so any web process behind the load balancer can serve it.
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Quarterly report {self.period_label} ({self.team or 'whole service'})"

    @property
    def file_name(self) -> str:
        scope = self.team.name.lower().replace(" ", "-") if self.team else "whole-service"
        return f"quarterly-report-{self.period_label}-{scope}.pdf"
