"""Return exports over the API, for data admins only (as the pages): ask for one (a task to poll), follow it,
read the problems found and download the file."""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import audit
from core.choices import AuditAction
from reporting.choices import ExportKind
from reporting.models import ReturnExport
from reporting.returns.services import may_export, private_path, return_export_request


class ExportsReturns(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and may_export(request.user))


class ReturnExportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    period = serializers.CharField(
        required=False, allow_blank=True, help_text="For a monthly return: the month, YYYY-MM (for example 2025-04)."
    )


class ReturnProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    field = serializers.CharField()
    reason = serializers.CharField()
    client_id = serializers.CharField()
    episode_id = serializers.CharField()
    referral_id = serializers.IntegerField(allow_null=True)


class ReturnExportSerializer(serializers.ModelSerializer):
    requested_by = serializers.StringRelatedField()
    sent_by = serializers.StringRelatedField()
    download = serializers.SerializerMethodField(help_text="Where the file is, once it is written.")

    class Meta:
        model = ReturnExport
        fields = [
            "id",
            "kind",
            "period",
            "as_of",
            "state",
            "progress",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "error",
            "file_name",
            "checksum",
            "size",
            "episode_rows",
            "top_rows",
            "problem_count",
            "sent_at",
            "sent_by",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, export) -> str | None:
        if not export.downloadable:
            return None
        return self.context["request"].build_absolute_uri(f"/api/v1/return-exports/{export.pk}/file/")


class ReturnExportViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Exports of the monthly return and the transfer-of-care file. POST asks for one and answers 202 with the
    export to poll (`state`, `progress`); `file/` downloads it once `state` is `done`."""

    queryset = ReturnExport.objects.select_related("requested_by", "sent_by").order_by("-requested_at", "-id")
    serializer_class = ReturnExportSerializer
    permission_classes = [ExportsReturns]

    @extend_schema(request=ReturnExportRequestSerializer, responses={202: ReturnExportSerializer})
    def create(self, request, *args, **kwargs):
        given = ReturnExportRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        export = return_export_request(
            user=request.user, kind=given.validated_data["kind"], period=given.validated_data.get("period", "")
        )
        return Response(self.get_serializer(export).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: ReturnProblemSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def problems(self, request, pk=None):
        """The problems the import's rules found in the file, by line (the first 2,000; `problem_count` is all)."""
        export = self.get_object()
        return Response(ReturnProblemSerializer(export.problems, many=True).data)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as written.")}
    )
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        export = self.get_object()
        if not export.downloadable:
            raise Http404("This export has no file: it is not finished, or its file was removed after 30 days.")
        audit.record(
            AuditAction.EXPORT,
            export,
            actor=request.user,
            details={"download": export.file_name, "checksum": export.checksum, "final": False, "api": True},
        )
        response = FileResponse(
            private_path(export.file_path).open("rb"), as_attachment=True, filename=export.file_name
        )
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response
