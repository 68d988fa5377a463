"""Closed lists the prescribing rules branch on (medications are reference rows in `Medication`)."""

from django.db import models


class Regime(models.TextChoices):
    STABILISATION = "stabilisation", "Stabilisation"
    MAINTENANCE = "maintenance", "Maintenance"
    REDUCTION = "reduction", "Reduction"
    WITHDRAWAL = "withdrawal", "Withdrawal / detox"
    RELAPSE_PREVENTION = "relapse_prevention", "Relapse prevention"


class SampleType(models.TextChoices):
    URINE = "urine", "Urine"
    ORAL_FLUID = "oral_fluid", "Oral fluid"
    BREATH = "breath", "Breath"
    HAIR = "hair", "Hair"
    BLOOD = "blood", "Blood"


class TestResult(models.TextChoices):
    __test__ = False  # not a pytest test class despite the name

    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"
    NOT_TESTED = "not_tested", "Not tested"


class SafeStorageOutcome(models.TextChoices):
    ISSUED = "issued", "Box issued"
    DECLINED = "declined", "Declined"


class DetoxSetting(models.TextChoices):
    COMMUNITY = "community", "Community detox"
    HOME = "home", "Home-based detox"
    DAY = "day", "Day detox"


class ResidentialKind(models.TextChoices):
    INPATIENT_DETOX = "inpatient_detox", "Inpatient detox"
    RESIDENTIAL_REHAB = "residential_rehab", "Residential rehab"


class FundingRoute(models.TextChoices):
    FACS = "facs", "FACS assessment"
    PERSONAL_BUDGET = "personal_budget", "Personal budget"


class SharedCareEndReason(models.TextChoices):
    REFERRED_BACK = "referred_back", "Referred back to specialist prescribing"
    EPISODE_ENDING = "episode_ending", "Treatment ending (before discharge)"


class CustodyStep(models.TextChoices):
    """The chain of custody of a sample, in order: each step is at or after the one before."""

    COLLECTED = "collected", "Collected"
    SEALED = "sealed", "Sealed"
    SENT = "sent", "Sent to the laboratory"
    RECEIVED = "received", "Received by the laboratory"
