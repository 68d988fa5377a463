from rest_framework import serializers

from core.models import AuditEvent, JobRun, Team, User


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "kind", "active"]


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    teams = TeamSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "gender", "caseload_capacity", "roles", "teams"]

    def get_roles(self, user) -> list[str]:
        return sorted(user.roles)


class ReferenceCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    active = serializers.BooleanField()
    extra = serializers.SerializerMethodField(help_text="List-specific attributes, such as a substance's group.")

    def get_extra(self, row) -> dict:
        base = {"id", "code", "label", "active", "sort_order"}
        return {f.name: getattr(row, f.name) for f in row._meta.concrete_fields if f.name not in base}


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor_username",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "request_id",
            "ip_address",
            "path",
            "details",
        ]


class JobRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobRun
        fields = [
            "id",
            "name",
            "state",
            "progress",
            "parameters",
            "result",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
