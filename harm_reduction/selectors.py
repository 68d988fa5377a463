"""Read-side queries: return rates, episode return fields, outreach counts, doses due. Each runs a fixed
number of queries whatever the number of rows."""

from datetime import date

from django.db import connection
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


DOSES_DUE_ORDER = ("next_dose_due", "pk")


def doses_due_between(*, user, start: date, end: date):
    """Courses with a dose due in the range, in `DOSES_DUE_ORDER`; doses given are counted per row shown."""
    given = HepBDose.objects.filter(course=OuterRef("pk")).order_by().values("course").annotate(n=Count("pk"))
    return (
        HepBCourse.objects.visible_to(user)
        .filter(course_complete=False, next_dose_due__range=(start, end))
        .select_related("person")
        .annotate(doses_given=Coalesce(Subquery(given.values("n")), 0))
        .order_by(*DOSES_DUE_ORDER)
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


def hepatitis_fields_sql(wanted: str) -> str:
    """The one rule for HEPBSTAT, HEPBVAC, HEPCSTAT and HEPCTSTD (codes of core.HepatitisBStatus,
    core.HepatitisBVaccination and core.HepatitisCStatus), as SQL over `wanted`, a relation of (person_id, until):
    one row per pair with the four fields, NULL meaning nothing to report. Every fact is taken by its own date on or
    before `until`: an offer by `offered_on`, its answer by `outcome_on` (an offer still waiting for its answer
    leaves the status to the last answered one), a dose by `given_on`, the course's completion by `completed_on`, a
    test by `offered_on`, its answer by `answered_on` and its taking by `tested_on`; so a past period's figure is the
    same whenever it is re-run (domain.md 6, 6a, 6b). Used by `episode_bbv_fields` and the return export
    (`reporting.returns.fields`), which PostgreSQL writes whole."""
    status = " ".join(f"WHEN '{offer}' THEN '{code}'" for offer, code in HEP_B_STATUS_CODE.items())
    hep_c_kinds = ", ".join(f"'{kind}'" for kind in HEP_C_TESTS)
    accepted = f"c.offer = '{HepBOffer.ACCEPTED}' AND c.outcome_on <= w.until"
    # Every name here is a model's table or a code of this module; no value comes from outside.
    return f"""
        SELECT w.person_id, w.until,
            CASE WHEN b.offered IS NULL THEN 'D' ELSE CASE b.last_answer {status} END END AS hepbstat,
            CASE WHEN b.last_accepted IS NULL THEN NULL WHEN b.completed THEN 'C' ELSE NULLIF(LEAST(3, (
                SELECT count(*) FROM {HepBDose._meta.db_table} d
                WHERE d.course_id = b.last_accepted AND d.given_on <= w.until))::text, '0') END AS hepbvac,
            CASE WHEN t.offered IS NULL THEN 'D' WHEN t.last_answered IS NULL THEN NULL
                WHEN t.last_accepted THEN 'A' ELSE 'B' END AS hepcstat,
            CASE WHEN t.tested THEN 'Y' ELSE 'N' END AS hepctstd
        FROM {wanted} w
        LEFT JOIN (
            SELECT w.person_id, w.until, count(c.id) AS offered,
                (array_agg(c.offer ORDER BY c.offered_on DESC, c.id DESC)
                    FILTER (WHERE c.outcome_on <= w.until))[1] AS last_answer,
                (array_agg(c.id ORDER BY c.offered_on DESC, c.id DESC) FILTER (WHERE {accepted}))[1] AS last_accepted,
                coalesce(bool_or(c.completed_on <= w.until) FILTER (WHERE {accepted}), false) AS completed
            FROM {wanted} w JOIN {HepBCourse._meta.db_table} c ON c.person_id = w.person_id AND c.offered_on <= w.until
            GROUP BY w.person_id, w.until
        ) b ON b.person_id = w.person_id AND b.until = w.until
        LEFT JOIN (
            SELECT w.person_id, w.until, count(t.id) AS offered,
                (array_agg(t.id ORDER BY t.offered_on DESC, t.id DESC)
                    FILTER (WHERE t.answered_on <= w.until))[1] AS last_answered,
                (array_agg(coalesce(t.accepted, false) ORDER BY t.offered_on DESC, t.id DESC)
                    FILTER (WHERE t.answered_on <= w.until))[1] AS last_accepted,
                coalesce(bool_or(t.tested_on <= w.until), false) AS tested
            FROM {wanted} w JOIN {BbvTest._meta.db_table} t ON t.person_id = w.person_id AND t.offered_on <= w.until
            WHERE t.kind IN ({hep_c_kinds})
            GROUP BY w.person_id, w.until
        ) t ON t.person_id = w.person_id AND t.until = w.until"""  # nosec B608


def episode_bbv_fields(episode_ids, *, as_of: date) -> dict[int, dict[str, str | None]]:
    """HEPBSTAT, HEPBVAC, HEPCSTAT and HEPCTSTD for each episode as the return for the period ending `as_of` sends
    them, by `hepatitis_fields_sql`: every fact by the episode's end or `as_of`, whichever is first. The person's
    records count from whenever they were made: a vaccination before the episode still counts. None means nothing
    to report. One query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH wanted AS (
                    SELECT id AS episode_id, person_id, LEAST(%s::date, coalesce(discharged_on, %s::date)) AS until
                    FROM {Episode._meta.db_table} WHERE id = ANY(%s))
                SELECT wanted.episode_id, f.hepbstat, f.hepbvac, f.hepcstat, f.hepctstd
                FROM wanted JOIN ({hepatitis_fields_sql("(SELECT DISTINCT person_id, until FROM wanted)")}) f
                    ON f.person_id = wanted.person_id AND f.until = wanted.until""",  # nosec B608
            [as_of, as_of, list(episode_ids)],
        )
        return {
            episode_id: {"HEPBSTAT": b_status, "HEPBVAC": b_doses, "HEPCSTAT": c_status, "HEPCTSTD": c_tested}
            for episode_id, b_status, b_doses, c_status, c_tested in cursor.fetchall()
        }


HEP_C_DUE_ORDER = ("family_name", "given_name", "pk")


def people_due_hep_c_offer(*, user):
    """Everyone who has ever injected (an assessment says so, or they are a linked NSP attender) and has not yet
    been offered a hepatitis C test, in `HEP_C_DUE_ORDER`. Each of the user's people is tested by index probes: the
    set of everyone in the service who injected grows with the service (hundreds of thousands of assessments at
    1,000,000 people), while a harm reduction team's people do not."""
    from assessment.models import Assessment

    injected = Exists(
        Assessment.objects.filter(episode__person=OuterRef("pk"), injecting_status__ever_injected=True)
    ) | Exists(Attender.objects.filter(person=OuterRef("pk")))
    offered = Exists(BbvTest.objects.filter(person=OuterRef("pk"), kind__in=HEP_C_TESTS))
    return Person.objects.visible_to(user).filter(injected).exclude(offered).order_by(*HEP_C_DUE_ORDER)


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
