"""Comprehensive assessment, TOP (Treatment Outcomes Profile) and their code lists (issue 4).

Field names follow the NDTMS return (domain.md section 6): the comment on each field names the return field
it feeds, so the reporting app can map them without guessing.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from assessment.choices import Answer, CriminalJusticeStatus, DomesticAbuseRisk, LevelOfNeed, Pregnancy
from core import history
from core.dates import long_date
from core.models import InjectingStatus, ReferenceCode, Route, Substance, TreatmentStage
from referrals.models import Episode
from referrals.querysets import ScopedToEpisodeQuerySet

User = settings.AUTH_USER_MODEL

DAYS_28 = [MinValueValidator(0), MaxValueValidator(28)]
DAYS_7 = [MinValueValidator(0), MaxValueValidator(7)]
RATING = [MinValueValidator(0), MaxValueValidator(20)]


class AccommodationNeed(ReferenceCode):
    """ACCMNEED."""


class EmploymentStatus(ReferenceCode):
    """EMPSTAT."""

    class Meta(ReferenceCode.Meta):
        verbose_name_plural = "employment statuses"


class ParentalStatus(ReferenceCode):
    """PRNTSTAT."""

    class Meta(ReferenceCode.Meta):
        verbose_name_plural = "parental statuses"


class ChildrenLivingWith(ReferenceCode):
    """CHILDWTH: whether children under 18 live with the person."""

    children_in_household = models.BooleanField(
        default=False, help_text="Children live with the person: raises the Children's Centre and safe-storage tasks."
    )

    class Meta(ReferenceCode.Meta):
        verbose_name_plural = "children living with the person"


class DualDiagnosis(ReferenceCode):
    """DUALDIAG."""

    class Meta(ReferenceCode.Meta):
        verbose_name_plural = "dual diagnosis codes"


class AssessmentQuerySet(ScopedToEpisodeQuerySet):
    treatment_detail = True

    def open(self):
        return self.filter(completed_on__isnull=True)


class Assessment(models.Model):
    """The comprehensive assessment of one episode, saved section by section, then completed."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="assessments")
    started_on = models.DateField()
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    completed_on = models.DateField(
        null=True, blank=True, help_text="XCOMPASSESS; the first plan review counts from it."
    )
    completed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    # Injecting (INJSTAT) and sharing of equipment.
    injecting_status = models.ForeignKey(
        InjectingStatus,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="injecting status",
    )
    sharing = models.CharField("shares injecting equipment", max_length=10, choices=Answer.choices, blank=True)

    # Alcohol (ALCDDAYS, ALCUNITS).
    alcohol_days = models.PositiveSmallIntegerField(
        "alcohol drinking days in the last 28", null=True, blank=True, validators=DAYS_28
    )
    alcohol_days_declined = models.BooleanField("alcohol drinking days declined / not known", default=False)
    alcohol_units = models.PositiveSmallIntegerField("units on a typical drinking day", null=True, blank=True)
    alcohol_units_declined = models.BooleanField("alcohol units declined / not known", default=False)

    # Physical and mental health (DUALDIAG).
    physical_health = models.TextField("physical health", blank=True)
    health_assessment_on = models.DateField("health assessment date", null=True, blank=True)
    mental_health = models.TextField("mental health", blank=True)
    dual_diagnosis = models.ForeignKey(
        DualDiagnosis, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="dual diagnosis"
    )

    # Housing, employment (ACCMNEED, EMPSTAT).
    accommodation_need = models.ForeignKey(
        AccommodationNeed,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="accommodation need",
    )
    employment_status = models.ForeignKey(
        EmploymentStatus,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="employment, education or training",
    )

    # Children and pregnancy (CHILDWTH, PRNTSTAT, PREGNANT).
    children_count = models.PositiveSmallIntegerField("number of children under 18", null=True, blank=True)
    children_living_with = models.ForeignKey(
        ChildrenLivingWith,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="children living with the person",
    )
    parental_status = models.ForeignKey(
        ParentalStatus,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="parental status",
    )
    pregnant = models.CharField("pregnancy", max_length=20, choices=Pregnancy.choices, blank=True)

    # Criminal justice, domestic abuse, safeguarding.
    criminal_justice_status = models.CharField(
        "criminal justice status", max_length=20, choices=CriminalJusticeStatus.choices, blank=True
    )
    domestic_abuse_risk = models.CharField(
        "domestic abuse risk level", max_length=10, choices=DomesticAbuseRisk.choices, blank=True
    )
    safeguarding_concern = models.CharField("safeguarding concern", max_length=10, choices=Answer.choices, blank=True)
    safeguarding_notes = models.TextField("safeguarding concern details", blank=True)

    # Level of need and personal budget.
    level_of_need = models.CharField("level of need", max_length=10, choices=LevelOfNeed.choices, blank=True)
    personal_budget_amount = models.DecimalField(
        "personal budget amount (£)",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    personal_budget_uses = models.TextField("what the personal budget may buy", blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"], condition=Q(completed_on__isnull=True), name="one_open_assessment_per_episode"
            ),
            models.CheckConstraint(condition=Q(alcohol_days__lte=28), name="assessment_alcohol_days_0_28"),
        ]
        # The KPI engine: assessments completed in a period, and each episode's first and latest as at a date.
        indexes = [
            models.Index(fields=["completed_on"], name="assessment_completed_idx"),
            models.Index(fields=["episode", "completed_on"], name="assessment_episode_done_idx"),
        ]

    def __str__(self):
        return f"Assessment of {self.episode}"

    @property
    def is_complete(self):
        return self.completed_on is not None


class AssessmentSubstanceQuerySet(ScopedToEpisodeQuerySet):
    treatment_detail = True
    person_lookup = "assessment__episode__person"


class AssessmentSubstance(models.Model):
    """DRUG1 (rank 1, with ROUTE and DRUG1AGE), DRUG2, DRUG3."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="substances")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(3)])
    substance = models.ForeignKey(Substance, on_delete=models.PROTECT, related_name="+")
    route = models.ForeignKey(Route, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    days_used = models.PositiveSmallIntegerField("days used in the last 28", null=True, blank=True, validators=DAYS_28)
    age_first_use = models.PositiveSmallIntegerField("age of first use", null=True, blank=True)
    age_first_use_declined = models.BooleanField("age of first use declined / not known", default=False)
    amount = models.CharField("typical amount", max_length=100, blank=True)

    objects = AssessmentSubstanceQuerySet.as_manager()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "rank"], name="one_substance_per_rank"),
            models.UniqueConstraint(fields=["assessment", "substance"], name="one_rank_per_substance"),
            models.CheckConstraint(condition=Q(rank__gte=1, rank__lte=3), name="substance_rank_1_3"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.substance}"


# The TOP's substance items: (field prefix, NDTMS field, label). Each is entered as four weekly columns.
TOP_SUBSTANCE_ITEMS = [
    ("alcohol", "ALCUSE", "Alcohol"),
    ("opiates", "OPIUSE", "Opiates (illicit)"),
    ("crack", "CRAUSE", "Crack"),
    ("cocaine", "COCAUSE", "Cocaine"),
    ("amphetamines", "AMPHUSE", "Amphetamines"),
    ("cannabis", "CANNUSE", "Cannabis"),
    ("other_drug", "OTDRGUSE", "Other problem substance"),
    ("injected", "IVDRGUSE", "Injected non-prescribed drugs"),
]
# Items counted in days over four weeks that are not substances (also entered weekly).
TOP_DAY_ITEMS = [
    ("shoplifting", "SHOTHEFT", "Shoplifting"),
    ("drug_selling", "DRGSELL", "Selling drugs"),
    ("other_theft", "OTHTHEFT", "Other theft (vehicle, property, burglary)"),
    ("paid_work", "PWORK", "Days of paid work"),
    ("education", "EDUCAT", "Days attended college or school"),
]
TOP_WEEKLY_ITEMS = TOP_SUBSTANCE_ITEMS + TOP_DAY_ITEMS
TOP_RATINGS = [
    ("psychological_health", "PSYHSTAT", "Psychological health"),
    ("physical_health", "PHSTAT", "Physical health"),
    ("quality_of_life", "QUALLIFE", "Overall quality of life"),
]
TOP_YES_NO = [
    ("sharing", "SHARING", "Shared injecting equipment"),
    ("assault", "ASSAULT", "Committed assault or violence"),
    ("acute_housing_problem", "ACUTHPBM", "Acute housing problem"),
    ("housing_risk", "HRISK", "At risk of eviction"),
]


class TopQuerySet(ScopedToEpisodeQuerySet):
    treatment_detail = True


def _weekly_fields():
    fields = {}
    for prefix, ndtms, label in TOP_WEEKLY_ITEMS:
        for week in range(1, 5):
            fields[f"{prefix}_week{week}"] = models.PositiveSmallIntegerField(
                f"{label}, week {week}", default=0, validators=DAYS_7
            )
        fields[prefix] = models.PositiveSmallIntegerField(
            f"{label} ({ndtms}), days in the past 28", default=0, editable=False, validators=DAYS_28
        )
    return fields


class TopBase(models.Model):
    class Meta:
        abstract = True


for _name, _field in _weekly_fields().items():
    TopBase.add_to_class(_name, _field)
for _prefix, _ndtms, _label in TOP_RATINGS:
    TopBase.add_to_class(_prefix, models.PositiveSmallIntegerField(f"{_label} ({_ndtms}), 0-20", validators=RATING))
for _prefix, _ndtms, _label in TOP_YES_NO:
    TopBase.add_to_class(_prefix, models.BooleanField(f"{_label} ({_ndtms})", default=False))


class Top(TopBase):
    """One Treatment Outcomes Profile (TOPID = id). Weekly columns are kept so the form can be shown again."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="tops")
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="tops")
    stage = models.ForeignKey(TreatmentStage, on_delete=models.PROTECT, related_name="+", verbose_name="stage")
    top_date = models.DateField("TOP date")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A transfer-of-care import keeps the old provider's TOPID verbatim (domain.md 6b); the return writes it
    # instead of the id. TOPs recorded here have none.
    external_id = models.CharField(
        "TOPID from a transfer file", max_length=20, null=True, blank=True, unique=True, editable=False
    )

    objects = TopQuerySet.as_manager()

    class Meta:
        ordering = ["top_date", "id"]
        verbose_name = "TOP"
        verbose_name_plural = "TOPs"
        indexes = [models.Index(fields=["episode", "top_date"], name="top_episode_date_idx")]

    def __str__(self):
        return f"TOP {self.stage} {long_date(self.top_date)}"

    def compute_totals(self):
        for prefix, _ndtms, _label in TOP_WEEKLY_ITEMS:
            setattr(self, prefix, sum(getattr(self, f"{prefix}_week{week}") or 0 for week in range(1, 5)))


# Every change to these tables is captured by database triggers (core.history, django-pghistory).
history.track(Assessment, Top)
