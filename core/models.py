import re

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import PermissionDenied
from django.db import models

from core.choices import (
    AuditAction,
    DischargeOutcome,
    Gender,
    JobState,
    ReferralSourceGroup,
    Role,
    SubstanceGroup,
    TeamKind,
)


class User(AbstractUser):
    """A member of staff. Roles are Django groups named after `Role` labels."""

    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_STATED)
    caseload_capacity = models.PositiveSmallIntegerField(
        default=40, help_text="How many people this worker can hold as lead keyworker."
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def roles(self) -> frozenset[str]:
        if not hasattr(self, "_roles"):
            self.remember_groups(group.name for group in self.groups.all())
        return self._roles

    def remember_groups(self, names) -> None:
        """Roles from these group names, kept for the life of this object (core.user_backend reads them with
        the signed-in user)."""
        labels = {label: value for value, label in Role.choices}
        self._roles = frozenset(labels[name] for name in names if name in labels)

    @property
    def team_ids(self) -> frozenset[int]:
        if not hasattr(self, "_team_ids"):
            self.remember_teams(self.teams.values_list("id", flat=True))
        return self._team_ids

    def remember_teams(self, ids) -> None:
        self._team_ids = frozenset(ids)

    def has_role(self, *roles: str) -> bool:
        return self.is_active and bool(self.roles.intersection(roles))


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    # A short handle for commands and the API (`compute_kpis --team ARM`); made from the name when left empty.
    code = models.CharField(max_length=20, unique=True, blank=True, help_text="Short unique code, e.g. ARM.")
    kind = models.CharField(max_length=20, choices=TeamKind.choices)
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = unique_team_code(self.name, Team.objects.exclude(pk=self.pk).values_list("code", flat=True))
        super().save(*args, **kwargs)


def unique_team_code(name: str, taken) -> str:
    """Upper-case words of the name joined by hyphens, at most 20 characters, numbered if already taken."""
    base = "-".join(re.findall(r"[A-Za-z0-9]+", name)).upper()[:20] or "TEAM"
    taken = set(taken)
    code, number = base, 1
    while code in taken:
        number += 1
        suffix = f"-{number}"
        code = base[: 20 - len(suffix)] + suffix
    return code


class WorkingDay(models.Model):
    """Every calendar day from 2000 to 2100 with the count of working days up to and including it, so that
    "X + N working days" is a lookup in SQL (the working day whose ordinal is X's plus N), not a Python loop.
    Filled by migration from `core.calendar` (England's bank holidays).

    Unmanaged once created: a fixed calendar, not data, so test flushes leave it alone and the browser tests'
    serialized rollback does not re-insert its 36,890 rows one by one before every test."""

    day = models.DateField(primary_key=True)
    ordinal = models.PositiveIntegerField()
    working = models.BooleanField()

    class Meta:
        managed = False
        ordering = ["day"]
        indexes = [models.Index(fields=["ordinal"], condition=models.Q(working=True), name="workingday_ordinal_idx")]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} ({self.ordinal})"


class ReferenceCode(models.Model):
    """A row of an NDTMS-style code list: loaded by a data migration, edited by data admins."""

    code = models.CharField(max_length=10, unique=True)
    label = models.CharField(max_length=200)
    active = models.BooleanField(default=True, help_text="Inactive codes stay on old records but are not offered.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.label


class Sex(ReferenceCode):
    class Meta(ReferenceCode.Meta):
        verbose_name_plural = "sexes"


class Ethnicity(ReferenceCode):
    class Meta(ReferenceCode.Meta):
        verbose_name_plural = "ethnicities"


class ReferralSource(ReferenceCode):
    group = models.CharField(max_length=30, choices=ReferralSourceGroup.choices)


class Substance(ReferenceCode):
    group = models.CharField(max_length=20, choices=SubstanceGroup.choices)


class Route(ReferenceCode):
    pass


class InjectingStatus(ReferenceCode):
    ever_injected = models.BooleanField(
        default=False, help_text="Current or previous injecting: offered a hepatitis C test."
    )

    class Meta(ReferenceCode.Meta):
        verbose_name_plural = "injecting statuses"


class HepatitisBStatus(ReferenceCode):
    already_immune = models.BooleanField(default=False, help_text="Excluded from the vaccination-offered KPI.")
    offered = models.BooleanField(default=False)
    refused = models.BooleanField(default=False)
    accepted = models.BooleanField(default=False)

    class Meta(ReferenceCode.Meta):
        verbose_name = "hepatitis B status"
        verbose_name_plural = "hepatitis B statuses"


class HepatitisBVaccination(ReferenceCode):
    course_complete = models.BooleanField(default=False)

    class Meta(ReferenceCode.Meta):
        verbose_name = "hepatitis B vaccination count"


class HepatitisCStatus(ReferenceCode):
    offered = models.BooleanField(default=False)

    class Meta(ReferenceCode.Meta):
        verbose_name = "hepatitis C status"
        verbose_name_plural = "hepatitis C statuses"


class ModalityType(ReferenceCode):
    pass


class ModalitySetting(ReferenceCode):
    pass


class ModalityExitStatus(ReferenceCode):
    class Meta(ReferenceCode.Meta):
        verbose_name_plural = "modality exit statuses"


class TreatmentStage(ReferenceCode):
    pass


class DischargeReason(ReferenceCode):
    outcome = models.CharField(max_length=20, choices=DischargeOutcome.choices)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Audit events are append-only.")

    def delete(self):
        raise PermissionDenied("Audit events are append-only.")


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. A database trigger also refuses changes."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # The hash chain (docs/architecture.md, "The audit log"): set once, after the row's transaction commits,
    # by the database function core_auditevent_seal(); empty until then.
    chain_position = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    previous_hash = models.CharField(max_length=64, blank=True, editable=False)
    row_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["id"], name="audit_unsealed_idx", condition=models.Q(chain_position__isnull=True)),
            # Subject access finds a person's rows by containment (`details @> {"person": 7}`, `{"ids": [7]}`).
            GinIndex(fields=["details"], opclasses=["jsonb_path_ops"], name="audit_details_gin"),
        ]

    def __str__(self):
        return f"{self.actor_username or 'system'} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit events are append-only.")


class JobRun(models.Model):
    """The visible status of a background job someone may be waiting for."""

    name = models.CharField(max_length=100)
    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.PENDING)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    parameters = models.JSONField(default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent complete.")
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="jobrun_progress_max_100"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_state_display()})"


class DemoSeedRun(models.Model):
    """Marks an app's demo data as loaded, so `seed_demo` run twice adds nothing."""

    app_label = models.CharField(max_length=50, unique=True)
    seed = models.IntegerField()
    people = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.app_label} (seed {self.seed}, {self.people} people)"
