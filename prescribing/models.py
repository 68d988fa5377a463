"""Prescribing and clinical work (specification 10.3-10.5, 10.7): clinical assessment before any prescription,
prescriptions whose every change is a new row, safe storage, shared care, drug and alcohol tests, detox."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core import history
from core.dates import date_time, long_date
from core.models import ReferenceCode, Substance
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
from referrals.models import Episode, Person
from referrals.querysets import ScopedToPersonQuerySet

User = settings.AUTH_USER_MODEL


class Medication(ReferenceCode):
    unit = models.CharField(max_length=20, help_text="The unit a dose is written in, e.g. mg or ml.")
    maintenance = models.BooleanField(
        default=False, help_text="An opioid substitute that must continue without a gap after prison release."
    )


class Pharmacy(models.Model):
    name = models.CharField(max_length=200)
    ods_code = models.CharField("ODS code", max_length=10, blank=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "pharmacies"

    def __str__(self):
        return self.name


class ClinicalAssessment(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="clinical_assessments")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="clinical_assessments")
    prescriber = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField()
    findings = models.TextField()
    children_in_home = models.BooleanField(
        default=False, help_text="Children or young people live in or visit the home (safe storage needed)."
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedToPersonQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-pk"]

    def __str__(self):
        return f"Clinical assessment {long_date(self.assessed_on)}"


class Prescription(models.Model):
    """One dose over one period. A change is a new row that `supersedes` the old one, which is ended the day
    before: the rows of a person are their dose history."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="prescriptions")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="prescriptions")
    clinical_assessment = models.ForeignKey(ClinicalAssessment, on_delete=models.PROTECT, related_name="prescriptions")
    modality = models.ForeignKey(
        "recovery_plans.Modality", null=True, blank=True, on_delete=models.PROTECT, related_name="prescriptions"
    )
    medication = models.ForeignKey(Medication, on_delete=models.PROTECT, related_name="+")
    dose = models.DecimalField(max_digits=8, decimal_places=2)
    unit = models.CharField(max_length=20)
    regime = models.CharField(max_length=30, choices=Regime.choices)
    dispensing_interval_days = models.PositiveSmallIntegerField(default=1)
    supervised = models.BooleanField(default=True, help_text="Supervised consumption at the named pharmacy.")
    pharmacy = models.ForeignKey(Pharmacy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(db_index=True)
    ends_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    prescriber = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    released_from_prison_on = models.DateField(null=True, blank=True)
    gap_reason = models.TextField(blank=True, help_text="Why a script after prison release starts after the next day.")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedToPersonQuerySet.as_manager()

    class Meta:
        ordering = ["person", "starts_on", "pk"]
        indexes = [models.Index(fields=["person", "medication"])]
        constraints = [
            models.CheckConstraint(condition=Q(dose__gt=0), name="prescription_dose_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="prescription_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.medication} {self.dose:g} {self.unit} from {long_date(self.starts_on)}"

    @property
    def take_home(self) -> bool:
        return not self.supervised


class PlannedStep(models.Model):
    """A step of a reducing regime: from this date, this dose."""

    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="planned_steps")
    from_date = models.DateField()
    dose = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["prescription", "from_date"]
        constraints = [
            models.UniqueConstraint(fields=["prescription", "from_date"], name="planned_step_once_per_date"),
            models.CheckConstraint(condition=Q(dose__gte=0), name="planned_step_dose_not_negative"),
        ]

    def __str__(self):
        return f"{self.dose:g} from {long_date(self.from_date)}"


class SafeStorage(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="safe_storage_offers")
    offered_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=SafeStorageOutcome.choices)
    declined_reason = models.TextField(blank=True)
    advice_given = models.BooleanField(
        default=True, help_text="Verbal and written advice on storage and disposal of medication and bottles."
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedToPersonQuerySet.as_manager()

    class Meta:
        ordering = ["-offered_on", "-pk"]
        verbose_name_plural = "safe storage offers"
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=SafeStorageOutcome.DECLINED) | ~Q(declined_reason=""),
                name="safe_storage_declined_has_reason",
            )
        ]

    def __str__(self):
        return f"Safe storage box {self.get_outcome_display().lower()} {long_date(self.offered_on)}"


class SharedCareTransfer(models.Model):
    """Prescribing shared with a GP practice; the keyworker keeps the review duty."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="shared_care_transfers")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="shared_care_transfers")
    gp_practice = models.CharField("GP practice", max_length=200)
    agreed_criteria = models.TextField(help_text="The agreed stability criteria the person meets.")
    transferred_on = models.DateField()
    review_keyworker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    next_review_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True, help_text="The GP stopped prescribing under shared care.")
    end_reason = models.CharField(max_length=20, choices=SharedCareEndReason.choices, blank=True)
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = ScopedToPersonQuerySet.as_manager()

    class Meta:
        ordering = ["-transferred_on", "-pk"]
        constraints = [
            # An end is a date and a reason together, never one without the other.
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="") | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="shared_care_end_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("transferred_on")),
                name="shared_care_ends_after_transfer",
            ),
        ]

    def __str__(self):
        return f"Shared care with {self.gp_practice} from {long_date(self.transferred_on)}"


class DrugTest(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="drug_tests")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="drug_tests")
    tested_on = models.DateField()
    sample_type = models.CharField(max_length=20, choices=SampleType.choices)
    purpose = models.CharField(max_length=200)
    rationale = models.TextField(help_text="Why this test, as written in the recovery plan.")
    plan_version = models.ForeignKey(
        "recovery_plans.PlanVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drug_tests",
        help_text="The recovery plan version whose rationale the test follows (none while the episode has no plan).",
    )
    goal = models.ForeignKey(
        "recovery_plans.Goal", null=True, blank=True, on_delete=models.PROTECT, related_name="drug_tests"
    )
    collected_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sample was collected (not recorded before custody trails)."
    )
    chain_of_custody = models.BooleanField(default=False, help_text="Sampled under chain of custody: sealed.")
    substances_tested = models.ManyToManyField(Substance, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedToPersonQuerySet.as_manager()

    class Meta:
        ordering = ["-tested_on", "-pk"]

    def __str__(self):
        return f"{self.get_sample_type_display()} test {long_date(self.tested_on)}"


class CustodyEvent(models.Model):
    """One step of a sample's chain of custody: who collected, sealed, sent or received it, and when."""

    test = models.ForeignKey(DrugTest, on_delete=models.PROTECT, related_name="custody")
    step = models.CharField(max_length=12, choices=CustodyStep.choices)
    at = models.DateTimeField()
    by = models.CharField(max_length=200, help_text="The person (or courier, laboratory) who did this step.")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["test", "at", "pk"]
        constraints = [models.UniqueConstraint(fields=["test", "step"], name="custody_step_once_per_test")]

    def __str__(self):
        return f"{self.get_step_display()} {date_time(self.at)} by {self.by}"


class DrugTestResult(models.Model):
    test = models.ForeignKey(DrugTest, on_delete=models.CASCADE, related_name="results")
    substance = models.ForeignKey(Substance, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=20, choices=TestResult.choices)
    lab_confirmed = models.BooleanField(default=False)

    class Meta:
        ordering = ["test", "substance__sort_order", "substance__code"]
        constraints = [models.UniqueConstraint(fields=["test", "substance"], name="one_result_per_substance")]

    def __str__(self):
        return f"{self.substance}: {self.get_result_display()}"


class DetoxPlan(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="detox_plans")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="detox_plans")
    modality = models.ForeignKey(
        "recovery_plans.Modality", null=True, blank=True, on_delete=models.PROTECT, related_name="detox_plans"
    )
    setting = models.CharField(max_length=20, choices=DetoxSetting.choices)
    planned_start = models.DateField()
    planned_end = models.DateField()
    support_worker = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = ScopedToPersonQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")), name="detox_plan_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.get_setting_display()} from {long_date(self.planned_start)}"


class DetoxStep(models.Model):
    plan = models.ForeignKey(DetoxPlan, on_delete=models.CASCADE, related_name="steps")
    from_date = models.DateField()
    medication = models.ForeignKey(Medication, on_delete=models.PROTECT, related_name="+")
    dose = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["plan", "from_date", "pk"]

    def __str__(self):
        return f"{self.medication} {self.dose:g} from {long_date(self.from_date)}"


class ResidentialReferral(models.Model):
    """A referral to inpatient detox or residential rehab (not delivered by this service), with its funding."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="residential_referrals")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="residential_referrals")
    kind = models.CharField(max_length=30, choices=ResidentialKind.choices)
    provider = models.CharField(max_length=200)
    funding_route = models.CharField(max_length=30, choices=FundingRoute.choices)
    referred_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = ScopedToPersonQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} referral {long_date(self.referred_on)}"


# Every change to these tables is captured by database triggers (core.history, django-pghistory).
history.track(Prescription, DrugTest)
