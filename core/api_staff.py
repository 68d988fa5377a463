"""Staff accounts through the API, for data admins: the same service, rules and audit as the pages."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import staff_accounts
from core.api import AuditedReadMixin
from core.api_views import IsDataAdmin
from core.choices import Role
from core.models import Team


class StaffAccountSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    teams = serializers.SerializerMethodField()
    fingerprint = serializers.SerializerMethodField(help_text="Send back as `expected` on a change.")

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "first_name", "last_name", "email", "is_active", "roles", "teams", "fingerprint"]
        read_only_fields = fields

    def get_roles(self, user) -> list[str]:
        return staff_accounts.role_values(user)

    def get_teams(self, user) -> list[int]:
        return sorted(team.pk for team in user.teams.all())

    def get_fingerprint(self, user) -> str:
        return staff_accounts.fingerprint(user)


class StaffDetailsSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), allow_empty=False)
    teams = serializers.PrimaryKeyRelatedField(queryset=Team.objects.filter(active=True), many=True, default=list)


class StaffCreateSerializer(StaffDetailsSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, help_text="The first password; they enrol two-factor at sign-in.")


class StaffChangeSerializer(StaffDetailsSerializer):
    expected = serializers.CharField(help_text="The `fingerprint` you read: a change made since is refused (409).")


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True)


class ActiveSerializer(serializers.Serializer):
    is_active = serializers.BooleanField()
    expected = serializers.CharField()


class StaffAccountViewSet(AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Staff accounts (data admins only): create, change roles and teams, deactivate, set a new password."""

    queryset = staff_accounts.accounts()
    serializer_class = StaffAccountSerializer
    permission_classes = [IsDataAdmin]
    keyset_ordering = ("last_name", "first_name", "username", "pk")

    def _respond(self, user, code=status.HTTP_200_OK):
        user = staff_accounts.accounts().get(pk=user.pk)
        return Response(StaffAccountSerializer(user).data, status=code)

    @extend_schema(request=StaffCreateSerializer, responses={201: StaffAccountSerializer})
    def create(self, request):
        serializer = StaffCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = staff_accounts.create_account(actor=request.user, **serializer.validated_data)
        return self._respond(user, status.HTTP_201_CREATED)

    @extend_schema(request=StaffChangeSerializer, responses={200: StaffAccountSerializer})
    def update(self, request, pk=None):
        serializer = StaffChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = staff_accounts.update_account(actor=request.user, user=self.get_object(), **serializer.validated_data)
        return self._respond(user)

    @extend_schema(request=ActiveSerializer, responses={200: StaffAccountSerializer})
    @action(detail=True, methods=["post"])
    def active(self, request, pk=None):
        """Deactivate (`is_active: false`: no sign-in, sessions end) or reactivate an account."""
        serializer = ActiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = staff_accounts.set_active(
            actor=request.user, user=self.get_object(), active=data["is_active"], expected=data["expected"]
        )
        return self._respond(user)

    @extend_schema(request=PasswordSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def password(self, request, pk=None):
        """Set a new password; their sessions end."""
        serializer = PasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        staff_accounts.reset_password(
            actor=request.user, user=self.get_object(), password=serializer.validated_data["password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
