import django_filters
from django.apps import apps
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core import audit, sign_in, subject_access, two_factor
from core.api import AuditedReadMixin
from core.choices import Role
from core.errors import DomainError
from core.models import AuditEvent, JobRun
from core.roles import REFERENCE_MODELS
from core.serializers import AuditEventSerializer, JobRunSerializer, MeSerializer, ReferenceCodeSerializer


class IsDataAdmin(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(Role.DATA_ADMIN)))


class MeView(generics.RetrieveAPIView):
    """The signed-in member of staff, with roles and teams (what the pages use to build menus)."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class ReferenceListView(APIView):
    """Any reference code list (domain.md 3 and 4a), for forms and imports. Codes are not identifiable."""

    @extend_schema(
        parameters=[OpenApiParameter("list_name", str, OpenApiParameter.PATH, enum=REFERENCE_MODELS)],
        responses=ReferenceCodeSerializer(many=True),
    )
    def get(self, request, list_name):
        if list_name not in REFERENCE_MODELS:
            raise Http404
        rows = apps.get_model("core", list_name).objects.all()
        return Response(ReferenceCodeSerializer(rows, many=True).data)


class AuditEventFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lte")

    class Meta:
        model = AuditEvent
        fields = ["action", "actor_username", "object_type", "object_id", "request_id"]


class AuditEventViewSet(AuditedReadMixin, viewsets.ReadOnlyModelViewSet):
    """The audit log, for data admins. Reading it is itself audited (who looked at whose trail): a list with
    the ids of the events shown, a single event by itself."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    permission_classes = [IsDataAdmin]
    filterset_class = AuditEventFilter


class JobRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Status of background jobs: each person sees the jobs they asked for; data admins see all."""

    queryset = JobRun.objects.none()  # names the model for the schema; get_queryset scopes the rows
    serializer_class = JobRunSerializer

    def get_queryset(self):
        user = self.request.user
        jobs = JobRun.objects.all()
        if user.is_superuser or user.has_role(Role.DATA_ADMIN):
            return jobs
        return jobs.filter(requested_by=user)


class TwoFactorResetView(APIView):
    """A data admin resets a member of staff's lost two-factor device: devices removed, sessions ended, audited."""

    permission_classes = [IsDataAdmin]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, pk):
        member = generics.get_object_or_404(get_user_model().objects.filter(is_active=True), pk=pk)
        try:
            two_factor.two_factor_reset(user=member, by=request.user)
        except DomainError as error:
            raise ValidationError({error.field or "non_field_errors": [error.message]}) from None
        return Response(status=204)


class SignInUnlockView(APIView):
    """A data admin clears a member of staff's failed sign-ins so they can try again now; audited."""

    permission_classes = [IsDataAdmin]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, pk):
        member = generics.get_object_or_404(get_user_model().objects.filter(is_active=True), pk=pk)
        sign_in.sign_in_unlock(user=member, by=request.user)
        return Response(status=204)


class SubjectAccessView(generics.ListAPIView):
    """Every audit row about a person or one of their records, newest first, for a subject access request
    (data admins only). Reading it is audited as a read of the person, naming the rows shown."""

    serializer_class = AuditEventSerializer
    permission_classes = [IsDataAdmin]
    queryset = AuditEvent.objects.none()  # names the model for the schema; get_queryset finds the rows

    def get_queryset(self):
        self.person = get_object_or_404(subject_access.people().visible_to(self.request.user), pk=self.kwargs["pk"])
        return subject_access.audit_rows(self.person)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        shown = [row["id"] for row in response.data["results"]]
        audit.audit_view(request, self.person, page="subject access API", events=shown)
        return response
