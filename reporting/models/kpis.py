"""The KPI catalogue (domain.md 5) as data, the figures computed for each period and scope, and the status of
an on-demand recomputation."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import Team
from reporting.choices import Comparison, Direction, KpiKind, RecomputationState


class Kpi(models.Model):
    """One row of domain.md section 5. Loaded by a data migration; a data admin may change the threshold."""

    code = models.CharField(max_length=10, unique=True)
    title = models.CharField(max_length=200)
    population = models.TextField(help_text="Who is counted (the denominator).")
    numerator = models.TextField(help_text="What is counted among them (the numerator or the count).")
    kind = models.CharField(max_length=10, choices=KpiKind.choices)
    threshold = models.DecimalField(
        max_digits=9,
        decimal_places=4,
        help_text="A fraction from 0 to 1 for rates and data completeness (0.95 is 95%); a number for counts.",
    )
    comparison = models.CharField(max_length=2, choices=Comparison.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    source = models.CharField(max_length=100, help_text="Where the target comes from (SPEC section).")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = "KPI"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="count") | Q(threshold__gte=0, threshold__lte=1), name="kpi_rate_threshold_0_to_1"
            ),
            models.CheckConstraint(condition=Q(threshold__gte=0), name="kpi_threshold_not_negative"),
        ]

    def __str__(self):
        return f"{self.code}: {self.title}"

    @property
    def threshold_text(self) -> str:
        """`>= 0.95`, `<= 0.1`, `= 0`: the target as the command and the API print it."""
        return f"{self.comparison} {format(self.threshold.normalize(), 'f')}"


class KpiSnapshot(models.Model):
    """A stored figure: one row per KPI, period and scope (team, or the whole service when empty)."""

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="snapshots")
    period_label = models.CharField(max_length=30)
    period_start = models.DateField()
    period_end = models.DateField()
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Empty: whole service."
    )
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    met = models.BooleanField(null=True)
    threshold = models.CharField(max_length=20, help_text="The target when this figure was computed.")
    computed_at = models.DateTimeField()
    job = models.CharField(max_length=100, blank=True, help_text="What computed it (command, nightly job...).")

    class Meta:
        ordering = ["period_start", "kpi__sort_order", "team_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period_label", "team"], nulls_distinct=False, name="kpisnapshot_one_per_scope"
            ),
        ]
        indexes = [models.Index(fields=["period_label", "team"], name="kpisnapshot_period_idx")]

    def __str__(self):
        return f"{self.kpi.code} {self.period_label} {self.team or 'service'}"


class KpiRecomputation(models.Model):
    """A recomputation someone asked for, and how far it has got (polled by the page)."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    period_label = models.CharField(max_length=30)
    period_start = models.DateField()
    period_end = models.DateField()
    state = models.CharField(max_length=10, choices=RecomputationState.choices, default=RecomputationState.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent complete.")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="kpirecomputation_progress_max_100"),
        ]

    def __str__(self):
        return f"Recomputation of {self.period_label} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (RecomputationState.DONE, RecomputationState.FAILED)
