"""Prescribing API under /api/v1/: clinical assessments, prescriptions (with a change-dose action), tests, safe
storage, shared care and detox. Every queryset starts from `visible_to(request.user)`; writes call the services,
so the API refuses exactly what the pages refuse."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import AuditedReadMixin
from core.models import Substance
from prescribing import selectors, services
from prescribing.choices import (
    CustodyStep,
    DetoxSetting,
    FundingRoute,
    Regime,
    ResidentialKind,
    SafeStorageOutcome,
    SampleType,
    SharedCareEndReason,
    TestResult,
)
from prescribing.models import (
    ClinicalAssessment,
    CustodyEvent,
    DetoxPlan,
    DrugTest,
    Medication,
    Pharmacy,
    Prescription,
    ResidentialReferral,
    SafeStorage,
    SharedCareTransfer,
)
from recovery_plans.models import Goal, Modality
from referrals.models import Episode, Person


def _episode(request, pk):
    return get_object_or_404(Episode.objects.visible_to(request.user), pk=pk)


class ClinicalAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClinicalAssessment
        fields = ["id", "person", "episode", "prescriber", "assessed_on", "findings", "children_in_home"]
        read_only_fields = ["id", "person", "prescriber"]


class PlannedStepSerializer(serializers.Serializer):
    from_date = serializers.DateField()
    dose = serializers.DecimalField(max_digits=8, decimal_places=2)


class PrescriptionSerializer(serializers.ModelSerializer):
    planned_steps = PlannedStepSerializer(many=True, read_only=True)

    class Meta:
        model = Prescription
        fields = [
            "id",
            "person",
            "episode",
            "clinical_assessment",
            "modality",
            "medication",
            "dose",
            "unit",
            "regime",
            "dispensing_interval_days",
            "supervised",
            "pharmacy",
            "starts_on",
            "ends_on",
            "review_on",
            "prescriber",
            "supersedes",
            "released_from_prison_on",
            "gap_reason",
            "planned_steps",
            "version",
        ]
        read_only_fields = fields


def _modality_field():
    # Any modality id is accepted here; the service refuses one of another episode with its own message.
    return serializers.PrimaryKeyRelatedField(
        queryset=Modality.objects.select_related("modality_type", "intervention"), required=False, allow_null=True
    )


class PrescriptionCreateSerializer(serializers.Serializer):
    episode = serializers.IntegerField()
    modality = _modality_field()
    medication = serializers.PrimaryKeyRelatedField(queryset=Medication.objects.filter(active=True))
    # Checked by the service so a bad dose gets the same message on the page and the API.
    dose = serializers.CharField(allow_blank=True)
    regime = serializers.ChoiceField(choices=Regime.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    review_on = serializers.DateField(required=False, allow_null=True)
    dispensing_interval_days = serializers.IntegerField(min_value=1, default=1)
    supervised = serializers.BooleanField(default=True)
    pharmacy = serializers.PrimaryKeyRelatedField(
        queryset=Pharmacy.objects.filter(active=True), required=False, allow_null=True
    )
    planned_steps = PlannedStepSerializer(many=True, required=False)
    released_from_prison_on = serializers.DateField(required=False, allow_null=True)
    gap_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ChangeDoseSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version of the prescription you read.")
    dose = serializers.CharField(allow_blank=True)
    starts_on = serializers.DateField()
    supervised = serializers.BooleanField(required=False, allow_null=True, default=None)
    pharmacy = serializers.PrimaryKeyRelatedField(
        queryset=Pharmacy.objects.filter(active=True), required=False, allow_null=True
    )
    planned_steps = PlannedStepSerializer(many=True, required=False)


class DrugTestResultSerializer(serializers.Serializer):
    substance = serializers.PrimaryKeyRelatedField(queryset=Substance.objects.all())
    result = serializers.ChoiceField(choices=TestResult.choices)
    lab_confirmed = serializers.BooleanField(default=False)


class CustodyEventSerializer(serializers.ModelSerializer):
    step = serializers.ChoiceField(choices=CustodyStep.choices)

    class Meta:
        model = CustodyEvent
        fields = ["id", "step", "at", "by", "recorded_by", "recorded_at"]
        read_only_fields = ["id", "recorded_by", "recorded_at"]


class DrugTestSerializer(serializers.ModelSerializer):
    results = DrugTestResultSerializer(many=True, read_only=True)
    custody = CustodyEventSerializer(many=True, read_only=True, help_text="The chain of custody, in order.")

    class Meta:
        model = DrugTest
        fields = [
            "id",
            "person",
            "episode",
            "tested_on",
            "sample_type",
            "purpose",
            "rationale",
            "plan_version",
            "goal",
            "collected_at",
            "chain_of_custody",
            "custody",
            "substances_tested",
            "results",
            "recorded_by",
        ]
        read_only_fields = fields


class DrugTestCreateSerializer(serializers.Serializer):
    episode = serializers.IntegerField()
    tested_on = serializers.DateField()
    collected_time = serializers.TimeField(help_text="When the sample was collected on `tested_on`, e.g. 09:30.")
    collected_by = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="Defaults to you."
    )
    sealed_time = serializers.TimeField(
        required=False, allow_null=True, default=None, help_text="Chain of custody: when it was sealed."
    )
    sealed_by = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    sample_type = serializers.ChoiceField(choices=SampleType.choices)
    purpose = serializers.CharField(allow_blank=True)
    rationale = serializers.CharField(allow_blank=True)
    goal = serializers.PrimaryKeyRelatedField(
        queryset=Goal.objects.select_related("plan_version__plan"), required=False, allow_null=True
    )
    chain_of_custody = serializers.BooleanField(default=False)
    substances_tested = serializers.PrimaryKeyRelatedField(queryset=Substance.objects.all(), many=True)
    results = DrugTestResultSerializer(many=True)


class SafeStorageSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id")
    outcome = serializers.ChoiceField(choices=SafeStorageOutcome.choices)

    class Meta:
        model = SafeStorage
        fields = ["id", "person", "offered_on", "outcome", "declined_reason", "advice_given", "recorded_by"]
        read_only_fields = ["id", "recorded_by"]


class SharedCareSerializer(serializers.ModelSerializer):
    class Meta:
        model = SharedCareTransfer
        fields = [
            "id",
            "person",
            "episode",
            "gp_practice",
            "agreed_criteria",
            "transferred_on",
            "review_keyworker",
            "next_review_on",
            "ended_on",
            "end_reason",
            "ended_by",
            "version",
        ]
        read_only_fields = ["id", "person", "review_keyworker", "ended_on", "end_reason", "ended_by", "version"]
        extra_kwargs = {"episode": {"queryset": Episode.objects.all()}}


class SharedCareEndSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version of the shared care record you read.")
    ended_on = serializers.DateField()
    end_reason = serializers.ChoiceField(choices=SharedCareEndReason.choices)


class DetoxStepSerializer(serializers.Serializer):
    from_date = serializers.DateField()
    medication = serializers.PrimaryKeyRelatedField(queryset=Medication.objects.all())
    dose = serializers.DecimalField(max_digits=8, decimal_places=2)


class DetoxPlanSerializer(serializers.ModelSerializer):
    setting = serializers.ChoiceField(choices=DetoxSetting.choices)
    steps = DetoxStepSerializer(many=True, required=False)
    modality = _modality_field()

    class Meta:
        model = DetoxPlan
        fields = ["id", "person", "episode", "modality", "setting", "planned_start", "planned_end", "notes", "steps"]
        read_only_fields = ["id", "person"]
        extra_kwargs = {"episode": {"queryset": Episode.objects.all()}}


class ResidentialReferralSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ResidentialKind.choices)
    funding_route = serializers.ChoiceField(choices=FundingRoute.choices)

    class Meta:
        model = ResidentialReferral
        fields = ["id", "person", "episode", "kind", "provider", "funding_route", "referred_on", "recorded_by"]
        read_only_fields = ["id", "person", "recorded_by"]
        extra_kwargs = {"episode": {"queryset": Episode.objects.all()}}


class _Scoped(AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user; it needs only the model
            return self.model.objects.none()
        selectors.require_permission(self.request.user, f"prescribing.view_{self.model._meta.model_name}")
        return self.model.objects.visible_to(self.request.user).order_by("-pk")


class ClinicalAssessmentViewSet(_Scoped):
    model = ClinicalAssessment
    serializer_class = ClinicalAssessmentSerializer

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assessment = services.record_clinical_assessment(
            actor=request.user,
            episode=_episode(request, data["episode"].pk),
            assessed_on=data["assessed_on"],
            findings=data["findings"],
            children_in_home=data.get("children_in_home", False),
        )
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)


class PrescriptionViewSet(_Scoped):
    model = Prescription
    serializer_class = PrescriptionSerializer

    def get_queryset(self):
        return super().get_queryset().prefetch_related("planned_steps")

    @extend_schema(request=PrescriptionCreateSerializer, responses={201: PrescriptionSerializer})
    def create(self, request):
        serializer = PrescriptionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        episode = _episode(request, data.pop("episode"))
        steps = [(step["from_date"], step["dose"]) for step in data.pop("planned_steps", [])]
        prescription = services.prescribe(actor=request.user, episode=episode, planned_steps=steps, **data)
        return Response(PrescriptionSerializer(prescription).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ChangeDoseSerializer, responses={201: PrescriptionSerializer})
    @action(detail=True, methods=["post"], url_path="change-dose")
    def change_dose(self, request, pk=None):
        prescription = self.get_object()
        serializer = ChangeDoseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        steps = [(step["from_date"], step["dose"]) for step in data.pop("planned_steps", [])]
        new = services.change_dose(
            actor=request.user,
            prescription=prescription,
            expected_version=data.pop("version"),
            planned_steps=steps,
            **data,
        )
        return Response(PrescriptionSerializer(new).data, status=status.HTTP_201_CREATED)


class DrugTestViewSet(_Scoped):
    model = DrugTest
    serializer_class = DrugTestSerializer

    def get_queryset(self):
        return super().get_queryset().prefetch_related("substances_tested", "results", "custody")

    @extend_schema(request=CustodyEventSerializer, responses={201: CustodyEventSerializer})
    @action(detail=True, methods=["post"])
    def custody(self, request, pk=None):
        """The next step of a sealed sample's chain of custody: `sent`, then `received`, with `at` and `by`."""
        serializer = CustodyEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.drug_test_custody_add(actor=request.user, test=self.get_object(), **serializer.validated_data)
        return Response(CustodyEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DrugTestCreateSerializer, responses={201: DrugTestSerializer})
    def create(self, request):
        serializer = DrugTestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        results = data.pop("results")
        test = services.record_drug_test(
            actor=request.user,
            episode=_episode(request, data.pop("episode")),
            results={row["substance"]: row["result"] for row in results},
            lab_confirmed=[row["substance"] for row in results if row["lab_confirmed"]],
            **data,
        )
        return Response(DrugTestSerializer(test).data, status=status.HTTP_201_CREATED)


class SafeStorageViewSet(_Scoped):
    model = SafeStorage
    serializer_class = SafeStorageSerializer

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person = get_object_or_404(Person.objects.visible_to(request.user), pk=data.pop("person_id"))
        record = services.record_safe_storage(actor=request.user, person=person, **data)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)


class SharedCareViewSet(_Scoped):
    model = SharedCareTransfer
    serializer_class = SharedCareSerializer

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        episode = _episode(request, data.pop("episode").pk)
        transfer = services.transfer_to_shared_care(actor=request.user, episode=episode, **data)
        return Response(self.get_serializer(transfer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SharedCareEndSerializer, responses={200: SharedCareSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        transfer = self.get_object()
        serializer = SharedCareEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ended = services.shared_care_end(
            actor=request.user, transfer=transfer, expected_version=data.pop("version"), **data
        )
        return Response(SharedCareSerializer(ended).data)


class DetoxPlanViewSet(_Scoped):
    model = DetoxPlan
    serializer_class = DetoxPlanSerializer

    def get_queryset(self):
        return super().get_queryset().prefetch_related("steps")

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        episode = _episode(request, data.pop("episode").pk)
        steps = [(step["from_date"], step["medication"], step["dose"]) for step in data.pop("steps", [])]
        plan = services.create_detox_plan(actor=request.user, episode=episode, steps=steps, **data)
        return Response(self.get_serializer(plan).data, status=status.HTTP_201_CREATED)


class ResidentialReferralViewSet(_Scoped):
    model = ResidentialReferral
    serializer_class = ResidentialReferralSerializer

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        episode = _episode(request, data.pop("episode").pk)
        referral = services.refer_residential(actor=request.user, episode=episode, **data)
        return Response(self.get_serializer(referral).data, status=status.HTTP_201_CREATED)
