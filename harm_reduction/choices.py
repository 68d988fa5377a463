from django.db import models


class SiteKind(models.TextChoices):
    SERVICE = "service", "Service"
    PHARMACY = "pharmacy", "Pharmacy"


class HepBOffer(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"
    # Two answers, not one "not appropriate", because the return tells them apart (HEPBSTAT C and E, domain.md 4a).
    ALREADY_IMMUNISED = "already_immunised", "Not appropriate: already immunised (vaccinated before)"
    ACQUIRED_IMMUNITY = "acquired_immunity", "Not appropriate: immune after infection"


# Either answer leaves the HBO population (domain.md 5: "not already immune").
HEP_B_IMMUNE = (HepBOffer.ALREADY_IMMUNISED, HepBOffer.ACQUIRED_IMMUNITY)


class VaccinationSchedule(models.TextChoices):
    ACCELERATED = "accelerated", "Accelerated (0, 7, 21 days, booster at 12 months)"
    STANDARD = "standard", "Standard (0, 1, 6 months)"


class BbvTestKind(models.TextChoices):
    HEP_B_SURFACE_ANTIGEN = "hepb_surface_antigen", "Hepatitis B surface antigen (HBsAg)"
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
