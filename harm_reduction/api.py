"""Harm reduction API under /api/v1/. Every queryset starts from `visible_to(request.user)`; writes call the
services, so the API refuses exactly what the pages refuse."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.api import AuditedReadMixin
from core.models import Sex
from harm_reduction import services
from harm_reduction.models import (
    Attender,
    BbvTest,
    EquipmentItem,
    HepBCourse,
    InjectedDrug,
    NaloxoneSupply,
    NspSite,
    NspVisit,
    OutreachContact,
)


class AttenderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attender
        fields = ["id", "code", "initials", "date_of_birth", "sex", "person", "linked_on"]
        read_only_fields = fields


class IssueSerializer(serializers.Serializer):
    item = serializers.SlugRelatedField(slug_field="code", queryset=EquipmentItem.objects.filter(active=True))
    quantity = serializers.IntegerField(min_value=0)


class NspVisitSerializer(serializers.ModelSerializer):
    issues = IssueSerializer(many=True, read_only=True)

    class Meta:
        model = NspVisit
        fields = [
            "id",
            "attender",
            "site",
            "visited_on",
            "issues",
            "items_returned",
            "sharps_bins_returned",
            "returned_more_than_issued",
            "drugs_injected",
            "advice_given",
            "onward_referral_offered",
            "young_peoples_service_offered",
            "under_18_issue_reason",
        ]
        read_only_fields = fields


class NspVisitCreateSerializer(serializers.Serializer):
    initials = serializers.CharField()
    date_of_birth = serializers.DateField()
    sex = serializers.SlugRelatedField(slug_field="code", queryset=Sex.objects.all())
    site = serializers.PrimaryKeyRelatedField(queryset=NspSite.objects.filter(active=True))
    visited_on = serializers.DateField()
    issues = IssueSerializer(many=True, required=False)
    items_returned = serializers.IntegerField(min_value=0, default=0)
    sharps_bins_returned = serializers.IntegerField(min_value=0, default=0)
    drugs_injected = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=InjectedDrug.objects.filter(active=True), required=False
    )
    advice_given = serializers.CharField(allow_blank=True, default="")
    onward_referral_offered = serializers.BooleanField(default=False)
    young_peoples_service_offered = serializers.BooleanField(default=False)
    under_18_issue_reason = serializers.CharField(allow_blank=True, default="")


class AttenderViewSet(AuditedReadMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AttenderSerializer
    filterset_fields = ["code", "person"]

    def get_queryset(self):
        return Attender.objects.visible_to(self.request.user).order_by("code")


class NspVisitViewSet(AuditedReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_fields = ["attender", "site", "visited_on"]

    def get_queryset(self):
        return (
            NspVisit.objects.visible_to(self.request.user)
            .select_related("attender", "site")
            .prefetch_related("issues__item", "drugs_injected")
        )

    def get_serializer_class(self):
        return NspVisitCreateSerializer if self.action == "create" else NspVisitSerializer

    @extend_schema(request=NspVisitCreateSerializer, responses={201: NspVisitSerializer})
    def create(self, request, *args, **kwargs):
        incoming = NspVisitCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        attender, _ = services.find_or_create_attender(
            actor=request.user, initials=data["initials"], date_of_birth=data["date_of_birth"], sex=data["sex"]
        )
        result = services.record_nsp_visit(
            actor=request.user,
            attender=attender,
            site=data["site"],
            visited_on=data["visited_on"],
            issues=[(issue["item"], issue["quantity"]) for issue in data.get("issues", [])],
            items_returned=data["items_returned"],
            sharps_bins_returned=data["sharps_bins_returned"],
            drugs_injected=data.get("drugs_injected", []),
            advice_given=data["advice_given"],
            onward_referral_offered=data["onward_referral_offered"],
            young_peoples_service_offered=data["young_peoples_service_offered"],
            under_18_issue_reason=data["under_18_issue_reason"],
        )
        body = NspVisitSerializer(get_object_or_404(self.get_queryset(), pk=result.visit.pk)).data
        return Response({**body, "warnings": result.warnings}, status=status.HTTP_201_CREATED)


class VaccinationSerializer(serializers.ModelSerializer):
    doses = serializers.SerializerMethodField()

    class Meta:
        model = HepBCourse
        fields = [
            "id",
            "person",
            "episode",
            "offer",
            "offered_on",
            "schedule",
            "doses",
            "next_dose_due",
            "course_complete",
            "version",
        ]
        read_only_fields = fields

    def get_doses(self, course) -> list[dict]:
        return [{"dose_number": dose.dose_number, "given_on": dose.given_on} for dose in course.doses.all()]


class VaccinationViewSet(AuditedReadMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = VaccinationSerializer
    filterset_fields = ["person", "course_complete"]

    def get_queryset(self):
        return HepBCourse.objects.visible_to(self.request.user).prefetch_related("doses")


class BbvTestSerializer(serializers.ModelSerializer):
    class Meta:
        model = BbvTest
        fields = [
            "id",
            "person",
            "episode",
            "kind",
            "offered_on",
            "accepted",
            "tested_on",
            "result",
            "result_on",
            "referral_consent",
            "referral_task",
            "version",
        ]
        read_only_fields = fields


class BbvTestViewSet(AuditedReadMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = BbvTestSerializer
    filterset_fields = ["person", "kind", "result"]

    def get_queryset(self):
        return BbvTest.objects.visible_to(self.request.user)


class NaloxoneSupplySerializer(serializers.ModelSerializer):
    class Meta:
        model = NaloxoneSupply
        fields = ["id", "person", "attender", "supplied_on", "form", "recipient", "quantity", "training_given"]
        read_only_fields = fields


class NaloxoneSupplyViewSet(AuditedReadMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = NaloxoneSupplySerializer
    filterset_fields = ["person", "form", "recipient"]

    def get_queryset(self):
        return NaloxoneSupply.objects.visible_to(self.request.user)


class OutreachContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutreachContact
        fields = ["id", "setting", "contacted_on", "person", "description", "notes"]
        read_only_fields = fields


class OutreachContactViewSet(AuditedReadMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OutreachContactSerializer
    filterset_fields = ["setting", "person"]

    def get_queryset(self):
        return OutreachContact.objects.visible_to(self.request.user)
