from rest_framework import serializers

from reporting.kpis.suppression import must_suppress
from reporting.models import Kpi, KpiRecomputation, KpiSnapshot


class KpiSerializer(serializers.ModelSerializer):
    threshold_text = serializers.CharField(read_only=True, help_text="The target as the command prints it.")

    class Meta:
        model = Kpi
        fields = [
            "code",
            "title",
            "population",
            "numerator",
            "kind",
            "threshold",
            "comparison",
            "threshold_text",
            "direction",
            "source",
            "sort_order",
        ]


class KpiSnapshotSerializer(serializers.ModelSerializer):
    """A stored figure. For a reader who sees aggregates only (a commissioner), a figure with a count under 5,
    or one from which such a count could be worked back, has numerator, denominator and value null and
    `suppressed` true."""

    kpi = serializers.SlugRelatedField(slug_field="code", read_only=True)
    suppressed = serializers.SerializerMethodField()
    team = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The team's code; null for the whole service."
    )

    class Meta:
        model = KpiSnapshot
        fields = [
            "kpi",
            "period_label",
            "period_start",
            "period_end",
            "team",
            "numerator",
            "denominator",
            "value",
            "threshold",
            "met",
            "suppressed",
            "computed_at",
            "job",
        ]
        extra_kwargs = {"numerator": {"allow_null": True}, "denominator": {"allow_null": True}}

    def _suppresses(self, snapshot) -> bool:
        if not self.context.get("suppress_small_numbers"):
            return False
        small = must_suppress(kind=snapshot.kpi.kind, numerator=snapshot.numerator, denominator=snapshot.denominator)
        return small or snapshot.pk in self.context.get("withheld_across_teams", ())

    def get_suppressed(self, snapshot) -> bool:
        return self._suppresses(snapshot)

    def to_representation(self, snapshot):
        data = super().to_representation(snapshot)
        if self._suppresses(snapshot):
            data.update(numerator=None, denominator=None, value=None)
        return data


class KpiRecomputationSerializer(serializers.ModelSerializer):
    period = serializers.CharField(write_only=True, help_text="A quarter (FY2025Q1), a month (2025-04) or a range.")
    requested_by = serializers.StringRelatedField()

    class Meta:
        model = KpiRecomputation
        fields = [
            "id",
            "period",
            "period_label",
            "period_start",
            "period_end",
            "state",
            "progress",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "error",
        ]
        read_only_fields = [field for field in fields if field != "period"]
