"""Recovery plan API under /api/v1/: plans, versions (draft, update with a version check, submit, sign off,
return, changes, the sign-off queue) and plan reviews.

Same scoping and permissions as the pages: a plan outside the user's scope is a 404, a role that does not
read plans gets a 403, and writes call the services, so the API refuses exactly what the pages refuse.
Sign-off refusals (not an assessor, another team, the version's author) are a 403 with the service's message.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import audit
from core.api import AuditedReadMixin
from core.choices import Role
from core.errors import DomainError
from recovery_plans import selectors_plans as selectors
from recovery_plans.models import (
    ActionStatus,
    Intervention,
    LifeDomain,
    PlanReview,
    PlanVersion,
    RecoveryPlan,
    VersionStatus,
)
from recovery_plans.services import plans, reviews
from referrals.models import Episode


class ReadsPlans(permissions.BasePermission):
    message = "Recovery plans are read by the care team only."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and selectors.may_read_plans(request.user))


def _require_drafter(user):
    if not plans.may_draft(user):
        raise PermissionDenied("Only a keyworker or an assessor can write a recovery plan.")


# --- Output ----------------------------------------------------------------------------------------------


class ActionSerializer(serializers.Serializer):
    """One action of a goal, read and written alike (a row of the goal, not an operation of its own)."""

    what = serializers.CharField()
    who = serializers.CharField(max_length=200)
    by_when = serializers.DateField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)


class GoalSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    domain = serializers.ChoiceField(choices=LifeDomain.choices)
    text = serializers.CharField()
    actions = ActionSerializer(many=True, required=False, default=list)


class PlannedModalityOutSerializer(serializers.Serializer):
    intervention = serializers.IntegerField(source="intervention_id")
    intervention_label = serializers.CharField(source="intervention.label")
    notes = serializers.CharField()


class PlanVersionSerializer(serializers.ModelSerializer):
    episode = serializers.IntegerField(source="plan.episode_id", read_only=True)
    goals = GoalSerializer(many=True, read_only=True)
    planned_modalities = PlannedModalityOutSerializer(many=True, read_only=True)

    class Meta:
        model = PlanVersion
        fields = [
            "id",
            "plan",
            "episode",
            "number",
            "status",
            "own_words",
            "author",
            "created_at",
            "submitted_at",
            "signed_by",
            "signed_on",
            "returned_reason",
            "based_on",
            "version",
            "goals",
            "planned_modalities",
        ]
        read_only_fields = fields


class RecoveryPlanSerializer(serializers.ModelSerializer):
    versions = serializers.SerializerMethodField(help_text="Version ids, oldest first.")
    signed_version = serializers.SerializerMethodField()
    open_version = serializers.SerializerMethodField(help_text="The draft or submitted version, if any.")

    class Meta:
        model = RecoveryPlan
        fields = ["id", "episode", "review_interval_days", "created_at", "versions", "signed_version", "open_version"]
        read_only_fields = fields

    def _versions(self, plan):
        return sorted(plan.versions.all(), key=lambda v: v.number)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_versions(self, plan):
        return [v.pk for v in self._versions(plan)]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_signed_version(self, plan):
        return next((v.pk for v in self._versions(plan) if v.status == VersionStatus.SIGNED), None)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_open_version(self, plan):
        return next((v.pk for v in self._versions(plan) if v.status in selectors.OPEN_STATUSES), None)


class GoalProgressSerializer(serializers.Serializer):
    goal = serializers.IntegerField(source="goal_id")
    progress = serializers.CharField()


class PlanReviewSerializer(serializers.ModelSerializer):
    progress = GoalProgressSerializer(many=True, read_only=True)

    class Meta:
        model = PlanReview
        fields = ["id", "plan", "reviewed_on", "reviewed_version", "summary", "by", "new_version", "progress"]
        read_only_fields = fields


class GoalChangeSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="added, removed or changed")
    domain = serializers.CharField(source="goal.domain")
    text = serializers.CharField(source="goal.text")
    before_text = serializers.CharField(source="before.text", allow_null=True, default=None)
    fields = serializers.ListField(child=serializers.CharField(), help_text="Goal fields that changed.")
    actions_added = serializers.SerializerMethodField()
    actions_removed = serializers.SerializerMethodField()
    actions_changed = serializers.SerializerMethodField()

    def _whats(self, change, kind) -> list[str]:
        return [a.action.what for a in change.actions if a.kind == kind]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions_added(self, change):
        return self._whats(change, "added")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions_removed(self, change):
        return self._whats(change, "removed")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions_changed(self, change):
        return self._whats(change, "changed")


class PlanChangesSerializer(serializers.Serializer):
    own_words_changed = serializers.BooleanField()
    goals = GoalChangeSerializer(many=True)
    modalities_added = serializers.ListField(child=serializers.CharField())
    modalities_removed = serializers.ListField(child=serializers.CharField())


# --- Input -----------------------------------------------------------------------------------------------


class DraftCreateSerializer(serializers.Serializer):
    episode = serializers.IntegerField(
        help_text="Starts the episode's first version, or a new draft copied from its signed version."
    )


class PlannedModalityInSerializer(serializers.Serializer):
    intervention = serializers.PrimaryKeyRelatedField(queryset=Intervention.objects.filter(active=True))
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class DraftUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The `version` you read; a stale one is refused with 409.")
    own_words = serializers.CharField(allow_blank=True)
    goals = GoalSerializer(many=True)
    planned_modalities = PlannedModalityInSerializer(
        many=True, required=False, default=None, help_text="Leave out to keep the planned modalities as they are."
    )


class VersionCheckSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The `version` you read.")


class SignOffSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text="The `version` (edit stamp) of the plan version you read; if it changed since, 409 and nothing "
        "is signed."
    )
    signed_on = serializers.DateField(required=False, help_text="Defaults to today.")


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="What the author should change.")


class ProgressInSerializer(serializers.Serializer):
    goal = serializers.IntegerField(help_text="A goal of the signed version.")
    progress = serializers.CharField()


class ReviewCreateSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    reviewed_on = serializers.DateField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    progress = ProgressInSerializer(many=True, required=False, default=list)
    change_plan = serializers.BooleanField(required=False, default=False)


# --- Views -----------------------------------------------------------------------------------------------


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class RecoveryPlanViewSet(AuditedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Each episode's plan with its version ids; filter with `?episode=`."""

    queryset = RecoveryPlan.objects.none()  # the model for the schema generator, which has no user
    serializer_class = RecoveryPlanSerializer
    permission_classes = [ReadsPlans]
    filterset_fields = ["episode"]

    def get_queryset(self):
        return RecoveryPlan.objects.visible_to(self.request.user).prefetch_related("versions").order_by("pk")


class PlanVersionViewSet(AuditedReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = PlanVersion.objects.none()
    serializer_class = PlanVersionSerializer
    permission_classes = [ReadsPlans]
    filterset_fields = ["plan", "status"]

    def get_queryset(self):
        queryset = PlanVersion.objects.visible_to(self.request.user).select_related("plan__episode__team")
        return selectors.with_content(queryset).order_by("plan_id", "number")

    def _answer(self, version, status=200):
        fresh = self.get_queryset().get(pk=version.pk)
        return Response(PlanVersionSerializer(fresh).data, status=status)

    @extend_schema(request=DraftCreateSerializer, responses={201: PlanVersionSerializer})
    def create(self, request, *args, **kwargs):
        _require_drafter(request.user)
        data = _validated(DraftCreateSerializer, request.data)
        episode = get_object_or_404(Episode.objects.visible_to(request.user), pk=data["episode"])
        plan = RecoveryPlan.objects.filter(episode=episode).first()
        if plan is not None and plan.versions.exists():
            draft = plans.new_version(plan=plan, by=request.user)
        else:
            draft = plans.start_plan(episode=episode, by=request.user)
        return self._answer(draft, status=201)

    @extend_schema(request=DraftUpdateSerializer, responses=PlanVersionSerializer)
    def update(self, request, *args, **kwargs):
        """Replace a draft's content. A `version` older than the draft's is refused with 409."""
        _require_drafter(request.user)
        version = self.get_object()
        data = _validated(DraftUpdateSerializer, request.data)
        version = plans.update_draft(
            version=version,
            own_words=data["own_words"],
            goals=[{**goal, "actions": [dict(a) for a in goal["actions"]]} for goal in data["goals"]],
            planned_modalities=data["planned_modalities"],
            by=request.user,
            expected_version=data["version"],
        )
        return self._answer(version)

    @extend_schema(request=VersionCheckSerializer, responses=PlanVersionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        _require_drafter(request.user)
        version = self.get_object()
        data = _validated(VersionCheckSerializer, request.data)
        return self._answer(plans.submit(version=version, by=request.user, expected_version=data["version"]))

    def _check_may_sign(self, version):
        try:
            plans.check_may_sign(version, self.request.user)
        except DomainError as exc:
            raise PermissionDenied(exc.message) from exc

    @extend_schema(request=SignOffSerializer, responses=PlanVersionSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        version = self.get_object()
        self._check_may_sign(version)
        data = _validated(SignOffSerializer, request.data)
        when = data.get("signed_on") or timezone.localdate()
        return self._answer(
            plans.plan_sign_off(version=version, assessor=request.user, when=when, expected_version=data["version"])
        )

    @extend_schema(request=ReturnSerializer, responses=PlanVersionSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_author(self, request, pk=None):
        version = self.get_object()
        self._check_may_sign(version)
        data = _validated(ReturnSerializer, request.data)
        return self._answer(plans.return_plan(version=version, assessor=request.user, reason=data["reason"]))

    @extend_schema(request=None, responses=PlanChangesSerializer)
    @action(detail=True, methods=["get"])
    def changes(self, request, pk=None):
        """What changed from the version numbered before this one (a first version is all additions)."""
        version = self.get_object()
        return Response(PlanChangesSerializer(selectors.changes_from_previous(version)).data)

    @extend_schema(responses=PlanVersionSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="sign-off-queue")
    def sign_off_queue(self, request):
        """Versions submitted for sign-off in the caller's teams, oldest first."""
        if not (request.user.is_superuser or request.user.has_role(Role.ASSESSOR)):
            raise PermissionDenied("The sign-off queue is for assessors.")
        rows = list(selectors.with_content(selectors.sign_off_queue(request.user)))
        audit.audit_list_view(request, PlanVersion, rows, page="sign-off queue")
        return Response(PlanVersionSerializer(rows, many=True).data)


class PlanReviewViewSet(AuditedReadMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = PlanReview.objects.none()
    serializer_class = PlanReviewSerializer
    permission_classes = [ReadsPlans]
    filterset_fields = ["plan"]

    def get_queryset(self):
        return PlanReview.objects.visible_to(self.request.user).prefetch_related("progress").order_by("pk")

    @extend_schema(request=ReviewCreateSerializer, responses={201: PlanReviewSerializer})
    def create(self, request, *args, **kwargs):
        _require_drafter(request.user)
        data = _validated(ReviewCreateSerializer, request.data)
        plan = get_object_or_404(RecoveryPlan.objects.visible_to(request.user), pk=data["plan"])
        review = reviews.record_review(
            plan=plan,
            reviewed_on=data["reviewed_on"],
            progress={row["goal"]: row["progress"] for row in data["progress"]},
            summary=data["summary"],
            by=request.user,
            change_plan=data["change_plan"],
        )
        return Response(PlanReviewSerializer(self.get_queryset().get(pk=review.pk)).data, status=201)
