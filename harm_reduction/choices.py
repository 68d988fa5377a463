from django.db import models


class SiteKind(models.TextChoices):
    SERVICE = "service", "Service"
    PHARMACY = "pharmacy", "Pharmacy"


class HepBOffer(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate (already immune)"


class VaccinationSchedule(models.TextChoices):
    ACCELERATED = "accelerated", "Accelerated (0, 7, 21 days, booster at 12 months)"
    STANDARD = "standard", "Standard (0, 1, 6 months)"


class BbvTestKind(models.TextChoices):
    HEP_C_ANTIBODY = "hepc_antibody", "Hepatitis C antibody"
    HEP_C_PCR = "hepc_pcr", "Hepatitis C PCR"
    HIV = "hiv", "HIV"
    OTHER = "other", "Other screening"


class BbvResult(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    POSITIVE = "positive", "Positive"
    INDETERMINATE = "indeterminate", "Indeterminate"


class NaloxoneForm(models.TextChoices):
    NASAL = "nasal", "Nasal"
    INJECTABLE = "injectable", "Injectable"


class NaloxoneRecipient(models.TextChoices):
    PERSON = "person", "The person"
    FAMILY = "family", "A family member"
    HOSTEL = "hostel", "A hostel"


class OutreachSetting(models.TextChoices):
    STREET = "street", "Street"
    HOSTEL = "hostel", "Hostel"
    HOSPITAL = "hospital", "Hospital"
    CUSTODY = "custody", "Custody"
