from django.db import models


class Answer(models.TextChoices):
    """A yes/no question where the person may decline or the answer may not be known yet."""

    YES = "yes", "Yes"
    NO = "no", "No"
    DECLINED = "declined", "Declined / not known"


class Pregnancy(models.TextChoices):
    YES = "yes", "Pregnant"
    NO = "no", "Not pregnant"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    DECLINED = "declined", "Declined / not known"


class DomesticAbuseRisk(models.TextChoices):
    NONE = "none", "No concern"
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High (refer to MARAC)"
    DECLINED = "declined", "Declined / not known"


class LevelOfNeed(models.TextChoices):
    LOW = "low", "Low"
    COMPLEX = "complex", "Complex"


class CriminalJusticeStatus(models.TextChoices):
    NONE = "none", "No current involvement"
    COMMUNITY_ORDER = "community_order", "Community order (DRR or ATR)"
    LICENCE = "licence", "On licence or post-sentence supervision"
    BAIL = "bail", "On bail or awaiting court"
    CUSTODY_RELEASE = "custody_release", "Recently released from custody"
    DECLINED = "declined", "Declined / not known"
