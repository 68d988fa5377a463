"""Needle and syringe programme, blood-borne viruses, hepatitis B vaccination, naloxone and outreach
(specification 10.2 and 10.6)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core import history
from core.dates import long_date
from core.models import ReferenceCode, Sex
from harm_reduction.choices import (
    BbvResult,
    BbvTestKind,
    HepBOffer,
    NaloxoneForm,
    NaloxoneRecipient,
    OutreachSetting,
    SiteKind,
    VaccinationSchedule,
)
from harm_reduction.querysets import (
    AttenderQuerySet,
    NspSafeguardingTaskQuerySet,
    NspVisitQuerySet,
    PersonOrHarmReductionQuerySet,
)


class InjectedDrug(ReferenceCode):
    """Drugs injected, including steroids and image and performance-enhancing drugs."""

    ipeds = models.BooleanField("IPEDs", default=False)


class EquipmentItem(ReferenceCode):
    is_needle = models.BooleanField(default=False, help_text="Counts towards the per-visit needle maximum.")
    is_sharps_bin = models.BooleanField(default=False)


class NspSite(models.Model):
    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=SiteKind.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Attender(models.Model):
    """Someone who uses the NSP: anonymous (code only) until linked to a person record."""

    code = models.CharField(max_length=20, unique=True, help_text="Initials, date of birth and sex, normalised.")
    initials = models.CharField(max_length=3)
    date_of_birth = models.DateField()
    sex = models.ForeignKey(Sex, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "referrals.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="nsp_attenders"
    )
    linked_on = models.DateTimeField(null=True, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AttenderQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class NspVisit(models.Model):
    attender = models.ForeignKey(Attender, on_delete=models.PROTECT, related_name="visits")
    site = models.ForeignKey(NspSite, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(db_index=True)
    drugs_injected = models.ManyToManyField(InjectedDrug, blank=True, related_name="+")
    items_returned = models.PositiveIntegerField(default=0, help_text="Used items brought back.")
    sharps_bins_returned = models.PositiveSmallIntegerField(default=0)
    returned_more_than_issued = models.BooleanField(
        default=False, help_text="Warning kept on the record: more returned than could have been issued."
    )
    advice_given = models.TextField(blank=True)
    onward_referral_offered = models.BooleanField(default=False)
    young_peoples_service_offered = models.BooleanField(default=False)
    young_person_issue_reason = models.TextField(
        blank=True, help_text="Why withholding equipment from a young person would be the greater risk (SPEC 10.2)."
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NspVisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["site", "visited_on"], name="nsp_visit_site_idx")]

    def __str__(self):
        return f"NSP visit {self.attender} on {self.visited_on}"


class NspSafeguardingTask(models.Model):
    """The harm reduction team's safeguarding follow-up of a visit by an attender under 18 (domain.md step 9).

    Kept here rather than as a `referrals.Task` because most attenders give no name, and a referrals task needs a
    person. One per visit: raising it twice finds the first.
    """

    visit = models.OneToOneField(NspVisit, on_delete=models.CASCADE, related_name="safeguarding_task")
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NspSafeguardingTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["team"], condition=Q(done_on__isnull=True), name="nsp_safeguarding_open_idx")]

    def __str__(self):
        return (
            f"Safeguarding: {self.visit.attender} under 18 at {self.visit.site} on {long_date(self.visit.visited_on)}"
        )


class NspIssue(models.Model):
    visit = models.ForeignKey(NspVisit, on_delete=models.CASCADE, related_name="issues")
    item = models.ForeignKey(EquipmentItem, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="nsp_issue_item_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="nsp_issue_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.item}"


class HepBCourse(models.Model):
    """Hepatitis B offer and vaccination course for a person (episode when one was open)."""

    person = models.ForeignKey("referrals.Person", on_delete=models.PROTECT, related_name="hep_b_courses")
    episode = models.ForeignKey(
        "referrals.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="hep_b_courses"
    )
    offer = models.CharField(max_length=20, choices=HepBOffer.choices)
    offered_on = models.DateField()
    # The KPIs (domain.md 5: HBR, HBC) count what was true by a period's end, so the answer and the
    # completion keep their own dates: an offer made in March and refused in April is not refused in March.
    outcome_on = models.DateField(
        null=True, blank=True, help_text="When the person accepted or refused, or was found already immune."
    )
    schedule = models.CharField(max_length=20, choices=VaccinationSchedule.choices, blank=True)
    next_dose_due = models.DateField(null=True, blank=True, db_index=True)
    course_complete = models.BooleanField(default=False)
    completed_on = models.DateField(null=True, blank=True, help_text="The date of the last dose of the course.")
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PersonOrHarmReductionQuerySet.as_manager()

    class Meta:
        ordering = ["-offered_on", "-id"]

    def __str__(self):
        return f"Hepatitis B {self.get_offer_display().lower()} on {self.offered_on}"


class HepBDose(models.Model):
    course = models.ForeignKey(HepBCourse, on_delete=models.CASCADE, related_name="doses")
    dose_number = models.PositiveSmallIntegerField()
    given_on = models.DateField()

    class Meta:
        ordering = ["dose_number"]
        constraints = [models.UniqueConstraint(fields=["course", "dose_number"], name="hep_b_dose_once")]

    def __str__(self):
        return f"Dose {self.dose_number} on {self.given_on}"


class BbvTest(models.Model):
    """A hepatitis C, HIV or other blood-borne virus test: offered, accepted, taken, resulted."""

    person = models.ForeignKey("referrals.Person", on_delete=models.PROTECT, related_name="bbv_tests")
    episode = models.ForeignKey(
        "referrals.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="bbv_tests"
    )
    kind = models.CharField(max_length=20, choices=BbvTestKind.choices)
    offered_on = models.DateField()
    accepted = models.BooleanField(null=True, help_text="Empty until the person answers.")
    # HEPCSTAT for a past period is the answer given by its end (domain.md 6a), so the answer keeps its own date:
    # a test offered in March and accepted in April is still waiting for an answer in March's return.
    answered_on = models.DateField(null=True, blank=True, help_text="When the person accepted or refused the test.")
    tested_on = models.DateField(null=True, blank=True)
    result = models.CharField(max_length=20, choices=BbvResult.choices, blank=True)
    result_on = models.DateField(null=True, blank=True)
    referral_consent = models.BooleanField(null=True, help_text="Consent to a hepatology or HIV referral.")
    referral_task = models.ForeignKey(
        "referrals.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PersonOrHarmReductionQuerySet.as_manager()

    class Meta:
        ordering = ["-offered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted__isnull=True, answered_on__isnull=True)
                | Q(accepted__isnull=False, answered_on__isnull=False, answered_on__gte=F("offered_on")),
                name="bbv_test_answer_dated_on_or_after_offer",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} test offered {self.offered_on}"


class NaloxoneSupply(models.Model):
    person = models.ForeignKey(
        "referrals.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="naloxone_supplies"
    )
    attender = models.ForeignKey(
        Attender, null=True, blank=True, on_delete=models.PROTECT, related_name="naloxone_supplies"
    )
    supplied_on = models.DateField()
    form = models.CharField(max_length=20, choices=NaloxoneForm.choices)
    recipient = models.CharField(max_length=20, choices=NaloxoneRecipient.choices)
    quantity = models.PositiveSmallIntegerField(default=1)
    training_given = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PersonOrHarmReductionQuerySet.as_manager()

    class Meta:
        ordering = ["-supplied_on", "-id"]
        # record_naloxone refuses neither too; the database holds the rule for raw SQL and bulk writes.
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(attender__isnull=False),
                name="naloxone_for_person_or_attender",
            )
        ]

    def __str__(self):
        return f"Naloxone ({self.get_form_display().lower()}) on {self.supplied_on}"


class OutreachContact(models.Model):
    """A contact out of the building, including people not in treatment (no person record)."""

    setting = models.CharField(max_length=20, choices=OutreachSetting.choices)
    contacted_on = models.DateField(db_index=True)
    person = models.ForeignKey(
        "referrals.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="outreach_contacts"
    )
    description = models.CharField(max_length=200, blank=True, help_text="Who, when there is no person record.")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PersonOrHarmReductionQuerySet.as_manager()

    class Meta:
        ordering = ["-contacted_on", "-id"]

    def __str__(self):
        return f"Outreach ({self.get_setting_display().lower()}) on {self.contacted_on}"


# Every change to these tables is captured by database triggers (core.history, django-pghistory).
history.track(BbvTest, HepBCourse)
