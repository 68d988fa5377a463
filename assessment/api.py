"""Assessment and TOP API. Querysets start from `visible_to(request.user)` (out of scope = 404); writes call the
same services as the pages; DomainError becomes 400 naming the field, a stale edit 409."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessment import services
from assessment.charts import CHART_ITEMS
from assessment.models import Assessment, AssessmentSubstance, Top
from core import audit
from core.api import AuditedReadMixin
from core.models import Route, Substance, TreatmentStage
from referrals.models import Episode, Person


class SubstanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssessmentSubstance
        fields = ["rank", "substance", "route", "days_used", "age_first_use", "age_first_use_declined", "amount"]
        read_only_fields = ["rank"]


class AssessmentSerializer(serializers.ModelSerializer):
    substances = SubstanceSerializer(many=True, read_only=True)
    missing_fields = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = "__all__"
        read_only_fields = [f.name for f in Assessment._meta.fields]

    def get_missing_fields(self, obj) -> list[str]:
        return [] if obj.completed_on else services.missing_fields(obj)


class StartSerializer(serializers.Serializer):
    episode = serializers.IntegerField()


class SubstanceInputSerializer(serializers.Serializer):
    substance = serializers.PrimaryKeyRelatedField(queryset=Substance.objects.all())
    route = serializers.PrimaryKeyRelatedField(queryset=Route.objects.all(), required=False, allow_null=True)
    days_used = serializers.IntegerField(required=False, allow_null=True)
    age_first_use = serializers.IntegerField(required=False, allow_null=True)
    age_first_use_declined = serializers.BooleanField(required=False, default=False)
    amount = serializers.CharField(required=False, allow_blank=True, default="")


class SectionSerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=list(services.SECTIONS))
    version = serializers.IntegerField()
    data = serializers.DictField(help_text="The section's fields (codes by id); see SECTIONS in docs/assessment.md.")
    substances = SubstanceInputSerializer(many=True, required=False, help_text="Drugs section: up to three, in rank.")


class CompleteSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    completed_on = serializers.DateField(required=False)


def _section_values(assessment, section, data):
    """Turn the section's JSON into model values with the model's own field types (ids for codes)."""
    fields = services.SECTIONS[section]
    unknown = set(data) - set(fields)
    if unknown:
        name = sorted(unknown)[0]
        raise serializers.ValidationError({name: [f"Not a field of the {section} section."]})
    writer = type(
        "SectionWriter",
        (serializers.ModelSerializer,),
        {"Meta": type("Meta", (), {"model": Assessment, "fields": fields})},
    )(assessment, data=data, partial=True)
    writer.is_valid(raise_exception=True)
    return writer.validated_data


class AssessmentViewSet(AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AssessmentSerializer
    filterset_fields = ["episode"]

    def get_queryset(self):
        return (
            Assessment.objects.visible_to(self.request.user)
            .select_related("episode")
            .prefetch_related("substances")
            .order_by("-id")
        )

    @extend_schema(request=StartSerializer, responses=AssessmentSerializer)
    def create(self, request):
        """Start (or return) the open assessment of an episode."""
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        episode = get_object_or_404(Episode.objects.visible_to(request.user), pk=data.validated_data["episode"])
        self._require_editor(episode)
        assessment = services.start_assessment(episode=episode, user=request.user)
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SectionSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def section(self, request, pk=None):
        """Save one section, carrying the version you read."""
        assessment = self.get_object()
        self._require_editor(assessment.episode)
        payload = SectionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        section = payload.validated_data["section"]
        values = _section_values(assessment, section, payload.validated_data["data"])
        services.save_section(
            assessment=assessment,
            user=request.user,
            section=section,
            data=values,
            expected_version=payload.validated_data["version"],
            substances=payload.validated_data.get("substances"),
        )
        assessment = self.get_queryset().get(pk=assessment.pk)
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(request=CompleteSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        assessment = self.get_object()
        self._require_editor(assessment.episode)
        payload = CompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.complete_assessment(
            assessment=assessment,
            user=request.user,
            expected_version=payload.validated_data["version"],
            on=payload.validated_data.get("completed_on"),
        )
        return Response(AssessmentSerializer(assessment).data)

    def _require_editor(self, episode):
        if not services.can_edit(self.request.user, episode):
            raise PermissionDenied


class TopSerializer(serializers.ModelSerializer):
    stage = serializers.SlugRelatedField(slug_field="code", queryset=TreatmentStage.objects.all())
    episode = serializers.PrimaryKeyRelatedField(queryset=Episode.objects.all())

    class Meta:
        model = Top
        fields = "__all__"
        read_only_fields = ["assessment", "recorded_by", "created_at"]


class TopViewSet(
    AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = TopSerializer
    filterset_fields = ["episode"]

    def get_queryset(self):
        return Top.objects.visible_to(self.request.user).select_related("stage").order_by("-top_date", "-id")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        episode = get_object_or_404(Episode.objects.visible_to(request.user), pk=data["episode"].pk)
        if not services.can_edit(request.user, episode):
            raise PermissionDenied
        values = {name: data[name] for name in services.TOP_INPUT_FIELDS if name in data}
        top = services.record_top(
            episode=episode, user=request.user, stage=data["stage"], top_date=data["top_date"], values=values
        )
        return Response(TopSerializer(top).data, status=status.HTTP_201_CREATED)


class OutcomeItemSerializer(serializers.Serializer):
    item = serializers.CharField()
    label = serializers.CharField()
    maximum = serializers.IntegerField()
    start = serializers.IntegerField()
    review = serializers.IntegerField(allow_null=True)


class OutcomeSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    start_top = serializers.IntegerField(allow_null=True)
    review_top = serializers.IntegerField(allow_null=True)
    items = OutcomeItemSerializer(many=True)


class OutcomeViewSet(viewsets.ViewSet):
    """Start TOP against latest review, per item, for a person (the data behind the outcome chart)."""

    serializer_class = OutcomeSerializer

    @extend_schema(
        responses=OutcomeSerializer,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="Person id")],
    )
    def retrieve(self, request, pk=None):
        person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
        start, review = services.outcome_pair(list(Top.objects.filter(episode__person=person).select_related("stage")))
        audit.audit_view(request, person)
        items = []
        if start:
            items = [
                {
                    "item": field,
                    "label": label,
                    "maximum": maximum,
                    "start": getattr(start, field),
                    "review": getattr(review, field) if review else None,
                }
                for field, label, maximum in CHART_ITEMS
            ]
        data = {
            "person": person.pk,
            "start_top": start.pk if start else None,
            "review_top": review.pk if review else None,
            "items": items,
        }
        return Response(OutcomeSerializer(data).data)
