from django.db import models


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"


class Service(models.TextChoices):
    """Routing by age on the referral date (domain.md 2.1): ESAP 11-24, ARM 25 and over."""

    ESAP = "esap", "ESAP (11 to 24)"
    ARM = "arm", "ARM (25 and over)"


class ReferralStatus(models.TextChoices):
    AWAITING_CONTACT = "awaiting_contact", "Awaiting first contact"
    AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
    SIGNPOSTED_INELIGIBLE = "signposted_ineligible", "Not eligible: signposted"
    BRIEF_INTERVENTION = "brief_intervention", "Brief intervention given: closed"
    SIGNPOSTED_TIER_1_2 = "signposted_tier_1_2", "Signposted to tier 1/2 alcohol service"
    ACCEPTED = "accepted", "Accepted into structured treatment"
    # Closed before triage without an episode (domain.md 6: XREFOUTCOME NC and DE).
    CLOSED_NO_CONTACT = "closed_no_contact", "Closed: no contact made"
    CLOSED_DECLINED = "closed_declined", "Closed: declined by the person"


# Referrals still waiting for the intake team: the referral queue.
QUEUE_STATUSES = (ReferralStatus.AWAITING_CONTACT, ReferralStatus.AWAITING_TRIAGE)


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"
    FAILED_ATTEMPT = "failed_attempt", "Failed attempt"


# Only a conversation counts as first contact (domain.md 2.2: "by phone or in person").
CONTACT_METHODS_THAT_COUNT = (ContactMethod.PHONE, ContactMethod.IN_PERSON)


class PartnerAgency(models.TextChoices):
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    MENTAL_HEALTH = "mental_health", "Mental health"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    GP = "gp", "GP"
    HOSPITAL = "hospital", "Hospital"
    POLICE = "police", "Police"
    EMPLOYMENT = "employment", "Employment or training"
    OTHER = "other", "Other"


class OrderKind(models.TextChoices):
    DRR = "DRR", "Drug Rehabilitation Requirement (DRR)"
    ATR = "ATR", "Alcohol Treatment Requirement (ATR)"


class FollowUpKind(models.TextChoices):
    SIX_MONTHS = "6_months", "6 months after discharge"
    TWELVE_MONTHS = "12_months", "12 months after discharge"


class TaskKind(models.TextChoices):
    """Work that lands on a caseload and stays there until done. Higher apps add their own kinds."""

    FOLLOW_UP = "follow_up", "Follow-up contact"
    BREACH_REPORT = "breach_report", "Breach report to the police"
    ARREST_REFERRAL = "arrest_referral", "Arrest referral assessment"
    MARAC_REFERRAL = "marac_referral", "MARAC referral"
    CHILDRENS_CENTRE_OFFER = "childrens_centre_offer", "Offer Children's Centre referral"
    SAFE_STORAGE_PROMPT = "safe_storage_prompt", "Safe storage for prescribed medication"
    ANTENATAL_LINK = "antenatal_link", "Link with antenatal care"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    HEPATOLOGY_REFERRAL = "hepatology_referral", "Hepatology referral"
    HIV_REFERRAL = "hiv_referral", "HIV referral"
    RECOVERY_PLAN_DUE = "recovery_plan_due", "Recovery plan due"
    PLAN_REVIEW_DUE = "plan_review_due", "Recovery plan review due"
    MODALITY_REVIEW_DUE = "modality_review_due", "Sub-intervention review due"
    BREAK_GLASS_REVIEW = "break_glass_review", "Review a break-glass access"
    MODALITY_WAIT = "modality_wait", "Modality waiting over 14 days"
    PRESCRIBING_WAIT = "prescribing_wait", "Prescribing start overdue"
    OTHER = "other", "Other"
