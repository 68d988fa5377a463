"""Closed lists the code branches on. Lists an admin may change are reference-data rows instead."""

from django.db import models


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    ASSESSOR = "assessor", "Assessor"
    KEYWORKER = "keyworker", "Keyworker"
    PRESCRIBER = "prescriber", "Prescriber"
    HARM_REDUCTION_WORKER = "harm_reduction_worker", "Harm reduction worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    COMMISSIONER = "commissioner", "Commissioner"
    DATA_ADMIN = "data_admin", "Data admin"


class TeamKind(models.TextChoices):
    ARM = "arm", "ARM (assessment, review and monitoring, 25 and over)"
    ESAP = "esap", "ESAP (early support, assessment and planning, 11 to 24)"
    DELIVERY = "delivery", "Delivery"
    PRESCRIBING = "prescribing", "Prescribing"
    HARM_REDUCTION = "harm_reduction", "Harm reduction"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    NOT_STATED = "not_stated", "Not stated"


class SubstanceGroup(models.TextChoices):
    OPIATE = "opiate", "Opiate"
    NON_OPIATE = "non_opiate", "Non-opiate"
    ALCOHOL = "alcohol", "Alcohol"


class ReferralSourceGroup(models.TextChoices):
    SUBSTANCE_MISUSE_SERVICE = "substance_misuse_service", "Substance misuse service"
    HEALTH_AND_SOCIAL_CARE = "health_and_social_care", "Health and social care"
    SELF_FAMILY_FRIENDS = "self_family_friends", "Self, family and friends"
    CRIMINAL_JUSTICE = "criminal_justice", "Criminal justice"
    OTHER = "other", "Other"


class DischargeOutcome(models.TextChoices):
    SUCCESSFUL = "successful", "Successful"
    NEUTRAL = "neutral", "Neutral"
    UNSUCCESSFUL = "unsuccessful", "Unsuccessful"


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    IMPORT = "import", "Imported"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SEARCH = "search", "Searched"


class JobState(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"
