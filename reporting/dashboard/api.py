"""The dashboard's API under /api/v1/: comparators (data admins write, commissioners read), the management
information of a quarter (suppressed exactly as on the page), quarterly reports, and service user feedback.
Each endpoint asks the same question of `access` as its page."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core import audit
from core.api import AuditedReadMixin
from core.choices import AuditAction
from core.models import Team
from core.replica import ReportReadsMixin
from reporting.dashboard import access, selectors, services
from reporting.models import Kpi, KpiComparator, QuarterlyReport, ServiceFeedback
from reporting.periods import QUARTER, PeriodError, parse_period


class DashboardReaders(permissions.BasePermission):
    """Commissioners and data admins read; only data admins write (comparators)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or getattr(view, "dashboard_write", False):
            return access.may_view_dashboard(request.user)
        return access.may_enter_comparators(request.user)


class FeedbackWriters(permissions.BasePermission):
    def has_permission(self, request, view):
        return access.may_record_feedback(request.user)


class KpiComparatorSerializer(serializers.ModelSerializer):
    kpi = serializers.SlugRelatedField(slug_field="code", queryset=Kpi.objects.all())

    class Meta:
        model = KpiComparator
        fields = ["id", "kpi", "period_label", "national_value", "similar_areas_value", "source", "updated_at"]
        read_only_fields = ["updated_at"]
        # The service checks the pair with the quarter's own message (one rule, one place).
        validators = []


class KpiComparatorViewSet(ReportReadsMixin, viewsets.ModelViewSet):
    """Published comparators per KPI and quarter. Filter with `?period=FY2025Q1` and `?kpi=W21`."""

    serializer_class = KpiComparatorSerializer
    permission_classes = [DashboardReaders]
    filterset_fields = ["period_label"]

    def get_queryset(self):
        queryset = KpiComparator.objects.select_related("kpi").order_by("-period_label", "kpi__sort_order")
        if period := self.request.query_params.get("period"):
            queryset = queryset.filter(period_label=period)
        if code := self.request.query_params.get("kpi"):
            queryset = queryset.filter(kpi__code=code)
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, description="A financial quarter, for example FY2025Q1."),
            OpenApiParameter("kpi", str, description="A KPI code, for example W21."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.comparator_save(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        current = KpiComparator.objects.get(pk=serializer.instance.pk)
        data = {
            name: serializer.validated_data.get(name, getattr(current, name))
            for name in ("kpi", "period_label", "national_value", "similar_areas_value", "source")
        }
        serializer.instance = services.comparator_save(actor=self.request.user, comparator=current, **data)

    def perform_destroy(self, instance):
        audit.record(AuditAction.DELETE, instance, actor=self.request.user, details={"period": instance.period_label})
        instance.delete()


class ManagementInformationRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    text = serializers.CharField(help_text="The figure as shown: a number, <5, withheld, or a measure with its unit.")


class ManagementInformationTableSerializer(serializers.Serializer):
    kind = serializers.CharField()
    caption = serializers.CharField()
    rows = ManagementInformationRowSerializer(many=True)
    total_text = serializers.CharField(required=False)
    population_text = serializers.CharField(required=False)
    note = serializers.CharField(required=False)


class ManagementInformationSectionSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="SPEC section 17 item, 1 to 20.")
    title = serializers.CharField()
    note = serializers.CharField()
    tables = ManagementInformationTableSerializer(many=True)


class ManagementInformationSerializer(serializers.Serializer):
    period = serializers.CharField()
    team = serializers.IntegerField(allow_null=True)
    computed = serializers.BooleanField()
    sections = ManagementInformationSectionSerializer(many=True)


def _period_and_team(request):
    try:
        period = parse_period(request.query_params.get("period", ""))
    except PeriodError as error:
        raise serializers.ValidationError({"period": [str(error)]}) from None
    if not QUARTER.match(period.label):
        raise serializers.ValidationError({"period": ["Choose a financial quarter, for example FY2025Q1."]})
    team = None
    if team_id := request.query_params.get("team"):
        team = next((t for t in selectors.scope_teams() if str(t.pk) == team_id), None)
        if team is None:
            raise serializers.ValidationError({"team": [f"No ARM or ESAP team has the id {team_id}."]})
    return period, team


class ManagementInformationView(ReportReadsMixin, APIView):
    """The quarterly management information (SPEC 17 items 1-20) of a quarter and scope, with small numbers
    suppressed as on the dashboard. Read from the stored aggregate snapshot."""

    permission_classes = [DashboardReaders]

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, required=True, description="A financial quarter, for example FY2025Q1."),
            OpenApiParameter("team", int, description="An ARM or ESAP team id; leave out for the whole service."),
        ],
        responses=ManagementInformationSerializer,
    )
    def get(self, request):
        period, team = _period_and_team(request)
        board = selectors.dashboard(period=period, team=team, charts=False)
        return Response(
            ManagementInformationSerializer(
                {
                    "period": period.label,
                    "team": team.pk if team else None,
                    "computed": board.mi is not None,
                    "sections": board.mi or [],
                }
            ).data
        )


class QuarterlyReportSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="job.state", read_only=True)
    progress = serializers.IntegerField(source="job.progress", read_only=True)
    job = serializers.PrimaryKeyRelatedField(read_only=True)
    file_name = serializers.CharField(read_only=True)

    class Meta:
        model = QuarterlyReport
        fields = ["id", "period_label", "team", "state", "progress", "job", "file_name", "created_at"]


class QuarterlyReportRequestSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="A financial quarter, for example FY2025Q1.")
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)


class QuarterlyReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Quarterly report PDFs: request one (made by a Celery job; poll `state`), list them, download one (audited)."""

    serializer_class = QuarterlyReportSerializer
    permission_classes = [DashboardReaders]
    dashboard_write = True  # requesting a report is open to every reader

    def get_queryset(self):
        return QuarterlyReport.objects.select_related("job", "team").defer("pdf")

    @extend_schema(request=QuarterlyReportRequestSerializer, responses={201: QuarterlyReportSerializer})
    def create(self, request, *args, **kwargs):
        given = QuarterlyReportRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            period = parse_period(given.validated_data["period"])
        except PeriodError as error:
            return Response({"period": [str(error)]}, status=status.HTTP_400_BAD_REQUEST)
        report = services.report_request(actor=request.user, period=period, team=given.validated_data.get("team"))
        report = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        report = get_object_or_404(QuarterlyReport.objects.select_related("team"), pk=pk)
        if not report.pdf:
            raise Http404("This report has not been made yet.")
        audit.record(
            AuditAction.EXPORT,
            report,
            actor=request.user,
            details={"period": report.period_label, "team": report.team_id, "file": report.file_name, "api": True},
        )
        return FileResponse(
            iter([bytes(report.pdf)]), content_type="application/pdf", as_attachment=True, filename=report.file_name
        )


class ServiceFeedbackSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())

    class Meta:
        model = ServiceFeedback
        fields = ["id", "received_on", "team", "rating", "comment", "given_by", "recorded_at"]
        read_only_fields = ["recorded_at"]
        extra_kwargs = {"rating": {"min_value": 1, "max_value": 5}}


class ServiceFeedbackViewSet(
    AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Service user feedback, recorded by staff for their own teams. Commissioners never read it here: they see
    the counts and ratings in the management information."""

    serializer_class = ServiceFeedbackSerializer
    permission_classes = [FeedbackWriters]
    queryset = ServiceFeedback.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return ServiceFeedback.objects.filter(team__in=services.feedback_teams(self.request.user)).select_related(
            "team"
        )

    def perform_create(self, serializer):
        serializer.instance = services.feedback_record(actor=self.request.user, **serializer.validated_data)
