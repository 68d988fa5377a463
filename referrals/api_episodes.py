"""Episode API: episodes (with a discharge action), allocations, partner agencies, community orders,
arrest referrals, breach reports, carers, follow-ups, tasks and the re-engagement list.

Querysets start from the people the user may see (out of scope is a 404); writes call the same services as
the pages, so the same rules and permissions apply.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import AuditedReadMixin
from core.models import DischargeReason, Team, User
from referrals import selectors_episodes as selectors
from referrals.choices import OrderKind, PartnerAgency
from referrals.models import (
    Allocation,
    ArrestReferral,
    BreachReport,
    Carer,
    CommunityOrder,
    Episode,
    FollowUp,
    PartnerInvolvement,
    ReengagementEntry,
    Task,
)
from referrals.services import criminal_justice, episodes
from referrals.views_episodes import CASEWORK_ROLES, MANAGER_ROLES


def _require_role(user, *roles):
    if not (user.is_superuser or user.has_role(*roles)):
        raise PermissionDenied


def _visible_episode(user, pk):
    return get_object_or_404(Episode.objects.visible_to(user), pk=pk)


def _read_only(model):
    return type(
        f"{model.__name__}Serializer",
        (serializers.ModelSerializer,),
        {
            "Meta": type(
                "Meta",
                (),
                {"model": model, "fields": "__all__", "read_only_fields": [f.name for f in model._meta.fields]},
            )
        },
    )


EpisodeSerializer = _read_only(Episode)
AllocationSerializer = _read_only(Allocation)
PartnerInvolvementSerializer = _read_only(PartnerInvolvement)
CommunityOrderSerializer = _read_only(CommunityOrder)
ArrestReferralSerializer = _read_only(ArrestReferral)
BreachReportSerializer = _read_only(BreachReport)
CarerSerializer = _read_only(Carer)
FollowUpSerializer = _read_only(FollowUp)
TaskSerializer = _read_only(Task)
ReengagementEntrySerializer = _read_only(ReengagementEntry)


class DischargeSerializer(serializers.Serializer):
    reason = serializers.PrimaryKeyRelatedField(queryset=DischargeReason.objects.filter(active=True))
    discharged_on = serializers.DateField()
    version = serializers.IntegerField(help_text="The episode version you read.")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class AllocationWriteSerializer(serializers.Serializer):
    episode = serializers.IntegerField()
    assessor = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    keyworker = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.filter(active=True))
    version = serializers.IntegerField(help_text="The episode version you read.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PartnerWriteSerializer(serializers.Serializer):
    episode = serializers.IntegerField()
    agency = serializers.ChoiceField(choices=PartnerAgency.choices)
    started_on = serializers.DateField()
    organisation = serializers.CharField(required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class OrderWriteSerializer(serializers.Serializer):
    episode = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OrderKind.choices)
    order_date = serializers.DateField()
    requirement_months = serializers.IntegerField()
    court = serializers.CharField(required=False, allow_blank=True, default="")
    offender_manager = serializers.CharField(required=False, allow_blank=True, default="")


class ArrestWriteSerializer(serializers.Serializer):
    episode = serializers.IntegerField()
    tested_at = serializers.DateTimeField()
    trigger_offence = serializers.CharField(max_length=200)
    from_other_area = serializers.BooleanField(required=False, default=False)


class ArrestAssessmentSerializer(serializers.Serializer):
    assessed_at = serializers.DateTimeField()
    in_custody = serializers.BooleanField(required=False, default=False)


class BreachWriteSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    missed_appointment_on = serializers.DateField()


class ReportedSerializer(serializers.Serializer):
    reported_on = serializers.DateField()


class CarerWriteSerializer(serializers.Serializer):
    episode = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    relationship = serializers.CharField(max_length=100)
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    support_started_on = serializers.DateField()
    support_planned_end = serializers.DateField()


class CarerEndSerializer(serializers.Serializer):
    support_ended_on = serializers.DateField()


class FollowUpDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField()
    outcome = serializers.CharField()


class ReengagementCloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField()
    outcome = serializers.CharField()


class ScopedViewSet(AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = None
    write_serializer_class = None

    def get_queryset(self):
        return selectors.scoped(self.model, self.request.user).order_by("pk")

    def _validated(self, serializer_class=None):
        serializer = (serializer_class or self.write_serializer_class)(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _created(self, instance):
        return Response(self.serializer_class(instance).data, status=201)


class EpisodeViewSet(ScopedViewSet):
    serializer_class = EpisodeSerializer

    def get_queryset(self):
        return Episode.objects.visible_to(self.request.user).order_by("pk")

    @extend_schema(request=DischargeSerializer, responses=EpisodeSerializer)
    @action(detail=True, methods=["post"])
    def discharge(self, request, pk=None):
        _require_role(request.user, *CASEWORK_ROLES)
        episode = self.get_object()
        data = self._validated(DischargeSerializer)
        episode = episodes.episode_discharge(
            episode=episode,
            reason=data["reason"],
            discharged_on=data["discharged_on"],
            expected_version=data["version"],
            by=request.user,
            notes=data["notes"],
        )
        return Response(EpisodeSerializer(episode).data)


class AllocationViewSet(mixins.CreateModelMixin, ScopedViewSet):
    model = Allocation
    serializer_class = AllocationSerializer
    write_serializer_class = AllocationWriteSerializer

    @extend_schema(request=AllocationWriteSerializer, responses={201: AllocationSerializer})
    def create(self, request, *args, **kwargs):
        _require_role(request.user, *MANAGER_ROLES)
        data = self._validated()
        episode = _visible_episode(request.user, data["episode"])
        return self._created(
            episodes.allocate(
                episode=episode,
                assessor=data["assessor"],
                keyworker=data["keyworker"],
                team=data["team"],
                expected_version=data["version"],
                by=request.user,
                reason=data["reason"],
            )
        )


class PartnerInvolvementViewSet(mixins.CreateModelMixin, ScopedViewSet):
    model = PartnerInvolvement
    serializer_class = PartnerInvolvementSerializer
    write_serializer_class = PartnerWriteSerializer

    @extend_schema(request=PartnerWriteSerializer, responses={201: PartnerInvolvementSerializer})
    def create(self, request, *args, **kwargs):
        _require_role(request.user, *CASEWORK_ROLES)
        data = self._validated()
        episode = _visible_episode(request.user, data.pop("episode"))
        return self._created(episodes.add_partner_involvement(episode=episode, by=request.user, **data))


class CommunityOrderViewSet(mixins.CreateModelMixin, ScopedViewSet):
    model = CommunityOrder
    serializer_class = CommunityOrderSerializer
    write_serializer_class = OrderWriteSerializer

    @extend_schema(request=OrderWriteSerializer, responses={201: CommunityOrderSerializer})
    def create(self, request, *args, **kwargs):
        _require_role(request.user, *CASEWORK_ROLES)
        data = self._validated()
        episode = _visible_episode(request.user, data.pop("episode"))
        return self._created(
            criminal_justice.add_community_order(person=episode.person, episode=episode, by=request.user, **data)
        )


class ArrestReferralViewSet(mixins.CreateModelMixin, ScopedViewSet):
    model = ArrestReferral
    serializer_class = ArrestReferralSerializer
    write_serializer_class = ArrestWriteSerializer

    @extend_schema(request=ArrestWriteSerializer, responses={201: ArrestReferralSerializer})
    def create(self, request, *args, **kwargs):
        _require_role(request.user, *CASEWORK_ROLES)
        data = self._validated()
        episode = _visible_episode(request.user, data.pop("episode"))
        return self._created(criminal_justice.add_arrest_referral(person=episode.person, by=request.user, **data))

    @extend_schema(request=ArrestAssessmentSerializer, responses=ArrestReferralSerializer)
    @action(detail=True, methods=["post"])
    def assessment(self, request, pk=None):
        _require_role(request.user, *CASEWORK_ROLES)
        referral = self.get_object()
        data = self._validated(ArrestAssessmentSerializer)
        referral = criminal_justice.record_arrest_assessment(
            referral=referral, assessed_at=data["assessed_at"], in_custody=data["in_custody"], by=request.user
        )
        return Response(ArrestReferralSerializer(referral).data)


class BreachReportViewSet(mixins.CreateModelMixin, ScopedViewSet):
    model = BreachReport
    serializer_class = BreachReportSerializer
    write_serializer_class = BreachWriteSerializer

    @extend_schema(request=BreachWriteSerializer, responses={201: BreachReportSerializer})
    def create(self, request, *args, **kwargs):
        _require_role(request.user, *CASEWORK_ROLES)
        data = self._validated()
        order = get_object_or_404(selectors.scoped(CommunityOrder, request.user), pk=data["order"])
        return self._created(
            criminal_justice.add_breach_report(
                order=order, missed_appointment_on=data["missed_appointment_on"], by=request.user
            )
        )

    @extend_schema(request=ReportedSerializer, responses=BreachReportSerializer)
    @action(detail=True, methods=["post"])
    def reported(self, request, pk=None):
        _require_role(request.user, *CASEWORK_ROLES)
        breach = self.get_object()
        data = self._validated(ReportedSerializer)
        breach = criminal_justice.mark_breach_reported(breach=breach, reported_on=data["reported_on"], by=request.user)
        return Response(BreachReportSerializer(breach).data)


class CarerViewSet(mixins.CreateModelMixin, ScopedViewSet):
    model = Carer
    serializer_class = CarerSerializer
    write_serializer_class = CarerWriteSerializer

    @extend_schema(request=CarerWriteSerializer, responses={201: CarerSerializer})
    def create(self, request, *args, **kwargs):
        _require_role(request.user, *CASEWORK_ROLES)
        data = self._validated()
        episode = _visible_episode(request.user, data.pop("episode"))
        return self._created(episodes.add_carer(person=episode.person, by=request.user, **data))

    @extend_schema(request=CarerEndSerializer, responses=CarerSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        _require_role(request.user, *CASEWORK_ROLES)
        carer = self.get_object()
        data = self._validated(CarerEndSerializer)
        carer = episodes.carer_support_end(carer=carer, ended_on=data["support_ended_on"], by=request.user)
        return Response(CarerSerializer(carer).data)


class FollowUpViewSet(ScopedViewSet):
    model = FollowUp
    serializer_class = FollowUpSerializer

    @extend_schema(request=FollowUpDoneSerializer, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        _require_role(request.user, *CASEWORK_ROLES)
        follow_up = self.get_object()
        data = self._validated(FollowUpDoneSerializer)
        follow_up = episodes.follow_up_record(follow_up=follow_up, by=request.user, **data)
        return Response(FollowUpSerializer(follow_up).data)


class TaskViewSet(ScopedViewSet):
    """My work list (open tasks I own, and my teams' open tasks that no one person owns); `done` marks one done
    (its owner, a member of the team that owns it, or their team manager)."""

    model = Task
    queryset = Task.objects.none()  # the model for the schema generator, which has no user to scope by
    serializer_class = TaskSerializer

    def get_queryset(self):
        if self.action == "list":
            return selectors.open_tasks_for(self.request.user)
        return Task.objects.visible_to(self.request.user).order_by("due_on", "pk")

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        task = self.get_object()
        if not episodes.can_complete_task(request.user, task):
            raise PermissionDenied
        return Response(TaskSerializer(episodes.mark_task_done(task=task, by=request.user)).data)


class ReengagementViewSet(ScopedViewSet):
    model = ReengagementEntry
    queryset = ReengagementEntry.objects.none()  # the model for the schema generator, which has no user
    serializer_class = ReengagementEntrySerializer

    def get_queryset(self):
        _require_role(self.request.user, *episodes.REENGAGEMENT_ROLES)
        if self.action == "close":
            # A closed entry is off the list but still answers "already closed" rather than a 404.
            return selectors.scoped(ReengagementEntry, self.request.user).order_by("pk")
        return selectors.reengagement_entries(self.request.user).order_by("pk")

    @extend_schema(request=ReengagementCloseSerializer, responses=ReengagementEntrySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        entry = self.get_object()
        data = self._validated(ReengagementCloseSerializer)
        entry = episodes.reengagement_close(entry=entry, by=request.user, **data)
        return Response(ReengagementEntrySerializer(entry).data)
