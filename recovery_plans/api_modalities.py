"""Modality API under /api/v1/: modalities (list and read scoped to the user, refer, and the actions offer,
start, end and review, with the waiting clock in the output) and sub-intervention reviews (read). Writes
call `services.modalities`, so the API refuses exactly what the pages refuse, with the same permissions."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import AuditedReadMixin
from core.models import ModalityExitStatus, ModalitySetting, Team
from recovery_plans import selectors_modalities as selectors
from recovery_plans.clocks import modality_clock, waiting_clock
from recovery_plans.models import Intervention, Modality, ModalityReview
from recovery_plans.services import modalities as services
from recovery_plans.services.modalities import sub_intervention_review_due
from recovery_plans.views_modalities import VIEW_PERMISSION
from referrals.models import Episode


class ModalitySerializer(serializers.ModelSerializer):
    intervention_code = serializers.CharField(source="intervention.code", read_only=True)
    modality_type_code = serializers.CharField(source="modality_type.code", read_only=True)
    setting_code = serializers.CharField(source="setting.code", read_only=True)
    exit_status_code = serializers.CharField(source="exit_status.code", read_only=True, default=None)
    waiting_days = serializers.SerializerMethodField(help_text="Days from referral to today, while not started.")
    waiting_working_days = serializers.SerializerMethodField()
    clock_status = serializers.SerializerMethodField(help_text="on_track (days 0-14), amber (15-20) or red (21+).")
    clock_label = serializers.SerializerMethodField(help_text="The words on the page's tag.")
    waited_days = serializers.SerializerMethodField(help_text="Referral to start, once started.")
    latest_review_on = serializers.DateField(source="latest_review", read_only=True, help_text="SUBMODDT")
    next_review_due = serializers.SerializerMethodField()

    class Meta:
        model = Modality
        fields = [
            "id",
            "episode",
            "intervention",
            "intervention_code",
            "modality_type",
            "modality_type_code",
            "setting",
            "setting_code",
            "provider_team",
            "provider",
            "referred_on",
            "first_offered_on",
            "started_on",
            "ended_on",
            "exit_status",
            "exit_status_code",
            "end_reason",
            "referred_by",
            "version",
            "waiting_days",
            "waiting_working_days",
            "clock_status",
            "clock_label",
            "waited_days",
            "latest_review_on",
            "next_review_due",
        ]
        read_only_fields = fields

    def _clock(self, obj):
        return modality_clock(obj, self.context.get("today") or timezone.localdate())

    def get_waiting_days(self, obj) -> int | None:
        clock = self._clock(obj)
        return clock.days if clock else None

    def get_waiting_working_days(self, obj) -> int | None:
        clock = self._clock(obj)
        return clock.working_days if clock else None

    def get_clock_status(self, obj) -> str | None:
        clock = self._clock(obj)
        return clock.status if clock else None

    def get_clock_label(self, obj) -> str | None:
        clock = self._clock(obj)
        return clock.tag_text if clock else None

    def get_waited_days(self, obj) -> int | None:
        return waiting_clock(obj.referred_on, obj.started_on).days if obj.started_on else None

    def get_next_review_due(self, obj) -> date | None:
        return sub_intervention_review_due(obj, getattr(obj, "latest_review", None))


class ModalityReferSerializer(serializers.Serializer):
    episode = serializers.IntegerField()
    intervention = serializers.PrimaryKeyRelatedField(queryset=Intervention.objects.filter(active=True))
    setting = serializers.PrimaryKeyRelatedField(queryset=ModalitySetting.objects.filter(active=True))
    referred_on = serializers.DateField()
    provider_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(active=True), required=False, allow_null=True, default=None
    )
    provider = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def validate(self, data):
        if data.get("provider_team") is None and not data.get("provider", "").strip():
            raise serializers.ValidationError({"provider_team": "Choose a provider team or name the provider."})
        return data


class ModalityVersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version of the modality you read; a stale one is a 409.")


class ModalityOfferSerializer(ModalityVersionedSerializer):
    first_offered_on = serializers.DateField()


class ModalityStartSerializer(ModalityVersionedSerializer):
    started_on = serializers.DateField()


class ModalityEndSerializer(ModalityVersionedSerializer):
    ended_on = serializers.DateField(allow_null=True)
    exit_status = serializers.PrimaryKeyRelatedField(queryset=ModalityExitStatus.objects.filter(active=True))


class ModalityCloseUnstartedSerializer(ModalityVersionedSerializer):
    ended_on = serializers.DateField(help_text="The day the person declined, or the service closed it.")
    exit_status = serializers.PrimaryKeyRelatedField(
        queryset=ModalityExitStatus.objects.filter(active=True), help_text="Withdrawn (C) or unplanned (B)."
    )
    reason = serializers.CharField(help_text="Why the modality never started.")


class ModalityReviewWriteSerializer(ModalityVersionedSerializer):
    reviewed_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ModalityReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModalityReview
        fields = ["id", "modality", "reviewed_on", "notes", "by"]
        read_only_fields = fields


class _ViewPermissionMixin:
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.has_perm(VIEW_PERMISSION):
            raise PermissionDenied("You cannot see modalities.")


EPISODE_FILTER = OpenApiParameter("episode", int, description="Only this episode's modalities.")


@extend_schema_view(list=extend_schema(parameters=[EPISODE_FILTER]))
class ModalityViewSet(
    _ViewPermissionMixin, AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ModalitySerializer

    def get_queryset(self):
        queryset = selectors.with_latest_review(selectors.visible_modalities(self.request.user)).select_related(
            "intervention", "modality_type", "setting", "exit_status"
        )
        if episode := self.request.query_params.get("episode"):
            queryset = queryset.filter(episode_id=episode if episode.isdigit() else 0)
        return queryset.order_by("-referred_on", "-pk")

    def _answer(self, modality, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=modality.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=ModalityReferSerializer, responses={201: ModalitySerializer})
    def create(self, request):
        data = self._validated(ModalityReferSerializer)
        episode = get_object_or_404(Episode.objects.visible_to(request.user), pk=data.pop("episode"))
        modality = services.refer_modality(episode=episode, by=request.user, **data)
        return self._answer(modality, status.HTTP_201_CREATED)

    @extend_schema(request=ModalityOfferSerializer, responses=ModalitySerializer)
    @action(detail=True, methods=["post"])
    def offer(self, request, pk=None):
        data = self._validated(ModalityOfferSerializer)
        modality = services.record_first_offer(
            modality=self.get_object(),
            offered_on=data["first_offered_on"],
            by=request.user,
            expected_version=data["version"],
        )
        return self._answer(modality)

    @extend_schema(request=ModalityStartSerializer, responses=ModalitySerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        data = self._validated(ModalityStartSerializer)
        modality = services.start_modality(
            modality=self.get_object(), started_on=data["started_on"], by=request.user, expected_version=data["version"]
        )
        return self._answer(modality)

    @extend_schema(request=ModalityEndSerializer, responses=ModalitySerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        data = self._validated(ModalityEndSerializer)
        modality = services.end_modality(
            modality=self.get_object(),
            ended_on=data["ended_on"],
            exit_status=data["exit_status"],
            by=request.user,
            expected_version=data["version"],
        )
        return self._answer(modality)

    @extend_schema(request=ModalityCloseUnstartedSerializer, responses=ModalitySerializer)
    @action(detail=True, methods=["post"], url_path="close-unstarted")
    def close_unstarted(self, request, pk=None):
        """Close a modality that never started (declined, did not attend): withdrawn or unplanned, with the
        date and the reason. It then counts in no waiting-time figure."""
        data = self._validated(ModalityCloseUnstartedSerializer)
        modality = services.close_unstarted_modality(
            modality=self.get_object(),
            ended_on=data["ended_on"],
            exit_status=data["exit_status"],
            reason=data["reason"],
            by=request.user,
            expected_version=data["version"],
        )
        return self._answer(modality)

    @extend_schema(request=ModalityReviewWriteSerializer, responses={201: ModalityReviewSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        data = self._validated(ModalityReviewWriteSerializer)
        review = services.review_modality(
            modality=self.get_object(),
            reviewed_on=data["reviewed_on"],
            notes=data["notes"],
            by=request.user,
            expected_version=data["version"],
        )
        return Response(ModalityReviewSerializer(review).data, status=status.HTTP_201_CREATED)


MODALITY_FILTER = OpenApiParameter("modality", int, description="Only this modality's reviews.")


@extend_schema_view(list=extend_schema(parameters=[MODALITY_FILTER]))
class ModalityReviewViewSet(
    _ViewPermissionMixin, AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ModalityReviewSerializer

    def get_queryset(self):
        queryset = ModalityReview.objects.visible_to(self.request.user)
        if modality := self.request.query_params.get("modality"):
            queryset = queryset.filter(modality_id=modality if modality.isdigit() else 0)
        return queryset.order_by("-reviewed_on", "-pk")
