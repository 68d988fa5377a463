from rest_framework import serializers

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
    kpi = serializers.SlugRelatedField(slug_field="code", read_only=True)
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
            "computed_at",
            "job",
        ]


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
