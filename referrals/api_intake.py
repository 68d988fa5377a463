"""Intake API: people (with the duplicate check and merge), referrals, contact attempts and triage.

Every queryset starts from `visible_to(request.user)`; writes call the same services as the pages.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import audit
from core.api import AuditedReadMixin
from core.choices import Role
from core.errors import DomainError
from core.models import ReferralSource, Sex, Substance
from referrals import selectors_intake as selectors
from referrals.choices import ContactMethod, Urgency
from referrals.models import PRIORITY_GROUP_FIELDS, ContactAttempt, Person, PersonMerge, Referral
from referrals.querysets import reads_treatment_detail
from referrals.services import intake, merge, people
from referrals.views_intake import audit_duplicate_check


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "client_id", *people.PERSON_FIELDS, "merged_into", "version"]
        read_only_fields = fields

    def to_representation(self, instance):
        """The priority groups are treatment detail: left out for a referrer or a harm reduction worker."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not reads_treatment_detail(request.user):
            for name in PRIORITY_GROUP_FIELDS:
                data.pop(name, None)
        return data


class PersonWriteSerializer(serializers.ModelSerializer):
    nhs_number = serializers.CharField(max_length=14, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text="Required on update: the version you read.")
    confirm_new_person = serializers.BooleanField(
        required=False,
        default=False,
        help_text="On create: this is none of the possible matches listed in `seen_matches`.",
    )
    seen_matches = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        help_text="On create: the `match` of every possible match you were shown. A match not in it is asked about.",
    )

    class Meta:
        model = Person
        fields = [*people.PERSON_FIELDS, "version", "confirm_new_person", "seen_matches"]
        # Uniqueness and dates are checked by the service, with messages a person can act on.
        validators = []


class DuplicateCheckSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    sex = serializers.PrimaryKeyRelatedField(queryset=Sex.objects.all())
    nhs_number = serializers.CharField(max_length=14, required=False, allow_blank=True, default="")


class PossibleDuplicateSerializer(serializers.Serializer):
    """What a referrer needs to decide, and no identity: the match may be someone they may not open."""

    match = serializers.CharField(
        source="token", help_text="Send as `existing_match` to refer this person, or in `seen_matches`."
    )
    team = serializers.CharField(help_text="The team of the person's latest referral.")
    date_of_birth = serializers.CharField(source="masked_date_of_birth", help_text="Day hidden: ** March 1985.")
    reasons = serializers.ListField(child=serializers.CharField())


class MergeSerializer(serializers.Serializer):
    duplicate = serializers.IntegerField(help_text="ID of the duplicate person whose records move to this one.")
    choices = serializers.DictField(
        child=serializers.ChoiceField(choices=[merge.KEEP, merge.DUPLICATE]),
        required=False,
        default=dict,
        help_text="Per detail where the records differ, `keep` or `duplicate`; the default takes the newer "
        "record's contact details and otherwise this record's. Priority flags of either are always kept.",
    )


class PersonMergeSerializer(serializers.ModelSerializer):
    kept_client_id = serializers.CharField(source="kept.client_id")
    merged_client_id = serializers.CharField(source="merged.client_id")
    moved = serializers.SerializerMethodField()

    class Meta:
        model = PersonMerge
        fields = [
            "id",
            "kept",
            "kept_client_id",
            "merged",
            "merged_client_id",
            "merged_at",
            "merged_by",
            "kept_before",
            "kept_after",
            "undone_at",
            "undone_by",
            "moved",
        ]
        read_only_fields = fields

    def get_moved(self, record) -> list[dict]:
        return [
            {"model": m.model, "field": m.field_name, "id": m.row_id, "removed": m.removed_row is not None}
            for m in record.moves.all()
        ]


class ContactAttemptSerializer(serializers.ModelSerializer):
    method = serializers.ChoiceField(choices=ContactMethod.choices)

    class Meta:
        model = ContactAttempt
        fields = ["id", "referral", "made_on", "method", "notes", "recorded_by", "recorded_at"]
        read_only_fields = ["id", "referral", "recorded_by", "recorded_at"]


class ReferralSerializer(serializers.ModelSerializer):
    class Meta:
        model = Referral
        fields = [
            "id",
            "episode_id",
            "person",
            "received_at",
            "received_on",
            "first_contact_due",
            "source",
            "referrer_name",
            "referrer_organisation",
            "referrer_contact",
            "presenting_substances",
            "reason",
            "urgency",
            "service",
            "team",
            "lives_in_city",
            "registered_with_city_gp",
            "status",
            "signposted_to",
            "signpost_reason",
            "triaged_on",
            "advice_given",
            "closed_on",
            "closure_notes",
            "version",
        ]
        read_only_fields = fields


class ReferralCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(required=False, help_text="An existing person you can see.")
    new_person = PersonWriteSerializer(required=False, help_text="Or a new person (the duplicate check runs).")
    existing_match = serializers.CharField(
        max_length=40,
        required=False,
        help_text="The `match` of a possible match reported for `new_person`: refer that person.",
    )
    received_at = serializers.DateTimeField()
    received_date_confirmed = serializers.BooleanField(
        default=False, help_text="True to confirm a date received more than 30 days back."
    )
    source = serializers.PrimaryKeyRelatedField(queryset=ReferralSource.objects.filter(active=True))
    referrer_name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    referrer_organisation = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    referrer_contact = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    presenting_substances = serializers.PrimaryKeyRelatedField(
        queryset=Substance.objects.filter(active=True), many=True, required=False, default=list
    )
    reason = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    lives_in_city = serializers.BooleanField()
    registered_with_city_gp = serializers.BooleanField()
    signposted_to = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    signpost_reason = serializers.CharField(required=False, default="", allow_blank=True)

    def validate(self, attrs):
        if ("person" in attrs) == ("new_person" in attrs):
            raise serializers.ValidationError({"person": ["Give either an existing person or a new person."]})
        return attrs


class TriageSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[(o.value, o.label) for o in intake.TRIAGE_OUTCOMES])
    triaged_on = serializers.DateField()
    advice_given = serializers.CharField(required=False, default="", allow_blank=True)
    signposted_to = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    presenting_substances = serializers.PrimaryKeyRelatedField(
        queryset=Substance.objects.filter(active=True),
        many=True,
        required=False,
        help_text="What triage found; replaces the referral's. Leave it out to keep them.",
    )
    version = serializers.IntegerField(help_text="The referral version you read.")


class ReferralCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[(o.value, o.label) for o in intake.CLOSURE_OUTCOMES])
    closed_on = serializers.DateField()
    notes = serializers.CharField(help_text="What was tried, or what the person said.")
    version = serializers.IntegerField(help_text="The referral version you read.")


def _duplicates_response(request, exc: people.PossibleDuplicates):
    audit_duplicate_check(request, exc.matches)
    return Response(
        {
            "person": [exc.message],
            "matches": PossibleDuplicateSerializer(exc.matches, many=True).data,
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def _person_for(request, data: dict, *, existing_match: str = "") -> Person:
    confirmed = data.pop("confirm_new_person", False)
    seen = data.pop("seen_matches", [])
    data.pop("version", None)
    choice = existing_match or (people.NEW_PERSON if confirmed else "")
    return people.person_for_new_referral(actor=request.user, data=data, choice=choice, seen=seen)


class PersonViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PersonSerializer

    def get_queryset(self):
        return Person.objects.visible_to(self.request.user, as_referrer=True).select_related("sex", "ethnicity")

    @extend_schema(request=PersonWriteSerializer, responses={201: PersonSerializer})
    def create(self, request, *args, **kwargs):
        if not request.user.has_role(*intake.REFERRING_ROLES):
            raise PermissionDenied
        serializer = PersonWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            person = _person_for(request, dict(serializer.validated_data))
        except people.PossibleDuplicates as exc:
            return _duplicates_response(request, exc)
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PersonWriteSerializer, responses={200: PersonSerializer})
    def update(self, request, *args, **kwargs):
        # A merged record is found too, so that its refusal names the kept record.
        person = selectors.person_or_merged_for(request.user, kwargs["pk"])
        serializer = PersonWriteSerializer(person, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("confirm_new_person", None)
        data.pop("seen_matches", None)
        if "version" not in data:
            raise DomainError("Send the version of the record you read.", field="version")
        expected = data.pop("version")
        person = people.person_update(actor=request.user, person=person, data=data, expected_version=expected)
        return Response(PersonSerializer(person).data)

    @extend_schema(request=DuplicateCheckSerializer, responses={200: PossibleDuplicateSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="duplicate-check")
    def duplicate_check(self, request):
        if not request.user.has_role(*intake.REFERRING_ROLES):
            raise PermissionDenied
        serializer = DuplicateCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        matches = people.person_find_duplicates(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            nhs_number_value=data.get("nhs_number", ""),
        )
        audit_duplicate_check(request, matches)
        return Response(PossibleDuplicateSerializer(matches, many=True).data)

    @extend_schema(request=MergeSerializer, responses={200: PersonMergeSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        if not request.user.has_role(Role.DATA_ADMIN):
            raise PermissionDenied
        keep = self.get_object()
        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        duplicate = get_object_or_404(self.get_queryset(), pk=serializer.validated_data["duplicate"])
        record = merge.person_merge(
            actor=request.user, keep=keep, duplicate=duplicate, choices=serializer.validated_data["choices"]
        )
        return Response(PersonMergeSerializer(record).data)


class PersonMergeViewSet(AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Merges of people's records, for data admins: what moved, and undo."""

    serializer_class = PersonMergeSerializer
    queryset = PersonMerge.objects.select_related("kept", "merged").prefetch_related("moves")
    filterset_fields = ["kept", "merged"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.has_role(Role.DATA_ADMIN):
            raise PermissionDenied

    @extend_schema(request=None, responses={200: PersonMergeSerializer})
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        record = merge.person_merge_undo(actor=request.user, merge=self.get_object())
        return Response(PersonMergeSerializer(record).data)


class ReferralViewSet(
    AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ReferralSerializer
    filterset_fields = ["status", "team", "service", "person"]

    def get_queryset(self):
        return (
            Referral.objects.visible_to(self.request.user)
            .select_related("person", "team", "source")
            .prefetch_related("presenting_substances")
            .order_by("first_contact_due", "id")
        )

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def create(self, request, *args, **kwargs):
        if not request.user.has_role(*intake.REFERRING_ROLES):
            raise PermissionDenied
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person_id = data.pop("person", None)
        new_person = data.pop("new_person", None)
        existing_match = data.pop("existing_match", None)
        try:
            with transaction.atomic():
                if person_id is not None:
                    person = selectors.person_or_merged_for(request.user, person_id)
                else:
                    person = _person_for(request, new_person, existing_match=existing_match or "")
                referral = intake.referral_create(actor=request.user, person=person, **data)
        except people.PossibleDuplicates as exc:
            return _duplicates_response(request, exc)
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses={200: ContactAttemptSerializer(many=True)})
    @extend_schema(methods=["post"], request=ContactAttemptSerializer, responses={201: ContactAttemptSerializer})
    @action(detail=True, methods=["get", "post"], url_path="contact-attempts")
    def contact_attempts(self, request, pk=None):
        referral = self.get_object()
        if request.method == "GET":
            attempts = list(referral.contact_attempts.all())
            audit.audit_list_view(request, ContactAttempt, attempts, referral=referral.pk)
            return Response(ContactAttemptSerializer(attempts, many=True).data)
        serializer = ContactAttemptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = intake.contact_attempt_record(actor=request.user, referral=referral, **serializer.validated_data)
        return Response(ContactAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TriageSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        referral = self.get_object()
        serializer = TriageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        referral = intake.referral_triage(
            actor=request.user, referral=referral, expected_version=data.pop("version"), **data
        )
        return Response(ReferralSerializer(referral).data)

    @extend_schema(request=ReferralCloseSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a referral that will not reach triage: no contact made, or declined by the person."""
        referral = self.get_object()
        serializer = ReferralCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        referral = intake.referral_close(
            actor=request.user, referral=referral, expected_version=data.pop("version"), **data
        )
        return Response(ReferralSerializer(referral).data)
