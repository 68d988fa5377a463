"""Read-side queries: return rates, episode return fields, outreach counts, doses due. Each runs a fixed
number of queries whatever the number of rows."""

from datetime import date

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from core.visibility import scope_for
from harm_reduction.choices import HEP_B_IMMUNE, BbvTestKind, HepBOffer
from harm_reduction.models import (
    Attender,
    BbvTest,
    HepBCourse,
    HepBDose,
    NaloxoneSupply,
    NspIssue,
    NspSafeguardingTask,
    NspSite,
    NspVisit,
    OutreachContact,
)
from referrals.models import Episode, Person


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
        .select_related("attender", "site", "attender__person", "safeguarding_task")
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
    HepBOffer.ALREADY_IMMUNISED: "C",
    HepBOffer.ACQUIRED_IMMUNITY: "E",
}
HEP_C_TESTS = (BbvTestKind.HEP_C_ANTIBODY, BbvTestKind.HEP_C_PCR)


def episode_bbv_fields(episode_ids, *, as_of: date) -> dict[int, dict[str, str | None]]:
    """HEPBSTAT, HEPBVAC, HEPCSTAT and HEPCTSTD for each episode as the return for the period ending `as_of` sends
    them. Every fact is taken by the episode's end or `as_of`, whichever is first, by its own date: an offer by
    `offered_on`, its answer by `outcome_on`, a dose by `given_on`, the course's completion by `completed_on`, a
    test by `offered_on`, its answer by `answered_on` and its taking by `tested_on`; so a past period's return is
    the same whenever it is re-run (domain.md 6 and 6a). The person's records count from whenever they were made:
    a vaccination before the episode still counts. Codes are those of core.HepatitisBStatus,
    core.HepatitisBVaccination and core.HepatitisCStatus; None means nothing to report. Four queries."""
    episodes = list(Episode.objects.filter(pk__in=episode_ids).values("pk", "person_id", "discharged_on"))
    person_ids = {episode["person_id"] for episode in episodes}
    courses = list(
        HepBCourse.objects.filter(person_id__in=person_ids, offered_on__lte=as_of)
        .values("pk", "person_id", "offer", "offered_on", "outcome_on", "completed_on")
        .order_by("offered_on", "id")
    )
    doses = list(
        HepBDose.objects.filter(course__person_id__in=person_ids, given_on__lte=as_of).values("course_id", "given_on")
    )
    tests = list(
        BbvTest.objects.filter(person_id__in=person_ids, kind__in=HEP_C_TESTS, offered_on__lte=as_of)
        .values("person_id", "offered_on", "accepted", "answered_on", "tested_on")
        .order_by("offered_on", "id")
    )
    given = {}
    for dose in doses:
        given.setdefault(dose["course_id"], []).append(dose["given_on"])
    fields = {}
    for episode in episodes:
        # An episode discharged before the period end is sent as it stood when it ended.
        until = min(as_of, episode["discharged_on"] or as_of)
        own_courses = [c for c in courses if c["person_id"] == episode["person_id"] and c["offered_on"] <= until]
        own_tests = [t for t in tests if t["person_id"] == episode["person_id"] and t["offered_on"] <= until]
        fields[episode["pk"]] = {
            "HEPBSTAT": _hep_b_status(own_courses, until),
            "HEPBVAC": _hep_b_vaccination(own_courses, given, until),
            "HEPCSTAT": _hep_c_status(own_tests, until),
            "HEPCTSTD": "Y" if any(t["tested_on"] and t["tested_on"] <= until for t in own_tests) else "N",
        }
    return fields


def _answered_by(course, until: date) -> bool:
    return course["outcome_on"] is not None and course["outcome_on"] <= until


def _hep_b_status(courses, until: date) -> str | None:
    if not courses:
        return "D"
    # An offer still waiting for an answer on that day leaves the status to the last answered one.
    answered = [c for c in courses if _answered_by(c, until)]
    return HEP_B_STATUS_CODE[answered[-1]["offer"]] if answered else None


def _hep_b_vaccination(courses, given: dict[int, list[date]], until: date) -> str | None:
    accepted = [c for c in courses if c["offer"] == HepBOffer.ACCEPTED and _answered_by(c, until)]
    if not accepted:
        return None
    if any(c["completed_on"] and c["completed_on"] <= until for c in accepted):
        return "C"
    doses = sum(1 for given_on in given.get(accepted[-1]["pk"], ()) if given_on <= until)
    return str(min(doses, 3)) if doses else None


def _hep_c_status(tests, until: date) -> str | None:
    if not tests:
        return "D"
    # As for hepatitis B: an offer still waiting for an answer on that day leaves the status to the last answered one.
    answered = [t for t in tests if t["answered_on"] is not None and t["answered_on"] <= until]
    if not answered:
        return None
    return "A" if answered[-1]["accepted"] else "B"


def people_due_hep_c_offer(*, user):
    """Everyone who has ever injected (an assessment says so, or they are a linked NSP attender) and has not yet
    been offered a hepatitis C test."""
    from assessment.models import Assessment

    person = OuterRef("pk")
    injected = Q(Exists(Assessment.objects.filter(episode__person=person, injecting_status__ever_injected=True))) | Q(
        Exists(Attender.objects.filter(person=person))
    )
    offered = Exists(BbvTest.objects.filter(person=person, kind__in=HEP_C_TESTS))
    return Person.objects.visible_to(user).filter(injected).exclude(offered).order_by("family_name", "given_name")


def person_records(*, user, person) -> dict:
    """A person's harm reduction records as `user` may see them, in six queries whatever their number: NSP visits
    only of attenders linked to this person (an anonymous visit is never on a person's record), hepatitis B
    courses with their doses, BBV tests, naloxone supplies and outreach contacts."""
    visits = list(
        NspVisit.objects.visible_to(user)
        .filter(attender__person=person)
        .select_related("attender", "site")
        .annotate(issued=Coalesce(Sum("issues__quantity", filter=Q(issues__item__is_sharps_bin=False)), 0))
        .order_by("-visited_on", "-id")
    )
    return {
        "visits": visits,
        "attenders": sorted({visit.attender.code for visit in visits}),
        "issued": sum(visit.issued for visit in visits),
        "returned": sum(visit.items_returned for visit in visits),
        "courses": list(
            HepBCourse.objects.visible_to(user)
            .filter(person=person)
            .prefetch_related("doses")
            .order_by("-offered_on", "-id")
        ),
        "tests": list(
            BbvTest.objects.visible_to(user)
            .filter(person=person)
            .select_related("referral_task__assigned_to", "referral_task__team")
        ),
        "naloxone": list(NaloxoneSupply.objects.visible_to(user).filter(person=person)),
        "outreach": list(OutreachContact.objects.visible_to(user).filter(person=person)),
    }


def link_candidates(*, user, attender):
    """People the worker may see who could be this attender: the same date of birth (the link needs it)."""
    return (
        Person.objects.visible_to(user)
        .filter(date_of_birth=attender.date_of_birth)
        .select_related("sex")
        .order_by("family_name", "given_name", "pk")
    )


def episode_hep_kpi_facts(episode_ids, *, period_end: date) -> dict[int, dict]:
    """What HBO, HBR, HBC, HB1 and HCV (domain.md 5) need for each episode, as recorded by `period_end`, so a past
    period's figures never change: a later answer, dose or completion is not seen. Four queries.

    For each episode: `hep_b_offered` (an offer made by the period end), `already_immune` (answered already
    immunised or immune after infection by then: either leaves the HBO population), `hep_b_refused` /
    `hep_b_accepted` (the latest answer by then), `first_dose_on` and `completed_on` (of the accepted courses, by
    then), `injector` (the latest assessment started by then says current or previous injecting, INJSTAT C or P)
    and `hep_c_offered` (a hepatitis C test offered by then: HCV counts the offer, so neither the answer nor its
    date matters).
    The person's records count whenever they were made: a vaccination before the episode still counts."""
    from assessment.models import Assessment

    episodes = list(Episode.objects.filter(pk__in=episode_ids).values("pk", "person_id"))
    person_ids = {episode["person_id"] for episode in episodes}
    courses = list(
        HepBCourse.objects.filter(person_id__in=person_ids, offered_on__lte=period_end)
        .annotate(first_dose_on=Min("doses__given_on", filter=Q(doses__given_on__lte=period_end)))
        .values("person_id", "offer", "outcome_on", "completed_on", "first_dose_on")
        .order_by("offered_on", "id")
    )
    hep_c_offered = set(
        BbvTest.objects.filter(person_id__in=person_ids, kind__in=HEP_C_TESTS, offered_on__lte=period_end)
        .values_list("person_id", flat=True)
        .distinct()
    )
    injectors = {}
    for row in (
        Assessment.objects.filter(episode_id__in=[e["pk"] for e in episodes], started_on__lte=period_end)
        .order_by("episode_id", "started_on", "id")
        .values("episode_id", "injecting_status__ever_injected")
    ):
        injectors[row["episode_id"]] = bool(row["injecting_status__ever_injected"])  # the latest one wins
    facts = {}
    for episode in episodes:
        own = [c for c in courses if c["person_id"] == episode["person_id"]]
        answered = [c for c in own if c["outcome_on"] and c["outcome_on"] <= period_end]
        accepted = [c for c in answered if c["offer"] == HepBOffer.ACCEPTED]
        first_doses = [c["first_dose_on"] for c in accepted if c["first_dose_on"]]
        completions = [c["completed_on"] for c in accepted if c["completed_on"] and c["completed_on"] <= period_end]
        latest = answered[-1]["offer"] if answered else None
        facts[episode["pk"]] = {
            "hep_b_offered": bool(own),
            "already_immune": any(c["offer"] in HEP_B_IMMUNE for c in answered),
            "hep_b_refused": latest == HepBOffer.REFUSED,
            "hep_b_accepted": bool(accepted),
            "first_dose_on": min(first_doses) if first_doses else None,
            "completed_on": min(completions) if completions else None,
            "injector": injectors.get(episode["pk"], False),
            "hep_c_offered": episode["person_id"] in hep_c_offered,
        }
    return facts


def open_safeguarding_tasks(*, user):
    """The worker's teams' open safeguarding tasks (a data admin's: every team's), soonest due first."""
    tasks = NspSafeguardingTask.objects.visible_to(user).filter(done_on__isnull=True)
    scope = scope_for(user)
    if not scope.sees_everything:
        tasks = tasks.filter(team_id__in=scope.team_ids)
    return tasks.select_related("visit__attender__person", "visit__site", "team").order_by("due_on", "pk")
