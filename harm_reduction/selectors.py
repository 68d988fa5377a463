"""Read-side queries: return rates, episode return fields, outreach counts, doses due. Each runs a fixed
number of queries whatever the number of rows."""

from datetime import date

from django.db.models import Case, Count, Exists, F, FloatField, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from harm_reduction.choices import BbvTestKind, HepBOffer
from harm_reduction.models import Attender, BbvTest, HepBCourse, NspIssue, NspSite, NspVisit, OutreachContact
from referrals.models import Episode


def _sum_subquery(queryset, group_field: str, sum_field: str):
    return Coalesce(
        Subquery(queryset.values(group_field).annotate(total=Sum(sum_field)).values("total")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def _with_return_rate(queryset, lookup: str, start: date, end: date):
    """Issued (sharps bins excepted) and returned over the period, and returned / issued, all in SQL."""
    issued = NspIssue.objects.filter(
        **{f"visit__{lookup}": OuterRef("pk")},
        visit__visited_on__range=(start, end),
        item__is_sharps_bin=False,
    )
    returned = NspVisit.objects.filter(**{lookup: OuterRef("pk")}, visited_on__range=(start, end))
    return queryset.annotate(
        issued=_sum_subquery(issued, f"visit__{lookup}", "quantity"),
        returned=_sum_subquery(returned, lookup, "items_returned"),
    ).annotate(
        return_rate=Case(
            When(issued__gt=0, then=Cast(F("returned"), FloatField()) / Cast(F("issued"), FloatField())),
            default=None,
            output_field=FloatField(),
        )
    )


def site_return_rates(*, start: date, end: date):
    return _with_return_rate(NspSite.objects.all(), "site", start, end)


def attender_return_rates(*, user, start: date, end: date):
    return _with_return_rate(Attender.objects.visible_to(user), "attender", start, end)


def visits_on(*, user, on: date):
    return (
        NspVisit.objects.visible_to(user)
        .filter(visited_on=on)
        .select_related("attender", "site", "attender__person")
        .annotate(issued=Coalesce(Sum("issues__quantity"), 0))
    )


def doses_due_between(*, user, start: date, end: date):
    return (
        HepBCourse.objects.visible_to(user)
        .filter(course_complete=False, next_dose_due__range=(start, end))
        .select_related("person")
        .annotate(doses_given=Count("doses"))
        .order_by("next_dose_due", "id")
    )


def outreach_counts(*, start: date, end: date) -> dict[str, dict[str, int]]:
    """Contacts by setting over the period, with how many were with people not in treatment."""
    rows = (
        OutreachContact.objects.filter(contacted_on__range=(start, end))
        .values("setting")
        .annotate(contacts=Count("id"), not_in_treatment=Count("id", filter=Q(person__isnull=True)))
    )
    return {row["setting"]: {"contacts": row["contacts"], "not_in_treatment": row["not_in_treatment"]} for row in rows}


HEP_B_STATUS_CODE = {
    HepBOffer.ACCEPTED: "A",
    HepBOffer.REFUSED: "B",
    HepBOffer.NOT_APPROPRIATE: "C",
}
HEP_C_TESTS = (BbvTestKind.HEP_C_ANTIBODY, BbvTestKind.HEP_C_PCR)


def episode_bbv_fields(episode_ids) -> dict[int, dict[str, str | None]]:
    """HEPBSTAT, HEPBVAC, HEPCSTAT and HEPCTSTD for each episode, from the person's records up to the episode's
    end (a vaccination before the episode still counts). Codes are those of core.HepatitisBStatus,
    core.HepatitisBVaccination and core.HepatitisCStatus; None means nothing to report. Three queries."""
    episodes = list(Episode.objects.filter(pk__in=episode_ids).values("pk", "person_id", "discharged_on"))
    person_ids = {episode["person_id"] for episode in episodes}
    courses = list(
        HepBCourse.objects.filter(person_id__in=person_ids)
        .annotate(doses_given=Count("doses"))
        .values("person_id", "offer", "offered_on", "course_complete", "doses_given")
        .order_by("offered_on", "id")
    )
    tests = list(
        BbvTest.objects.filter(person_id__in=person_ids, kind__in=HEP_C_TESTS)
        .values("person_id", "offered_on", "accepted", "tested_on")
        .order_by("offered_on", "id")
    )
    today = timezone.localdate()
    fields = {}
    for episode in episodes:
        until = episode["discharged_on"] or today
        own_courses = [c for c in courses if c["person_id"] == episode["person_id"] and c["offered_on"] <= until]
        own_tests = [t for t in tests if t["person_id"] == episode["person_id"] and t["offered_on"] <= until]
        fields[episode["pk"]] = {
            "HEPBSTAT": _hep_b_status(own_courses),
            "HEPBVAC": _hep_b_vaccination(own_courses),
            "HEPCSTAT": _hep_c_status(own_tests),
            "HEPCTSTD": "Y" if any(t["tested_on"] and t["tested_on"] <= until for t in own_tests) else "N",
        }
    return fields


def _hep_b_status(courses) -> str | None:
    if not courses:
        return "D"
    # An offer still waiting for an answer leaves the status to the last answered one.
    answered = [c for c in courses if c["offer"] in HEP_B_STATUS_CODE]
    return HEP_B_STATUS_CODE[answered[-1]["offer"]] if answered else None


def _hep_b_vaccination(courses) -> str | None:
    accepted = [c for c in courses if c["offer"] == HepBOffer.ACCEPTED]
    if not accepted:
        return None
    if any(c["course_complete"] for c in accepted):
        return "C"
    doses = accepted[-1]["doses_given"]
    return str(min(doses, 3)) if doses else None


def _hep_c_status(tests) -> str | None:
    if not tests:
        return "D"
    answered = [t for t in tests if t["accepted"] is not None]
    if not answered:
        return None
    return "A" if answered[-1]["accepted"] else "B"


def people_due_hep_c_offer(*, user):
    """Everyone who has ever injected (an assessment says so, or they are a linked NSP attender) and has not yet
    been offered a hepatitis C test."""
    from assessment.models import Assessment
    from referrals.models import Person

    person = OuterRef("pk")
    injected = Q(Exists(Assessment.objects.filter(episode__person=person, injecting_status__ever_injected=True))) | Q(
        Exists(Attender.objects.filter(person=person))
    )
    offered = Exists(BbvTest.objects.filter(person=person, kind__in=HEP_C_TESTS))
    return Person.objects.visible_to(user).filter(injected).exclude(offered).order_by("family_name", "given_name")
