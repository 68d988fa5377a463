"""The work lists through the API: the same selectors, roles, paging and audit as the pages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from core import audit
from core.models import User
from referrals.models import Episode, FollowUp
from worklists import access, selectors


class TeamEpisodeSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.__str__")
    client_id = serializers.CharField(source="person.client_id")
    team_name = serializers.CharField(source="team.name")
    keyworker_name = serializers.CharField(allow_null=True)
    stage = serializers.ChoiceField(choices=selectors.Stage.choices)
    review_due_on = serializers.DateField(allow_null=True)

    class Meta:
        model = Episode
        fields = [
            "id",
            "episode_id",
            "person",
            "person_name",
            "client_id",
            "team",
            "team_name",
            "opened_on",
            "keyworker_name",
            "stage",
            "review_due_on",
        ]
        read_only_fields = fields


class FollowUpRowSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="episode.person_id")
    person_name = serializers.CharField(source="episode.person.__str__")
    discharged_on = serializers.DateField(source="episode.discharged_on")

    class Meta:
        model = FollowUp
        fields = ["id", "episode", "person", "person_name", "discharged_on", "kind", "due_on", "keyworker", "team"]
        read_only_fields = fields


class TeamMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__")
    caseload = serializers.IntegerField()
    open_tasks = serializers.IntegerField()
    overdue_tasks = serializers.IntegerField()
    follow_ups_due = serializers.IntegerField()

    class Meta:
        model = User
        fields = ["id", "name", "caseload_capacity", "caseload", "open_tasks", "overdue_tasks", "follow_ups_due"]
        read_only_fields = fields


class WorkListView(ListAPIView):
    roles: tuple = ()
    audited_model = None

    def list(self, request, *args, **kwargs):
        access.require(request.user, self.roles)
        rows = self.paginate_queryset(self.get_queryset())
        audit.audit_list_view(request, self.audited_model, rows, filters=request.query_params.dict())
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


@extend_schema(
    parameters=[
        OpenApiParameter("stage", str, enum=selectors.Stage.values, description="Only episodes at this stage."),
        OpenApiParameter("keyworker", int, description="Only episodes allocated to this keyworker."),
    ]
)
class TeamEpisodesView(WorkListView):
    """Open episodes of your teams with their stage, longest open first (assessors, team managers)."""

    serializer_class = TeamEpisodeSerializer
    roles = access.TEAM_EPISODES_ROLES
    audited_model = Episode
    keyset_ordering = ("opened_on", "pk")

    def get_queryset(self):
        stage = self.request.query_params.get("stage", "")
        keyworker = self.request.query_params.get("keyworker", "")
        return selectors.team_episodes(
            self.request.user,
            stage=stage if stage in selectors.Stage.values else "",
            keyworker_id=int(keyworker) if keyworker.isdigit() else None,
        )


@extend_schema(parameters=[OpenApiParameter("show", str, enum=["mine"], description="Only your own follow-ups.")])
class FollowUpsView(WorkListView):
    """Follow-ups not yet recorded, owned by your teams or by you, soonest due first."""

    serializer_class = FollowUpRowSerializer
    roles = access.FOLLOW_UPS_ROLES
    audited_model = FollowUp
    keyset_ordering = ("due_on", "pk")

    def get_queryset(self):
        return selectors.team_follow_ups(self.request.user, mine_only=self.request.query_params.get("show") == "mine")


class TeamView(WorkListView):
    """The members of your teams with their workload (team managers)."""

    serializer_class = TeamMemberSerializer
    roles = access.TEAM_ROLES
    audited_model = User
    keyset_ordering = ("last_name", "first_name", "pk")

    def get_queryset(self):
        return selectors.team_members(self.request.user)
