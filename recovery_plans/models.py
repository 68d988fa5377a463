"""Recovery action plans (versions signed off by an assessor), plan reviews, and modalities with their clocks."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, Q

from core import history
from core.models import ModalityExitStatus, ModalitySetting, ModalityType, ReferenceCode, Team
from referrals.models import Episode
from referrals.querysets import ScopedToEpisodeQuerySet, ScopedToPersonQuerySet


class LifeDomain(models.TextChoices):
    SUBSTANCE_USE = "substance_use", "Substance use"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    HOUSING = "housing", "Housing"
    ETE = "ete", "Employment, education and training"
    FAMILY = "family", "Family and relationships"
    OFFENDING = "offending", "Offending"
    FINANCES = "finances", "Finances"
    OTHER = "other", "Other"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for sign-off"
    SIGNED = "signed", "Signed off"
    SUPERSEDED = "superseded", "Superseded"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "No longer needed"


# A version that has been signed is never edited (domain.md 2 step 5): superseded versions were signed too.
SIGNED_STATUSES = (VersionStatus.SIGNED, VersionStatus.SUPERSEDED)
SIGNED_REFUSAL = "A signed plan version and its goals and actions cannot be changed. Start a new version instead."


class SignedContent(models.Model):
    """Goals, actions and planned modalities of a version: refused once the version is signed. The model
    refuses save() and delete(); a database trigger (migration 0005) also refuses UPDATE and DELETE."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.signed_version_status() in SIGNED_STATUSES:
            raise PermissionDenied(SIGNED_REFUSAL)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.signed_version_status() in SIGNED_STATUSES:
            raise PermissionDenied(SIGNED_REFUSAL)
        return super().delete(*args, **kwargs)

    def signed_version_status(self) -> str:
        """The status of the version this row belongs to; each concrete model says how it reaches it."""
        raise NotImplementedError


class Intervention(ReferenceCode):
    """What exactly is offered (CBT, home detox...), each reported under one NDTMS modality type (MODAL)."""

    modality_type = models.ForeignKey(ModalityType, on_delete=models.PROTECT, related_name="interventions")


class EpisodeScoped(ScopedToEpisodeQuerySet):
    pass


class RecoveryPlan(models.Model):
    """One plan per episode; its content lives in versions."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="recovery_plan")
    review_interval_days = models.PositiveSmallIntegerField(
        default=84, help_text="Days between plan reviews after the first (default 12 weeks)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EpisodeScoped.as_manager()

    def __str__(self):
        return f"Recovery plan for {self.episode}"


class PlanVersionQuerySet(ScopedToPersonQuerySet):
    person_lookup = "plan__episode__person"


class PlanVersion(models.Model):
    plan = models.ForeignKey(RecoveryPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    own_words = models.TextField(blank=True, help_text="What the person wants from treatment, in their words.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_on = models.DateField(null=True, blank=True)
    returned_reason = models.TextField(blank=True, help_text="Why the assessor returned it to the author.")
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_number_unique"),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status="signed"), name="planversion_one_signed_per_plan"
            ),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status__in=["draft", "submitted"]), name="planversion_one_open_per_plan"
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_by__isnull=False, signed_on__isnull=False),
                name="planversion_signed_has_signer",
            ),
        ]

    def __str__(self):
        return f"Version {self.number} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        """A signed version is never saved again, except to mark it superseded when the next is signed (the one
        change `plan_sign_off` makes, with update_fields=["status"]); the database trigger allows exactly that."""
        stored = None if self._state.adding else getattr(self, "_stored_status", None)
        if stored in SIGNED_STATUSES:
            superseding = (
                stored == VersionStatus.SIGNED
                and self.status == VersionStatus.SUPERSEDED
                and list(kwargs.get("update_fields") or []) == ["status"]
            )
            if not superseding:
                raise PermissionDenied(SIGNED_REFUSAL)
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args, **kwargs):
        if getattr(self, "_stored_status", self.status) in SIGNED_STATUSES:
            raise PermissionDenied(SIGNED_REFUSAL)
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        version = super().from_db(db, field_names, values)
        version._stored_status = version.__dict__.get("status")
        return version


class GoalQuerySet(ScopedToPersonQuerySet):
    person_lookup = "plan_version__plan__episode__person"


class Goal(SignedContent):
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(max_length=20, choices=LifeDomain.choices)
    text = models.TextField(help_text="The goal, in the person's words where possible.")
    position = models.PositiveSmallIntegerField(default=0)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["plan_version", "position", "pk"]

    def __str__(self):
        return self.text

    def signed_version_status(self) -> str:
        return self.plan_version.status


class Action(SignedContent):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField()
    who = models.CharField(max_length=200)
    by_when = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["goal", "position", "pk"]

    def __str__(self):
        return self.what

    def signed_version_status(self) -> str:
        return self.goal.plan_version.status


class PlannedModality(SignedContent):
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="planned_modalities")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="+")
    notes = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return str(self.intervention)

    def signed_version_status(self) -> str:
        return self.plan_version.status


class PlanReviewQuerySet(ScopedToPersonQuerySet):
    person_lookup = "plan__episode__person"


class PlanReview(models.Model):
    plan = models.ForeignKey(RecoveryPlan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    reviewed_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="reviews")
    summary = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    new_version = models.ForeignKey(
        PlanVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The draft version this review led to, if any.",
    )

    objects = PlanReviewQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "reviewed_on", "pk"]

    def __str__(self):
        return f"Review on {self.reviewed_on}"


class GoalProgress(models.Model):
    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, related_name="progress")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="+")
    progress = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "goal"], name="goalprogress_unique")]

    def __str__(self):
        return self.progress


class Modality(models.Model):
    """A treatment intervention the person is referred to (REFMODDT, FAOMODDT, MODST, MODEND, MODEXIT)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="modalities")
    modality_type = models.ForeignKey(ModalityType, on_delete=models.PROTECT, related_name="+")
    setting = models.ForeignKey(ModalitySetting, on_delete=models.PROTECT, related_name="+")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="modalities")
    provider_team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    provider = models.CharField(max_length=200, blank=True)
    referred_on = models.DateField(help_text="REFMODDT")
    first_offered_on = models.DateField(null=True, blank=True, help_text="FAOMODDT")
    started_on = models.DateField(null=True, blank=True, help_text="MODST")
    ended_on = models.DateField(null=True, blank=True, help_text="MODEND")
    exit_status = models.ForeignKey(
        ModalityExitStatus, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(
        blank=True, help_text="Why a modality that never started was closed (declined, did not attend...)."
    )
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A transfer-of-care import keeps the old provider's MODID verbatim (domain.md 6b); the return writes it
    # instead of the id. Modalities recorded here have none.
    external_id = models.CharField(
        "MODID from a transfer file", max_length=20, null=True, blank=True, unique=True, editable=False
    )
    # The last day prescribing may start (RX10 / DRR5), for pharmacological modalities only: written by
    # `prescribing.waits.refresh_start_due` alone, stored so the waits board walks an index to its page.
    start_due_on = models.DateField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = EpisodeScoped.as_manager()

    class Meta:
        ordering = ["episode", "referred_on", "pk"]
        verbose_name_plural = "modalities"
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=F("referred_on")),
                name="modality_start_after_referral",
            ),
            models.CheckConstraint(
                condition=Q(first_offered_on__isnull=True) | Q(first_offered_on__gte=F("referred_on")),
                name="modality_offer_after_referral",
            ),
            # A modality that never started may still be closed (withdrawn or unplanned), on or after its
            # referral and with the reason; one that started ends on or after its start.
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=False, ended_on__gte=F("started_on"))
                | Q(started_on__isnull=True, ended_on__gte=F("referred_on")),
                name="modality_end_after_start_or_referral",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(started_on__isnull=False) | ~Q(end_reason=""),
                name="modality_unstarted_end_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, exit_status__isnull=True)
                | Q(ended_on__isnull=False, exit_status__isnull=False),
                name="modality_exit_status_iff_ended",
            ),
        ]
        # The KPI engine (reporting/kpis/populations.py): the modalities started in a period, and each one's
        # episode's earliest start, one index probe each (docs/benchmarks.md, "KPIs").
        indexes = [
            models.Index(fields=["started_on"], name="modality_started_idx"),
            models.Index(fields=["episode", "started_on"], name="modality_episode_started_idx"),
            # Running waiting clocks (the modality waits page): a few hundred among millions of modalities.
            models.Index(
                fields=["referred_on", "id"],
                condition=Q(started_on__isnull=True, ended_on__isnull=True),
                name="modality_waiting_idx",
            ),
            # The API's newest-referred-first list walks this (backwards) and stops at a page: without it a data
            # admin's first page sorted every modality (6.7 s at 1,000,000 people; docs/benchmarks.md).
            models.Index(fields=["referred_on", "id"], name="modality_referred_idx"),
            # Prescribing waits (`prescribing.waits.MAY_BE_WAITING`, the same condition): open pharmacological
            # modalities not started or started late, in the board's order, so its page stops at 50 rows
            # instead of working out every prescribing clock in the service (docs/benchmarks.md).
            models.Index(
                fields=["referred_on", "id"],
                condition=Q(start_due_on__isnull=False, ended_on__isnull=True)
                & (Q(started_on__isnull=True) | Q(started_on__gt=F("start_due_on"))),
                name="modality_start_due_idx",
            ),
        ]

    def __str__(self):
        return str(self.intervention)

    @property
    def closed_unstarted(self) -> bool:
        """Withdrawn or ended unplanned before it ever started: in no waiting-time figure."""
        return self.ended_on is not None and self.started_on is None


class ModalityReviewQuerySet(ScopedToPersonQuerySet):
    person_lookup = "modality__episode__person"


class ModalityReview(models.Model):
    """A sub-intervention review; the latest date is SUBMODDT."""

    modality = models.ForeignKey(Modality, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    notes = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ModalityReviewQuerySet.as_manager()

    class Meta:
        ordering = ["modality", "reviewed_on", "pk"]
        # The API's newest-first list of reviews, as for modalities (652 ms for a data admin at 1,000,000 people).
        indexes = [models.Index(fields=["reviewed_on", "id"], name="modality_review_date_idx")]

    def __str__(self):
        return f"Review on {self.reviewed_on}"


# Every change to these tables is captured by database triggers (core.history, django-pghistory).
history.track(PlanVersion, Goal, Action, Modality)
