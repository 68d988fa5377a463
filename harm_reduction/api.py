"""Harm reduction API under /api/v1/. Every queryset starts from `visible_to(request.user)`; writes call the
services, so the API refuses exactly what the pages refuse."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import AuditedReadMixin
from core.models import Sex
from harm_reduction import services
from harm_reduction.choices import (
    BbvResult,
    BbvTestKind,
    HepBOffer,
    NaloxoneForm,
    NaloxoneRecipient,
    OutreachSetting,
    VaccinationSchedule,
)
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
from referrals.models import Person


def _person(request, pk):
    return get_object_or_404(Person.objects.visible_to(request.user), pk=pk)


class AttenderLinkSerializer(serializers.Serializer):
    person = serializers.IntegerField()


class VaccinationCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    offer = serializers.ChoiceField(choices=HepBOffer.choices)
    offered_on = serializers.DateField()
    schedule = serializers.ChoiceField(choices=VaccinationSchedule.choices, required=False, default="")


class VersionSerializer(serializers.Serializer):
    """The version the client read: a stale one is refused (409). Optional for dose, result and refer, which were
    published without it."""

    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class VaccinationAnswerSerializer(serializers.Serializer):
    # The full choice set keeps one enum in the schema; the service refuses "offered" as an answer.
    offer = serializers.ChoiceField(choices=HepBOffer.choices)
    outcome_on = serializers.DateField()
    schedule = serializers.ChoiceField(choices=VaccinationSchedule.choices, required=False, default="")
    version = serializers.IntegerField()


class HepBDoseSerializer(VersionSerializer):
    dose_number = serializers.IntegerField(min_value=1)
    given_on = serializers.DateField()


class BbvOfferSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=BbvTestKind.choices)
    offered_on = serializers.DateField()
    accepted = serializers.BooleanField(allow_null=True, default=None)


class BbvAnswerSerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    answered_on = serializers.DateField()
    version = serializers.IntegerField()


class BbvResultSerializer(VersionSerializer):
    tested_on = serializers.DateField(allow_null=True, required=False, default=None)
    result = serializers.ChoiceField(choices=BbvResult.choices)
    result_on = serializers.DateField()


class BbvReferralSerializer(VersionSerializer):
    referral_consent = serializers.BooleanField(allow_null=True, default=None)


class NaloxoneCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(required=False, allow_null=True, default=None)
    supplied_on = serializers.DateField()
    form = serializers.ChoiceField(choices=NaloxoneForm.choices)
    recipient = serializers.ChoiceField(choices=NaloxoneRecipient.choices)
    quantity = serializers.IntegerField(default=1)
    training_given = serializers.BooleanField(default=False)


class OutreachCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(required=False, allow_null=True, default=None)
    setting = serializers.ChoiceField(choices=OutreachSetting.choices)
    contacted_on = serializers.DateField()
    description = serializers.CharField(allow_blank=True, default="")
    notes = serializers.CharField(allow_blank=True, default="")


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


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
    safeguarding_task = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The team's safeguarding task, raised for an attender under 18."
    )

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
            "young_person_issue_reason",
            "safeguarding_task",
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
    young_person_issue_reason = serializers.CharField(
        allow_blank=True, default="", help_text="Needed to give equipment to an attender under 25 (SPEC 10.2)."
    )


class AttenderViewSet(AuditedReadMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AttenderSerializer
    filterset_fields = ["code", "person"]

    def get_queryset(self):
        return Attender.objects.visible_to(self.request.user).order_by("code")

    @extend_schema(request=AttenderLinkSerializer, responses={200: AttenderSerializer})
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        data = _valid(AttenderLinkSerializer, request)
        attender = services.link_attender(
            actor=request.user, attender=self.get_object(), person=_person(request, data["person"])
        )
        return Response(AttenderSerializer(attender).data)


class NspVisitViewSet(AuditedReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_fields = ["attender", "site", "visited_on"]

    def get_queryset(self):
        return (
            NspVisit.objects.visible_to(self.request.user)
            .select_related("attender", "site", "safeguarding_task")
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
            young_person_issue_reason=data["young_person_issue_reason"],
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
            "outcome_on",
            "schedule",
            "doses",
            "next_dose_due",
            "course_complete",
            "completed_on",
            "version",
        ]
        read_only_fields = fields

    def get_doses(self, course) -> list[dict]:
        return [{"dose_number": dose.dose_number, "given_on": dose.given_on} for dose in course.doses.all()]


class VaccinationViewSet(AuditedReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = VaccinationSerializer
    filterset_fields = ["person", "course_complete"]

    def get_queryset(self):
        return HepBCourse.objects.visible_to(self.request.user).prefetch_related("doses")

    @extend_schema(request=VaccinationCreateSerializer, responses={201: VaccinationSerializer})
    def create(self, request, *args, **kwargs):
        data = _valid(VaccinationCreateSerializer, request)
        course = services.record_hep_b_offer(
            actor=request.user,
            person=_person(request, data["person"]),
            offer=data["offer"],
            offered_on=data["offered_on"],
            schedule=data["schedule"],
        )
        return Response(VaccinationSerializer(course).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VaccinationAnswerSerializer, responses={200: VaccinationSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        data = _valid(VaccinationAnswerSerializer, request)
        course = services.record_hep_b_outcome(
            actor=request.user, course=self.get_object(), expected_version=data.pop("version"), **data
        )
        return Response(VaccinationSerializer(course).data)

    @extend_schema(request=HepBDoseSerializer, responses={201: VaccinationSerializer})
    @action(detail=True, methods=["post"])
    def doses(self, request, pk=None):
        data = _valid(HepBDoseSerializer, request)
        services.record_hep_b_dose(
            actor=request.user, course=self.get_object(), expected_version=data.pop("version"), **data
        )
        return Response(VaccinationSerializer(self.get_object()).data, status=status.HTTP_201_CREATED)


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
            "answered_on",
            "tested_on",
            "result",
            "result_on",
            "referral_consent",
            "referral_task",
            "version",
        ]
        read_only_fields = fields


class BbvTestViewSet(AuditedReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = BbvTestSerializer
    filterset_fields = ["person", "kind", "result"]

    def get_queryset(self):
        return BbvTest.objects.visible_to(self.request.user)

    @extend_schema(request=BbvOfferSerializer, responses={201: BbvTestSerializer})
    def create(self, request, *args, **kwargs):
        data = _valid(BbvOfferSerializer, request)
        test = services.record_bbv_offer(
            actor=request.user,
            person=_person(request, data["person"]),
            kind=data["kind"],
            offered_on=data["offered_on"],
            accepted=data["accepted"],
        )
        return Response(BbvTestSerializer(test).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BbvAnswerSerializer, responses={200: BbvTestSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        data = _valid(BbvAnswerSerializer, request)
        test = services.record_bbv_answer(
            actor=request.user, test=self.get_object(), expected_version=data.pop("version"), **data
        )
        return Response(BbvTestSerializer(test).data)

    @extend_schema(request=BbvResultSerializer, responses={200: BbvTestSerializer})
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        data = _valid(BbvResultSerializer, request)
        test = services.record_bbv_result(
            actor=request.user, test=self.get_object(), expected_version=data.pop("version"), **data
        )
        return Response(BbvTestSerializer(test).data)

    @extend_schema(request=BbvReferralSerializer, responses={200: BbvTestSerializer})
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        data = _valid(BbvReferralSerializer, request)
        services.refer_positive_result(
            actor=request.user,
            test=self.get_object(),
            consent=data["referral_consent"],
            expected_version=data["version"],
        )
        return Response(BbvTestSerializer(self.get_object()).data)


class NaloxoneSupplySerializer(serializers.ModelSerializer):
    class Meta:
        model = NaloxoneSupply
        fields = ["id", "person", "attender", "supplied_on", "form", "recipient", "quantity", "training_given"]
        read_only_fields = fields


class NaloxoneSupplyViewSet(AuditedReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = NaloxoneSupplySerializer
    filterset_fields = ["person", "form", "recipient"]

    def get_queryset(self):
        return NaloxoneSupply.objects.visible_to(self.request.user)

    @extend_schema(request=NaloxoneCreateSerializer, responses={201: NaloxoneSupplySerializer})
    def create(self, request, *args, **kwargs):
        data = _valid(NaloxoneCreateSerializer, request)
        person = _person(request, data.pop("person")) if data.get("person") else data.pop("person")
        supply = services.record_naloxone(actor=request.user, person=person, **data)
        return Response(NaloxoneSupplySerializer(supply).data, status=status.HTTP_201_CREATED)


class OutreachContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutreachContact
        fields = ["id", "setting", "contacted_on", "person", "description", "notes"]
        read_only_fields = fields


class OutreachContactViewSet(AuditedReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OutreachContactSerializer
    filterset_fields = ["setting", "person"]

    def get_queryset(self):
        return OutreachContact.objects.visible_to(self.request.user)

    @extend_schema(request=OutreachCreateSerializer, responses={201: OutreachContactSerializer})
    def create(self, request, *args, **kwargs):
        data = _valid(OutreachCreateSerializer, request)
        person = _person(request, data.pop("person")) if data.get("person") else data.pop("person")
        contact = services.record_outreach(actor=request.user, person=person, **data)
        return Response(OutreachContactSerializer(contact).data, status=status.HTTP_201_CREATED)
