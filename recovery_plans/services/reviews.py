"""Plan reviews: progress per goal of the signed version, optionally starting a new draft version."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from core import audit
from core.choices import AuditAction
from core.errors import DomainError
from recovery_plans.models import GoalProgress, PlanReview, RecoveryPlan, VersionStatus
from recovery_plans.services.plans import may_draft, new_version


def check_review_date(*, signed_on: date, reviewed_on: date) -> None:
    """A plan is reviewed on or after its sign-off (pages and the transfer-of-care import alike)."""
    if reviewed_on < signed_on:
        raise DomainError("The review cannot be before the plan was signed off.", field="reviewed_on")


@transaction.atomic
def record_review(
    *, plan: RecoveryPlan, reviewed_on: date, progress: dict[int, str], summary: str, by, change_plan: bool = False
) -> PlanReview:
    """`progress` maps goal ids of the signed version to what has happened since the last review."""
    if not may_draft(by):
        raise DomainError("Only a keyworker or an assessor can review a recovery plan.", field="plan")
    if reviewed_on > timezone.localdate():
        raise DomainError("The review date cannot be in the future.", field="reviewed_on")
    plan = RecoveryPlan.objects.select_for_update().select_related("episode").get(pk=plan.pk)
    signed = plan.versions.filter(status=VersionStatus.SIGNED).first()
    if signed is None:
        raise DomainError("A plan can be reviewed once a version has been signed off.", field="plan")
    check_review_date(signed_on=signed.signed_on, reviewed_on=reviewed_on)
    goal_ids = set(signed.goals.values_list("pk", flat=True))
    if not set(progress) <= goal_ids:
        raise DomainError("Progress can only be recorded against goals of the signed plan.", field="progress")
    review = PlanReview.objects.create(
        plan=plan, reviewed_on=reviewed_on, reviewed_version=signed, summary=summary, by=by
    )
    GoalProgress.objects.bulk_create(
        GoalProgress(review=review, goal_id=goal_id, progress=text) for goal_id, text in progress.items() if text
    )
    if change_plan:
        review.new_version = new_version(plan=plan, by=by)
        review.save(update_fields=["new_version"])
    audit.record(AuditAction.CREATE, review, actor=by, details={"goals": len(progress), "change_plan": change_plan})
    return review
