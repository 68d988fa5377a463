"""KPI catalogue, stored figures (aggregates only) and recomputations, with the pages' permissions."""

import django_filters
from rest_framework import mixins, permissions, viewsets

from core.choices import Role
from core.replica import ReportReadsMixin
from reporting.dashboard.suppression import snapshots_withheld_across_teams
from reporting.models import Kpi, KpiRecomputation, KpiSnapshot
from reporting.serializers import KpiRecomputationSerializer, KpiSerializer, KpiSnapshotSerializer
from reporting.services import kpi_recomputation_request, may_recompute

READ_ROLES = (Role.COMMISSIONER, Role.DATA_ADMIN, Role.TEAM_MANAGER)


def sees_every_scope(user) -> bool:
    return user.is_superuser or user.has_role(Role.COMMISSIONER, Role.DATA_ADMIN)


class ReadsKpis(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(*READ_ROLES)))


class RecomputesKpis(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and may_recompute(user))


class KpiViewSet(ReportReadsMixin, viewsets.ReadOnlyModelViewSet):
    """The KPI catalogue (domain.md 5): codes, populations, numerators and targets."""

    queryset = Kpi.objects.order_by("sort_order", "code")
    serializer_class = KpiSerializer
    permission_classes = [ReadsKpis]
    lookup_field = "code"
    lookup_value_converter = "str"
    pagination_class = None


class KpiSnapshotFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(field_name="period_label", help_text="FY2025Q1, 2025-04 or a range label.")
    team = django_filters.CharFilter(method="filter_team", help_text="A team's code, or `service` for the whole.")
    kpi = django_filters.CharFilter(field_name="kpi__code")

    class Meta:
        model = KpiSnapshot
        fields = ["period", "team", "kpi"]

    def filter_team(self, queryset, name, value):
        if value == "service":
            return queryset.filter(team__isnull=True)
        return queryset.filter(team__code=value)


class KpiSnapshotViewSet(ReportReadsMixin, viewsets.ReadOnlyModelViewSet):
    """Stored KPI figures (aggregates only). Commissioners and data admins see every scope; a team manager sees
    the figures of their own teams."""

    queryset = KpiSnapshot.objects.none()  # names the model for the schema; get_queryset scopes the rows
    serializer_class = KpiSnapshotSerializer
    permission_classes = [ReadsKpis]
    filterset_class = KpiSnapshotFilter

    def get_queryset(self):
        user = self.request.user
        snapshots = KpiSnapshot.objects.select_related("kpi", "team").order_by(
            "-period_start", "period_label", "team__name", "kpi__sort_order"
        )
        if sees_every_scope(user):
            return snapshots
        return snapshots.filter(team__in=user.teams.all())

    def get_serializer_context(self):
        user = self.request.user
        aggregates_only = user.is_authenticated and user.has_role(Role.COMMISSIONER)
        sees_records = user.is_authenticated and (user.is_superuser or user.has_role(Role.DATA_ADMIN))
        return {**super().get_serializer_context(), "suppress_small_numbers": aggregates_only and not sees_records}

    def get_serializer(self, *args, **kwargs):
        """For a commissioner, a team's figure is also withheld when the whole service minus the other teams'
        figures would give back one that is (the dashboard's rule 4, `reporting.dashboard.suppression`)."""
        context = {**self.get_serializer_context(), **kwargs.pop("context", {})}
        if context["suppress_small_numbers"] and args:
            shown = args[0] if kwargs.get("many") else [args[0]]
            context["withheld_across_teams"] = snapshots_withheld_across_teams(shown)
        return self.get_serializer_class()(*args, **kwargs, context=context)


class KpiRecomputationViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Ask for every KPI of a period to be recomputed, and follow its progress."""

    queryset = KpiRecomputation.objects.select_related("requested_by").order_by("-requested_at", "-id")
    serializer_class = KpiRecomputationSerializer
    permission_classes = [RecomputesKpis]

    def perform_create(self, serializer):
        serializer.instance = kpi_recomputation_request(
            user=self.request.user, period=serializer.validated_data["period"]
        )
