"""Recovery action plan versions: draft, submit, sign off or return, and a new draft from the signed one."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from core import audit
from core.choices import AuditAction, Role
from core.concurrency import save_if_unchanged
from core.errors import DomainError, StaleEditError
from recovery_plans.models import (
    Action,
    ActionStatus,
    Goal,
    Intervention,
    LifeDomain,
    PlannedModality,
    PlanVersion,
    RecoveryPlan,
    VersionStatus,
)


def may_draft(user) -> bool:
    """Keyworkers and assessors write plans with the person (domain.md 2 step 5)."""
    return user.has_role(Role.KEYWORKER, Role.ASSESSOR)


def _require_drafter(user, field: str) -> None:
    if not may_draft(user):
        raise DomainError("Only a keyworker or an assessor can write a recovery plan.", field=field)


@transaction.atomic
def start_plan(*, episode, by) -> PlanVersion:
    _require_drafter(by, "episode")
    if episode.discharged_on is not None:
        raise DomainError("This episode has been discharged: a plan cannot be started.", field="episode")
    plan, _ = RecoveryPlan.objects.get_or_create(episode=episode)
    if plan.versions.exists():
        raise DomainError("This episode already has a recovery plan.", field="episode")
    version = PlanVersion.objects.create(plan=plan, number=1, author=by)
    audit.record(AuditAction.CREATE, version, actor=by)
    return version


def _locked(version: PlanVersion) -> PlanVersion:
    return PlanVersion.objects.select_for_update().select_related("plan__episode").get(pk=version.pk)


def _clean_goals(goals: list[dict]) -> list[dict]:
    """Check every goal and action before anything is written, so a bad row leaves the draft as it was."""
    cleaned = []
    for number, goal in enumerate(goals, start=1):
        if goal.get("domain") not in LifeDomain.values:
            raise DomainError(f"Goal {number}: choose the life domain it belongs to.", field="domain")
        text = (goal.get("text") or "").strip()
        if not text:
            raise DomainError(f"Goal {number}: say what the goal is.", field="text")
        actions = []
        for action in goal.get("actions", []):
            what, who = (action.get("what") or "").strip(), (action.get("who") or "").strip()
            if not what:
                raise DomainError(f"Goal {number}: say what each action is.", field="what")
            if not who:
                raise DomainError(f'Goal {number}: say who will do "{what}".', field="who")
            status = action.get("status") or ActionStatus.NOT_STARTED
            if status not in ActionStatus.values:
                raise DomainError(f'Goal {number}: choose the status of "{what}".', field="status")
            actions.append({"what": what, "who": who, "by_when": action.get("by_when"), "status": status})
        cleaned.append({"domain": goal["domain"], "text": text, "actions": actions})
    return cleaned


def _clean_planned(planned: list[dict]) -> list[dict]:
    ids = [p["intervention"].pk if isinstance(p["intervention"], Intervention) else p["intervention"] for p in planned]
    if len(set(ids)) != len(ids):
        raise DomainError("Each intervention can be planned once.", field="planned_modalities")
    active = set(Intervention.objects.filter(pk__in=ids, active=True).values_list("pk", flat=True))
    if set(ids) - active:
        raise DomainError("Choose interventions from the current list.", field="planned_modalities")
    notes = [(p.get("notes") or "").strip() for p in planned]
    return [{"intervention_id": pk, "notes": note} for pk, note in zip(ids, notes, strict=True)]


@transaction.atomic
def update_draft(
    *,
    version: PlanVersion,
    own_words: str,
    goals: list[dict],
    by,
    expected_version: int,
    planned_modalities: list[dict] | None = None,
) -> PlanVersion:
    """Replace the content of a draft. `goals`: [{domain, text, actions: [{what, who, by_when, status}]}];
    `planned_modalities`: [{intervention, notes}], or None to keep the ones the draft has."""
    _require_drafter(by, "own_words")
    current = _locked(version)
    if current.status != VersionStatus.DRAFT:
        raise DomainError(
            "This version is not a draft and cannot be edited. Make a new version to change the plan.",
            field="own_words",
        )
    goals = _clean_goals(goals)
    planned = None if planned_modalities is None else _clean_planned(planned_modalities)
    current.own_words = own_words.strip()
    # The version check comes before any row is replaced: a stale edit changes nothing.
    save_if_unchanged(current, expected_version=expected_version, fields=["own_words"], what="plan")
    current.goals.all().delete()
    for g_pos, goal in enumerate(goals):
        created = Goal.objects.create(plan_version=current, domain=goal["domain"], text=goal["text"], position=g_pos)
        Action.objects.bulk_create(
            Action(goal=created, position=a_pos, **action) for a_pos, action in enumerate(goal["actions"])
        )
    if planned is not None:
        current.planned_modalities.all().delete()
        PlannedModality.objects.bulk_create(PlannedModality(plan_version=current, **p) for p in planned)
    audit.record(
        AuditAction.CHANGE,
        current,
        actor=by,
        details={"goals": len(goals), "planned_modalities": None if planned is None else len(planned)},
    )
    return current


@transaction.atomic
def submit(*, version: PlanVersion, by, expected_version: int) -> PlanVersion:
    _require_drafter(by, "status")
    current = _locked(version)
    if current.status != VersionStatus.DRAFT:
        raise DomainError("Only a draft can be submitted for sign-off.", field="status")
    if not current.goals.exists():
        raise DomainError("Add at least one goal before submitting the plan.", field="goals")
    current.status = VersionStatus.SUBMITTED
    current.submitted_at = timezone.now()
    current.returned_reason = ""
    save_if_unchanged(
        current, expected_version=expected_version, fields=["status", "submitted_at", "returned_reason"], what="plan"
    )
    audit.record(AuditAction.CHANGE, current, actor=by, details={"status": "submitted"})
    return current


def check_may_sign(version: PlanVersion, user) -> None:
    """An assessor of the episode's team (ARM or ESAP) who did not write this version."""
    if not user.has_role(Role.ASSESSOR):
        raise DomainError("Only an assessor can sign off a recovery plan.", field="signed_by")
    if not version.plan.episode.team.members.filter(pk=user.pk).exists():
        raise DomainError("Only an assessor of this person's team can sign off their plan.", field="signed_by")
    if version.author_id == user.pk:
        raise DomainError("You wrote this version: another assessor must sign it off.", field="signed_by")


class PlanChangedError(StaleEditError):
    """The version was returned, edited or resubmitted after the assessor opened it: they have not read it."""

    def __init__(self, version: PlanVersion):
        DomainError.__init__(
            self,
            f"Version {version.number} of this plan changed after you opened it, so it was not signed off. "
            "Read it again as it is now, then sign it off.",
            field="version",
            code="stale",
        )


@transaction.atomic
def plan_sign_off(*, version: PlanVersion, assessor, when: date, expected_version: int) -> PlanVersion:
    """Sign off the version the assessor read: `expected_version` is the edit stamp (`version`) of the version
    as they viewed it; any edit, return or resubmission since moves the stamp on and the sign-off is refused."""
    current = _locked(version)
    check_may_sign(current, assessor)
    if current.status != VersionStatus.SUBMITTED:
        raise DomainError("Only a submitted version can be signed off.", field="status")
    if current.version != expected_version:
        raise PlanChangedError(current)
    if when > timezone.localdate():
        raise DomainError("The sign-off date cannot be in the future.", field="signed_on")
    previous = PlanVersion.objects.select_for_update().filter(plan=current.plan, status=VersionStatus.SIGNED)
    for old in previous:
        old.status = VersionStatus.SUPERSEDED
        old.save(update_fields=["status"])
        audit.record(AuditAction.CHANGE, old, actor=assessor, details={"status": "superseded"})
    current.status = VersionStatus.SIGNED
    current.signed_by = assessor
    current.signed_on = when
    current.save(update_fields=["status", "signed_by", "signed_on"])
    audit.record(AuditAction.CHANGE, current, actor=assessor, details={"status": "signed"})
    return current


@transaction.atomic
def return_plan(*, version: PlanVersion, assessor, reason: str) -> PlanVersion:
    current = _locked(version)
    check_may_sign(current, assessor)
    if current.status != VersionStatus.SUBMITTED:
        raise DomainError("Only a submitted version can be returned.", field="status")
    if not reason.strip():
        raise DomainError("Say why the plan is being returned.", field="returned_reason")
    current.status = VersionStatus.DRAFT
    current.returned_reason = reason.strip()
    current.version += 1
    current.save(update_fields=["status", "returned_reason", "version"])
    audit.record(AuditAction.CHANGE, current, actor=assessor, details={"status": "returned"})
    return current


@transaction.atomic
def new_version(*, plan: RecoveryPlan, by) -> PlanVersion:
    """A signed plan is read-only: changing it starts a new draft copied from the signed version."""
    _require_drafter(by, "plan")
    plan = RecoveryPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.SUBMITTED]).exists():
        raise DomainError("There is already a version being drafted or awaiting sign-off.", field="plan")
    signed = plan.versions.filter(status=VersionStatus.SIGNED).first()
    if signed is None:
        raise DomainError("There is no signed version to change.", field="plan")
    number = plan.versions.count() + 1
    draft = PlanVersion.objects.create(plan=plan, number=number, author=by, own_words=signed.own_words, based_on=signed)
    for goal in signed.goals.prefetch_related("actions"):
        copy = Goal.objects.create(plan_version=draft, domain=goal.domain, text=goal.text, position=goal.position)
        Action.objects.bulk_create(
            Action(goal=copy, what=a.what, who=a.who, by_when=a.by_when, status=a.status, position=a.position)
            for a in goal.actions.all()
        )
    PlannedModality.objects.bulk_create(
        PlannedModality(plan_version=draft, intervention_id=p.intervention_id, notes=p.notes)
        for p in signed.planned_modalities.all()
    )
    audit.record(AuditAction.CREATE, draft, actor=by, details={"based_on": signed.number})
    return draft
