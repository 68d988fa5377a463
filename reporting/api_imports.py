"""Transfer-of-care imports in the API (data admins only, as the pages): upload a file (multipart), then read the
import's state, progress and report."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from core import audit
from reporting.models import TransferImport
from reporting.returns.uploads import declared_too_large, may_import, too_large_message, transfer_import_upload


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class IsDataAdmin(BasePermission):
    message = "Only data admins import transfer-of-care files."

    def has_permission(self, request, view):
        return may_import(request.user)


class ProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    field = serializers.CharField()
    reason = serializers.CharField()
    client_id = serializers.CharField()
    episode_id = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    refused = serializers.BooleanField()
    checksum = serializers.CharField()
    problems = ProblemSerializer(many=True)
    created = serializers.DictField(child=serializers.IntegerField())
    people_matched = serializers.IntegerField()
    episodes_already_held = serializers.IntegerField()
    possible_duplicates = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    staff_created = serializers.ListField(child=serializers.CharField())


class TransferImportSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    outcome = serializers.CharField(read_only=True)
    report = ImportReportSerializer(read_only=True, allow_null=True, source="report_or_none")

    class Meta:
        model = TransferImport
        fields = [
            "id",
            "original_name",
            "size",
            "checksum",
            "uploaded_by",
            "uploaded_at",
            "create_staff",
            "dry_run",
            "state",
            "progress",
            "outcome",
            "rows",
            "report",
            "error",
            "started_at",
            "finished_at",
            "file_removed_on",
        ]
        read_only_fields = fields


class TransferImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    create_staff = serializers.BooleanField(default=False)
    dry_run = serializers.BooleanField(default=False)


class TransferImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsDataAdmin]
    serializer_class = TransferImportSerializer
    parser_classes = [MultiPartParser]
    queryset = TransferImport.objects.select_related("uploaded_by")

    def initial(self, request, *args, **kwargs):
        # Judged from the declared length before anything parses the body (the CSRF check of session
        # authentication would read it): a 1 GB upload is refused unread.
        if request.method == "POST" and declared_too_large(request):
            raise PayloadTooLarge({"file": [too_large_message()]})
        super().initial(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit.audit_list_view(request, TransferImport, response.data.get("results", []))
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        audit.audit_view(request, instance)
        return Response(self.get_serializer(instance).data)

    @extend_schema(request=TransferImportUploadSerializer, responses={201: TransferImportSerializer})
    def create(self, request, *args, **kwargs):
        upload = TransferImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            record = transfer_import_upload(
                actor=request.user,
                uploaded_file=upload.validated_data["file"],
                create_staff=upload.validated_data["create_staff"],
                dry_run=upload.validated_data["dry_run"],
            )
        except PermissionDenied as error:
            raise serializers.ValidationError({"file": [str(error)]}) from error
        record.refresh_from_db()
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)
