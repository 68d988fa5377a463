from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from core import history
from core.choices import Gender
from core.dates import date_time, long_date
from core.models import DischargeReason, Ethnicity, ReferralSource, Sex, Substance, Team
from referrals.choices import (
    QUEUE_STATUSES,
    ContactMethod,
    FollowUpKind,
    OrderKind,
    PartnerAgency,
    ReferralStatus,
    Service,
    TaskKind,
    Urgency,
)
from referrals.querysets import (
    BreachReportQuerySet,
    EpisodeQuerySet,
    PersonQuerySet,
    ReferralQuerySet,
    ScopedToEpisodeQuerySet,
    TaskQuerySet,
    TreatmentDetailQuerySet,
)

User = settings.AUTH_USER_MODEL

PRIORITY_GROUPS = [
    ("pregnant", "Pregnant"),
    ("children_in_need", "Children in need or CAF"),
    ("recent_prison_release", "Released from prison recently"),
    ("mappa", "MAPPA"),
    ("domestic_abuse", "Domestic abuse"),
    ("court_order", "Court order"),
    ("iom", "Integrated offender management (IOM)"),
    ("homelessness_risk", "At risk of homelessness"),
    ("comorbid_mental_health", "Co-morbid mental health"),
    ("comorbid_physical_health", "Co-morbid physical health"),
    ("treatment_naive", "Treatment naive"),
    ("carer", "Is a carer"),
    ("veteran", "Veteran"),
]
# With the date that goes with one of them: what the person page and the API show only with treatment detail.
PRIORITY_GROUP_FIELDS = [field for field, _label in PRIORITY_GROUPS] + ["released_from_prison_on"]


class Person(models.Model):
    client_id = models.CharField("client ID", max_length=20, unique=True, help_text="CLIENTID in NDTMS returns.")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.ForeignKey(Sex, on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(max_length=100, blank=True, help_text="In the person's own words.")
    ethnicity = models.ForeignKey(Ethnicity, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    local_authority = models.CharField(max_length=9, blank=True, help_text="ONS local authority code (LA).")
    gp_practice = models.CharField("GP practice code", max_length=10, blank=True, help_text="GPPTCE.")
    phone = models.CharField(max_length=30, blank=True)
    consent_partner_sharing = models.BooleanField("consents to sharing with partner agencies", default=False)
    consent_national_return = models.BooleanField("consents to the national return (NDTMS)", default=False)
    # CONSENT is a required field of the return (DQ): a No by default cannot say whether the person was asked.
    consent_asked_on = models.DateField(
        "date asked about consent",
        null=True,
        blank=True,
        help_text="When the person was asked about sharing their record. Leave empty if not asked yet.",
    )
    preferred_worker_gender = models.CharField(
        max_length=20,
        choices=Gender.choices,
        default=Gender.NOT_STATED,
        help_text="The person's choice of worker.",
    )
    pregnant = models.BooleanField(default=False)
    children_in_need = models.BooleanField(default=False)
    recent_prison_release = models.BooleanField(default=False)
    released_from_prison_on = models.DateField(
        "date released from prison",
        null=True,
        blank=True,
        help_text="With the flag above: the prescriber's continuity check uses it, so no one types it again.",
    )
    mappa = models.BooleanField("MAPPA", default=False)
    domestic_abuse = models.BooleanField(default=False)
    court_order = models.BooleanField(default=False)
    iom = models.BooleanField("IOM", default=False)
    homelessness_risk = models.BooleanField(default=False)
    comorbid_mental_health = models.BooleanField(default=False)
    comorbid_physical_health = models.BooleanField(default=False)
    treatment_naive = models.BooleanField(default=False)
    carer = models.BooleanField(default=False)
    veteran = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        help_text="Set when a data admin merged this duplicate into another record.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["date_of_birth", "sex"], name="person_dob_sex_idx"),
            models.Index(fields=["family_name", "given_name"], name="person_name_idx"),
            # The search box's name lookups (`LIKE 'smi%'` and pg_trgm's `%`) at 100,000 people and more.
            GinIndex(OpClass(Lower("family_name"), name="gin_trgm_ops"), name="person_family_trgm_idx"),
            GinIndex(OpClass(Lower("given_name"), name="gin_trgm_ops"), name="person_given_trgm_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=~Q(nhs_number="") & Q(merged_into__isnull=True),
                name="person_unique_nhs_number",
            ),
            models.CheckConstraint(
                condition=Q(nhs_number="") | Q(nhs_number__regex=r"^[0-9]{10}$"),
                name="person_nhs_number_10_digits",
            ),
        ]

    def __str__(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def initials(self) -> str:
        return f"{self.given_name[:1]}{self.family_name[:1]}".upper()

    @property
    def priority_groups(self) -> list[str]:
        return [label for field, label in PRIORITY_GROUPS if getattr(self, field)]


class PersonUserObjectPermission(UserObjectPermissionBase):
    """A record shared with one worker outside the team (guardian direct foreign key, time-limited)."""

    content_object = models.ForeignKey(Person, on_delete=models.CASCADE)
    expires_on = models.DateField(null=True, blank=True)


class TeamInvolvement(models.Model):
    """A team this person has been referred to: the team's assessors, managers, prescribers and harm
    reduction workers see the person (design.md, who sees what). Higher apps add rows by service."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="team_involvements")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="involvements")
    since = models.DateField()
    reason = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "team"], name="teaminvolvement_unique")]

    def __str__(self):
        return f"{self.person} - {self.team}"


class NextEpisodeId(models.Func):
    """The next EPISODID, `E` + at least 8 digits, from the database sequence `referrals_episode_number`.

    A database default rather than a Python one, so every way a referral is inserted (the intake service,
    bulk demo data, an import) gets an EPISODID in the same statement. Created by migration 0004.
    """

    function = "referrals_next_episode_id"
    arity = 0
    allowed_default = True
    output_field = models.CharField()


class Referral(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    # NDTMS counts a referral that never entered treatment as an episode (TRIAGED = NA), so EPISODID is
    # given at receipt; the Episode opened from this referral carries the same value (a database trigger
    # copies it), and the database refuses to change it afterwards.
    episode_id = models.CharField(
        "episode ID",
        max_length=20,
        unique=True,
        editable=False,
        db_default=NextEpisodeId(),
        help_text="EPISODID, given when the referral is received.",
    )
    received_at = models.DateTimeField()
    # Stored, not derived on read: queues sort and filter on them across every referral (REFLD, FC3).
    received_on = models.DateField(db_index=True, help_text="REFLD: the received date in Europe/London.")
    first_contact_due = models.DateField(db_index=True)
    source = models.ForeignKey(ReferralSource, on_delete=models.PROTECT, related_name="+")
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True)
    presenting_substances = models.ManyToManyField(Substance, blank=True, related_name="+")
    reason = models.TextField()
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    service = models.CharField(max_length=10, choices=Service.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="referrals")
    lives_in_city = models.BooleanField()
    registered_with_city_gp = models.BooleanField()
    status = models.CharField(max_length=30, choices=ReferralStatus.choices, default=ReferralStatus.AWAITING_CONTACT)
    signposted_to = models.CharField(max_length=200, blank=True)
    signpost_reason = models.TextField(blank=True)
    triaged_on = models.DateField(null=True, blank=True)
    triaged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    advice_given = models.TextField(blank=True)
    # A referral closed before triage (no contact made, or declined): XREFCLOSED.
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closure_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The referral queue: a team's waiting referrals in queue order, a few hundred among millions closed.
            models.Index(
                fields=["team", "first_contact_due", "received_at", "id"],
                condition=Q(status__in=QUEUE_STATUSES),
                name="referral_queue_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(first_contact_due__gt=F("received_on")), name="referral_due_after"),
            models.CheckConstraint(
                condition=Q(triaged_on__isnull=True) | Q(triaged_on__gte=F("received_on")),
                name="referral_triage_after_received",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("received_on")),
                name="referral_closed_after_received",
            ),
        ]

    def __str__(self):
        return f"Referral of {self.person} received {long_date(self.received_on)}"

    @property
    def eligible(self) -> bool:
        return self.lives_in_city or self.registered_with_city_gp


class ContactAttempt(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="contact_attempts")
    made_on = models.DateField()
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["made_on", "id"]

    def __str__(self):
        return f"{self.get_method_display()} on {long_date(self.made_on)}"


class Episode(models.Model):
    """Structured treatment, from the referral's acceptance (TRIAGED) to discharge (DISD)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="episodes")
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="episode")
    episode_id = models.CharField(
        "episode ID",
        max_length=20,
        unique=True,
        editable=False,
        help_text="EPISODID: always the referral's (the database sets it from the referral on every write).",
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="episodes", help_text="ARM or ESAP.")
    opened_on = models.DateField(help_text="TRIAGED.")
    discharged_on = models.DateField(null=True, blank=True, help_text="DISD.")
    discharge_reason = models.ForeignKey(
        DischargeReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    discharge_notes = models.TextField(blank=True)
    discharged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(discharged_on__isnull=True), name="episode_one_open_per_person"
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("opened_on")),
                name="episode_discharge_after_open",
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True, discharge_reason__isnull=True)
                | Q(discharged_on__isnull=False, discharge_reason__isnull=False),
                name="episode_discharge_has_reason",
            ),
        ]
        # The KPI engine: the episodes opened (KW, JW, HBO, HCV, REP) or discharged (PDA, PDD) in a period.
        indexes = [
            models.Index(fields=["opened_on"], name="episode_opened_idx"),
            models.Index(fields=["discharged_on"], name="episode_discharged_idx"),
            # A team's open episodes oldest first (the allocation board): a sixth of the open ones, not all.
            models.Index(
                fields=["team", "opened_on", "id"],
                condition=Q(discharged_on__isnull=True),
                name="open_episode_team_idx",
            ),
            # Open episodes oldest first (the data quality page): walks the open ones only, not ten years of
            # discharged episodes before them.
            models.Index(
                fields=["opened_on", "id"], condition=Q(discharged_on__isnull=True), name="open_episode_opened_idx"
            ),
        ]

    def __str__(self):
        return f"Episode {self.episode_id} of {self.person}"

    @property
    def is_open(self) -> bool:
        return self.discharged_on is None


class Allocation(models.Model):
    """Who holds an episode: its assessor and lead keyworker. Reallocation ends a row, never edits it."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="allocations")
    assessor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="assessor_allocations")
    keyworker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="keyworker_allocations")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", help_text="The delivery team.")
    allocated_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    allocated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-allocated_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(ended_on__isnull=True),
                name="allocation_one_current_per_episode",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("allocated_on")),
                name="allocation_end_after",
            ),
        ]
        indexes = [models.Index(fields=["keyworker"], condition=Q(ended_on__isnull=True), name="current_caseload_idx")]

    def __str__(self):
        return f"{self.keyworker} for {self.episode}"


class PartnerInvolvement(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="partner_involvements")
    agency = models.CharField(max_length=30, choices=PartnerAgency.choices)
    organisation = models.CharField(max_length=200, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    started_on = models.DateField()
    # JW (domain.md 5) counts involvements *recorded* by the period end: a later entry backdated to an
    # earlier start must not change a past period's figure.
    recorded_on = models.DateField(default=timezone.localdate, help_text="When this involvement was recorded.")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recorded_on__gte=F("started_on")), name="partner_recorded_on_or_after_start"
            )
        ]

    def __str__(self):
        return f"{self.get_agency_display()} from {long_date(self.started_on)}"


class CommunityOrder(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="community_orders")
    episode = models.ForeignKey(Episode, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=3, choices=OrderKind.choices)
    order_date = models.DateField()
    requirement_months = models.PositiveSmallIntegerField()
    court = models.CharField(max_length=200, blank=True)
    offender_manager = models.CharField(max_length=200, blank=True)

    objects = TreatmentDetailQuerySet.as_manager()

    class Meta:
        ordering = ["-order_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requirement_months__gte=1) & Q(requirement_months__lte=36),
                name="order_length_1_to_36",
            )
        ]

    def __str__(self):
        return f"{self.kind} from {long_date(self.order_date)}"


class ArrestReferral(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="arrest_referrals")
    tested_at = models.DateTimeField()
    trigger_offence = models.CharField(max_length=200)
    from_other_area = models.BooleanField(default=False, help_text="Allows 48 hours instead of 24.")
    assessed_in_custody = models.BooleanField(default=False)
    assessment_due_at = models.DateTimeField()
    assessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-tested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(assessment_due_at__gt=F("tested_at")), name="arrest_due_after_test"),
        ]

    def __str__(self):
        return f"Arrest referral of {self.person} tested {long_date(self.tested_at)}"


class BreachReport(models.Model):
    order = models.ForeignKey(CommunityOrder, on_delete=models.CASCADE, related_name="breach_reports")
    missed_appointment_on = models.DateField()
    due_on = models.DateField(help_text="Missed appointment + 5 working days.")
    reported_on = models.DateField(null=True, blank=True)

    objects = BreachReportQuerySet.as_manager()

    class Meta:
        ordering = ["-missed_appointment_on"]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gt=F("missed_appointment_on")), name="breach_due_after"),
            models.CheckConstraint(
                condition=Q(reported_on__isnull=True) | Q(reported_on__gte=F("missed_appointment_on")),
                name="breach_reported_after_missed",
            ),
        ]

    def __str__(self):
        return f"Breach: missed {long_date(self.missed_appointment_on)}"


class Carer(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="carers")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    phone = models.CharField(max_length=30, blank=True)
    support_started_on = models.DateField()
    support_planned_end = models.DateField(help_text="At most two years after support started (SPEC 10.17).")
    support_ended_on = models.DateField(null=True, blank=True)

    objects = TreatmentDetailQuerySet.as_manager()

    class Meta:
        ordering = ["support_started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(support_planned_end__gt=F("support_started_on")), name="carer_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(support_ended_on__isnull=True) | Q(support_ended_on__gte=F("support_started_on")),
                name="carer_ended_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.relationship})"


class FollowUp(models.Model):
    """A contact due 6 or 12 months after a successful discharge (SPEC 10.10).

    Owned by the last keyworker and their team from the discharge on: the team's follow-up list shows it,
    and the keyworker keeps read access to the person until it is done (referrals.querysets)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(max_length=10, choices=FollowUpKind.choices)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    keyworker = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        help_text="The keyworker at discharge, who makes the contact.",
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        help_text="The keyworker's team at discharge, whose follow-up list shows it.",
    )

    objects = ScopedToEpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["episode", "kind"], name="followup_once_per_kind")]
        indexes = [
            models.Index(fields=["keyworker"], condition=Q(done_on__isnull=True), name="open_follow_up_owner_idx"),
            models.Index(fields=["team", "due_on"], condition=Q(done_on__isnull=True), name="open_follow_up_team_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} (due {long_date(self.due_on)})"


class ReengagementEntry(models.Model):
    """A person who left treatment unplanned, for the team to try to bring back."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reengagement_entries")
    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="reengagement_entry")
    added_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["added_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("added_on")),
                name="reengagement_closed_after_added",
            )
        ]
        # The re-engagement list's order over open entries only (most are closed): a team-wide list walks it and
        # stops at its page, instead of joining every episode and sorting before the first row.
        indexes = [
            models.Index(fields=["added_on", "id"], condition=Q(closed_on__isnull=True), name="reengagement_open_idx")
        ]

    def __str__(self):
        return f"Re-engage {self.person}"


class Task(models.Model):
    """A piece of work on a caseload that stays visible until done (alerts, risk actions, follow-ups).

    `source_key` makes creation idempotent: the job or rule that raises a task names it uniquely.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tasks")
    episode = models.ForeignKey(Episode, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=30, choices=TaskKind.choices)
    title = models.CharField(max_length=200)
    assigned_to = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_reason = models.CharField(
        max_length=200, blank=True, help_text="Why it was closed without being done (for example the client died)."
    )
    source_key = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assigned_to"], condition=Q(done_on__isnull=True), name="open_task_idx")]

    def __str__(self):
        return self.title


class PersonMerge(models.Model):
    """One record merged into another, with what moved, so a data admin can undo it exactly."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_merged")
    merged_at = models.DateTimeField(auto_now_add=True)
    merged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    kept_before = models.JSONField(
        default=dict, help_text="The kept record's fields that the merge changed, as they were before it."
    )
    kept_after = models.JSONField(default=dict, help_text="The same fields as the merge set them.")
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merged"], condition=Q(undone_at__isnull=True), name="person_merged_once_at_a_time"
            ),
            models.CheckConstraint(condition=~Q(kept=F("merged")), name="person_merge_two_records"),
        ]

    def __str__(self):
        return f"{self.merged.client_id} merged into {self.kept.client_id}"


class PersonMergeMove(models.Model):
    """A row that pointed at the merged record and was moved to the kept one (or, when both records held
    the same link, removed and kept here to be re-created on undo)."""

    merge = models.ForeignKey(PersonMerge, on_delete=models.CASCADE, related_name="moves")
    model = models.CharField(max_length=100, help_text="app_label.ModelName")
    field_name = models.CharField(max_length=100)
    row_id = models.CharField(max_length=64)
    removed_row = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.model} {self.row_id}.{self.field_name}"


class BreakGlassAccess(models.Model):
    """Emergency access to a person outside the worker's scope, for a stated reason and a few hours
    (issue 15, item 9; Caldicott: need to know). Read by the visibility rule while unexpired; the team
    manager gets a task to review it and the data admin sees every one on the break-glass report."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="break_glass_accesses")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_accesses")
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["user", "person", "expires_at"], name="break_glass_user_idx")]

    def __str__(self):
        return f"{self.user} on {self.person.client_id} until {date_time(self.expires_at)}"


class RecordShare(models.Model):
    """A team manager's share of one person's record with a named worker outside the team, for a stated
    reason, until `ends_on` (domain.md section 1, records explicitly shared). The grant itself is the guardian
    object permission the visibility rule reads; this row keeps who, why and until when after the grant is
    gone (ended early or expired), for the data admin's list."""

    class EndReason(models.TextChoices):
        ENDED_EARLY = "ended_early", "Ended early"
        EXPIRED = "expired", "Expired"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shares")
    worker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="record_shares_received")
    shared_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="record_shares_made")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="record_shares")
    reason = models.TextField()
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    permission = models.OneToOneField(
        PersonUserObjectPermission, null=True, blank=True, on_delete=models.SET_NULL, related_name="share"
    )
    ended_on = models.DateField(null=True, blank=True)
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live share per person and worker, as guardian holds one permission row per pair.
            models.UniqueConstraint(
                fields=["person", "worker"], condition=Q(ended_on__isnull=True), name="recordshare_one_live"
            )
        ]
        indexes = [models.Index(fields=["ends_on"], condition=Q(ended_on__isnull=True), name="recordshare_live_idx")]

    def __str__(self):
        return f"{self.person.client_id} shared with {self.worker} until {long_date(self.ends_on)}"

    @property
    def is_live(self) -> bool:
        return self.ended_on is None and self.ends_on >= timezone.localdate()


# Every change to these tables is captured by database triggers (core.history, django-pghistory).
history.track(Person, Referral, Episode, Allocation)
