"""Published figures a commissioner compares the service with, entered by a data admin per KPI and quarter."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class KpiComparator(models.Model):
    """The national figure and that of similar areas for one KPI and quarter (reference data: OHID publishes them,
    usually a quarter or two late). In the KPI's own unit: a fraction for rates (0.95 is 95%), a number for counts."""

    kpi = models.ForeignKey("reporting.Kpi", on_delete=models.CASCADE, related_name="comparators")
    period_label = models.CharField("quarter", max_length=30, help_text="A financial quarter, for example FY2025Q1.")
    national_value = models.DecimalField("England", max_digits=12, decimal_places=4, null=True, blank=True)
    similar_areas_value = models.DecimalField("similar areas", max_digits=12, decimal_places=4, null=True, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Where the figures were published.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_label", "kpi__sort_order"]
        verbose_name = "KPI comparator"
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period_label"], name="kpicomparator_one_per_kpi_quarter"),
            models.CheckConstraint(
                condition=Q(national_value__isnull=True) | Q(national_value__gte=0),
                name="kpicomparator_national_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(similar_areas_value__isnull=True) | Q(similar_areas_value__gte=0),
                name="kpicomparator_similar_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.kpi_id and self.kpi.code} comparators for {self.period_label}"
