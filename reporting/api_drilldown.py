"""The drill-down, forecast and data quality lists through the API: the same selectors, scope, permissions
and audit as their pages (`views_drilldown`), paginated like every list."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from core import audit
from core.choices import Role
from referrals.models import Episode
from reporting import drilldown, forecast
from reporting.dq import fix_links, missing_any_item, missing_items
from reporting.models import Kpi
from reporting.periods import month_containing
from reporting.views_drilldown import chosen_period, forecast_scope

PERIOD = OpenApiParameter(
    "period", str, description="FY2025Q1, 2025-04 or 2025-04-01..2025-06-30; default this quarter"
)
TEAM = OpenApiParameter(
    "team", int, description="Team id; a manager's first team by default, the whole service for a data admin"
)


class KpiFailureSerializer(serializers.Serializer):
    record_type = serializers.CharField(help_text="episode, referral or modality")
    record_id = serializers.IntegerField()
    person_id = serializers.IntegerField()
    client_id = serializers.CharField()
    person_name = serializers.CharField()
    reason = serializers.CharField(help_text='Why it missed the KPI, e.g. "W21: waited 29 days, referred ..."')
    url = serializers.CharField(help_text="The page where the record is seen and acted on")


class KpiFailuresView(generics.ListAPIView):
    """The records that missed a KPI for a team and period, each with why (team managers and data admins)."""

    serializer_class = KpiFailureSerializer

    @extend_schema(parameters=[PERIOD, TEAM])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator reads the model only
            return Episode.objects.none()
        drilldown.require_drilldown(self.request.user)
        code = self.kwargs["code"]
        if not Kpi.objects.filter(code=code).exists():
            raise Http404("No such KPI.")
        self.period = chosen_period(self.request, timezone.localdate())
        self.team = drilldown.team_for(self.request.user, self.request.GET.get("team"))
        return drilldown.failing_rows(self.request.user, code, self.period, team=self.team)

    def list(self, request, *args, **kwargs):
        code = kwargs["code"]
        page = self.paginate_queryset(self.get_queryset())
        model = drilldown.row_model(code)
        rows = [
            {
                "record_type": model._meta.model_name,
                "record_id": row.pk,
                "person_id": (person := drilldown.person_of(code, row)).pk,
                "client_id": person.client_id,
                "person_name": str(person),
                "reason": drilldown.reason(code, row, self.period),
                "url": drilldown.record_url(code, row),
            }
            for row in page
        ]
        audit.audit_list_view(
            request,
            model,
            page,
            api="kpi failures",
            kpi=code,
            period=self.period.label,
            team=self.team and self.team.pk,
        )
        return self.get_paginated_response(KpiFailureSerializer(rows, many=True).data)


class AtRiskSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The KPI the record will miss")
    record_id = serializers.IntegerField(help_text="The referral (FC3), episode (RAP3, RAP12) or modality")
    due_on = serializers.DateField(help_text="The last day on which the work still meets the KPI")
    action = serializers.CharField(help_text="What to do, in words")
    url = serializers.CharField()
    person_id = serializers.IntegerField()
    client_id = serializers.CharField()
    person_name = serializers.CharField()
    episode_id = serializers.IntegerField(allow_null=True)


class AtRiskView(generics.ListAPIView):
    """Records that will miss a clock KPI in the next 7 days: a team's (managers, data admins) or, with
    `view=caseload` or for a keyworker, the caller's caseload."""

    serializer_class = AtRiskSerializer

    @extend_schema(parameters=[TEAM, OpenApiParameter("view", str, enum=["caseload"], description="Your own caseload")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator reads the model only
            return Episode.objects.none()
        self.team, scope, _ = forecast_scope(self.request)
        return forecast.at_risk(scope, timezone.localdate())

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        audit.audit_list_view(request, Episode, page, api="kpi at risk", team=self.team and self.team.pk)
        return self.get_paginated_response(AtRiskSerializer(page, many=True).data)


class MissingItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField(help_text="Where the item is filled in")


class DataQualityEpisodeSerializer(serializers.Serializer):
    episode_id = serializers.IntegerField()
    person_id = serializers.IntegerField()
    client_id = serializers.CharField()
    opened_on = serializers.DateField()
    filled = serializers.IntegerField(help_text="Required items filled, of 15")
    missing = MissingItemSerializer(many=True)


class DataQualityEpisodesView(generics.ListAPIView):
    """Open episodes missing a required DQ item this month, each item with where it is filled (data admins)."""

    serializer_class = DataQualityEpisodeSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator reads the model only
            return Episode.objects.none()
        if not self.request.user.has_role(Role.DATA_ADMIN):
            raise PermissionDenied("Only data admins can see the data quality list.")
        month = month_containing(timezone.localdate())
        return missing_any_item(month)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = [
            {
                "episode_id": row.pk,
                "person_id": row.person_id,
                "client_id": row.person.client_id,
                "opened_on": row.opened_on,
                "filled": row.kpi_filled_items,
                "missing": [
                    {"code": gap["item"].code, "label": gap["item"].label, "url": gap["url"]}
                    for gap in fix_links(row, missing_items(row))
                ],
            }
            for row in page
        ]
        audit.audit_list_view(request, Episode, rows, api="data quality")
        return self.get_paginated_response(DataQualityEpisodeSerializer(rows, many=True).data)
