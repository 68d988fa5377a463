"""The interchange file's values, one function per field family, each as at a day `E` (domain.md 6, 6a, 6b).

`referral_rows` is the one query that walks the file: a referral per row with its person and episode joined.
Every other family is one query for a whole chunk of referrals (never a query per row) and answers with a
dictionary keyed by episode, person or referral id, already written as the file writes it (see `cell`).
`docs/data-dictionary.md` says where each field comes from; this module is that page in code.

Not scoped to a user: the caller starts from `Referral.objects.visible_to(user)` (data admins see everyone).
"""

from collections import defaultdict
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Expression,
    F,
    Func,
    Max,
    Min,
    Q,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Collate, Concat, Left, NullIf, Right, Upper

from assessment.choices import Pregnancy
from assessment.models import TOP_RATINGS, TOP_WEEKLY_ITEMS, TOP_YES_NO, Assessment, AssessmentSubstance, Top
from harm_reduction.models import BbvTest, HepBCourse, HepBDose
from harm_reduction.selectors import HEP_C_TESTS, _hep_b_status, _hep_b_vaccination, _hep_c_status
from recovery_plans.models import Modality, PlanReview, PlanVersion
from referrals.choices import CONTACT_METHODS_THAT_COUNT, ReferralStatus
from referrals.models import Allocation, CommunityOrder, ContactAttempt, PartnerInvolvement
from reporting.returns.columns import NA, TOP_FIELDS, cell

# A referral closed at triage without an episode (6b: TRIAGED is NA, the closure is in XREFCLOSED / XREFOUTCOME).
CLOSED_WITHOUT_EPISODE = {
    ReferralStatus.BRIEF_INTERVENTION: "BI",
    ReferralStatus.SIGNPOSTED_TIER_1_2: "SP",
}
# 6b codes for PREGNANT; not applicable and unanswered are not sent.
PREGNANT_CODE = {Pregnancy.YES: "Y", Pregnancy.NO: "N", Pregnancy.DECLINED: "Z"}

# The TOP fields in file order, each with the `Top` column that holds it (data dictionary, TOP fields).
_TOP_SOURCE = {ndtms: field for field, ndtms, _label in (*TOP_WEEKLY_ITEMS, *TOP_RATINGS, *TOP_YES_NO)}
TOP_COLUMNS = [_TOP_SOURCE[name] for name in TOP_FIELDS[3:]]
_TOP_YES_NO = {field for field, _ndtms, _label in TOP_YES_NO}


class AnyOf(Expression):
    """`field = ANY(array)`: one parameter for a chunk's ids, where `field__in` would prepare and bind each."""

    output_field = BooleanField()

    def __init__(self, field: str, values):
        super().__init__()
        self.column = F(field)
        self.values = list(values)

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.column = self.column.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return resolved

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s)", (*params, self.values)


def in_code_point_order(field: str):
    """6b orders identifiers in plain code-point order, whatever the database's collation."""
    return Collate(field, "C")


def return_referrals(queryset, *, start: date, end: date):
    """The referrals a monthly return holds (6b): received on or before E, open at some time in the month
    (a referral with an episode is open until the episode's discharge; one closed at triage, until its triage),
    never one found ineligible at receipt, never a merged duplicate's."""
    return (
        queryset.filter(received_on__lte=end, person__merged_into__isnull=True)
        .exclude(status=ReferralStatus.SIGNPOSTED_INELIGIBLE)
        .exclude(status__in=CLOSED_WITHOUT_EPISODE, triaged_on__lt=start)
        .exclude(episode__discharged_on__lt=start)
    )


def transfer_referrals(queryset, *, as_of: date):
    """Every referral and episode recorded by `as_of` (6b), ineligible ones and merged duplicates aside."""
    return queryset.filter(received_on__lte=as_of, person__merged_into__isnull=True).exclude(
        status=ReferralStatus.SIGNPOSTED_INELIGIBLE
    )


def iso_date(field: str, *, as_of: date | None = None):
    """A date as the file writes it (`YYYY-MM-DD`), written by PostgreSQL; `NA` when empty or after `as_of`."""
    text = Func(F(field), Value("YYYY-MM-DD"), function="to_char", output_field=TextField())
    if as_of is not None:
        text = Case(When(**{f"{field}__lte": as_of}, then=text), default=None, output_field=TextField())
    return Coalesce(text, Value(NA), output_field=TextField())


def text(field: str):
    """A code, number or identifier as the file writes it; `NA` when empty."""
    return Coalesce(NullIf(Cast(F(field), TextField()), Value("")), Value(NA), output_field=TextField())


def unless(declined: str, value):
    """`value`, or NA when the person declined to answer (`declined` is true)."""
    return Case(When(**{declined: True}, then=Value(NA)), default=value, output_field=TextField())


def yes_no(field: str):
    return Case(When(**{field: True}, then=Value("Y")), default=Value("N"), output_field=TextField())


def initial(field: str):
    return Coalesce(NullIf(Upper(Left(field, 1)), Value("")), Value(NA), output_field=TextField())


def postcode(field: str):
    """6b: the full postcode, upper case, one space before the last three characters, whatever was stored."""
    compact = Upper(
        Func(F(field), Value(r"\s"), Value(""), Value("g"), function="regexp_replace", output_field=TextField())
    )
    return Case(
        When(**{f"{field}__regex": r"^\s*$"}, then=Value(NA)),
        When(
            **{f"{field}__regex": r"^(\s*\S){5}"},
            then=Concat(Left(compact, Value(-3)), Value(" "), Right(compact, 3), output_field=TextField()),
        ),
        default=compact,
        output_field=TextField(),
    )


def referral_rows(referrals, *, as_of: date):
    """One query for the whole file, in the row order of 6b (CLIENTID, then EPISODID, code-point order): the
    person and episode fields as the file writes them, and the keys the other families are read by. An episode
    opened after `as_of` is not one yet."""
    opened = Q(episode__opened_on__lte=as_of)
    discharged = Q(episode__discharged_on__lte=as_of)
    return (
        referrals.order_by(in_code_point_order("person__client_id"), in_code_point_order("episode_id"))
        .annotate(
            r_episode=Case(When(opened, then=F("episode__pk")), default=None),
            r_dob=iso_date("person__date_of_birth"),
            r_finitial=initial("person__given_name"),
            r_sinitial=initial("person__family_name"),
            r_sex=text("person__sex__code"),
            r_ethnic=text("person__ethnicity__code"),
            r_pc=postcode("person__postcode"),
            r_la=text("person__local_authority"),
            r_gp=text("person__gp_practice"),
            r_refld=iso_date("received_on"),
            r_rfls=text("source__code"),
            r_triaged=Case(
                When(opened, then=iso_date("episode__opened_on")), default=Value(NA), output_field=TextField()
            ),
            r_disd=iso_date("episode__discharged_on", as_of=as_of),
            r_disrsn=Case(
                When(discharged, then=text("episode__discharge_reason__code")),
                default=Value(NA),
                output_field=TextField(),
            ),
        )
        .values_list(
            "pk",
            "person_id",
            "r_episode",
            "episode__discharged_on",
            "received_on",
            "status",
            "triaged_on",
            "person__consent_national_return",
            "person__consent_asked_on",
            "person__client_id",
            "episode_id",
            "r_finitial",
            "r_sinitial",
            "r_dob",
            "r_sex",
            "r_ethnic",
            "r_pc",
            "r_la",
            "r_gp",
            "r_refld",
            "r_rfls",
            "r_triaged",
            "r_disd",
            "r_disrsn",
        )
    )


def consent(agreed: bool, asked_on: date | None, as_of: date) -> str:
    """Y or N once the person has been asked on or before `as_of`; NA before (not filled, for DQ)."""
    if asked_on is None or asked_on > as_of:
        return NA
    return "Y" if agreed else "N"


def assessment_fields(episode_ids, *, as_of: date) -> dict[int, tuple[str, ...]]:
    """DRUG1 to DUALDIAG (in file order) from each episode's latest assessment completed on or before `as_of`,
    then XCOMPASSESS (its earliest). An episode with no completed assessment by then is left out: all NA. Two
    queries, the values written by PostgreSQL."""
    latest = (
        Assessment.objects.filter(AnyOf("episode_id", episode_ids), completed_on__lte=as_of)
        .annotate(first_completed=Window(Min("completed_on"), partition_by=[F("episode_id")]))
        .order_by("episode_id", "-completed_on", "-pk")
        .distinct("episode_id")
        .values_list(
            "pk",
            "episode_id",
            "first_completed",
            text("injecting_status__code"),
            unless("alcohol_days_declined", text("alcohol_days")),
            unless("alcohol_units_declined", text("alcohol_units")),
            text("children_living_with__code"),
            text("parental_status__code"),
            Case(
                *[When(pregnant=answer, then=Value(code)) for answer, code in PREGNANT_CODE.items()],
                default=Value(NA),
                output_field=TextField(),
            ),
            text("accommodation_need__code"),
            text("employment_status__code"),
            text("dual_diagnosis__code"),
        )
    )
    latest = list(latest)
    substances: dict[int, dict[int, tuple]] = defaultdict(dict)
    for assessment_id, rank, substance, route, age in AssessmentSubstance.objects.filter(
        AnyOf("assessment_id", [row[0] for row in latest])
    ).values_list(
        "assessment_id",
        "rank",
        text("substance__code"),
        text("route__code"),
        unless("age_first_use_declined", text("age_first_use")),
    ):
        substances[assessment_id][rank] = (substance, route, age)
    fields = {}
    no_substance = (NA, NA, NA)
    for pk, episode_id, first_completed, injecting, *answers in latest:
        ranked = substances.get(pk, {})
        drug1, route, age = ranked.get(1, no_substance)
        fields[episode_id] = (
            drug1,
            age,
            route,
            ranked.get(2, no_substance)[0],
            ranked.get(3, no_substance)[0],
            injecting,
            *answers,
            first_completed.isoformat(),
        )
    return fields


def plan_fields(episode_ids, *, as_of: date) -> dict[int, dict[str, str]]:
    """CPLANDT and XRAPSIGNED (6b: the same day, the first assessor sign-off; a draft is not yet a plan) and
    XRAPREVIEW (the first plan review), each on or before `as_of`. Two queries."""
    fields: dict[int, dict[str, str]] = defaultdict(dict)
    signed = (
        PlanVersion.objects.filter(AnyOf("plan__episode_id", episode_ids), signed_on__lte=as_of)
        .values_list("plan__episode_id")
        .annotate(first=Min("signed_on"))
    )
    for episode_id, first in signed:
        fields[episode_id]["CPLANDT"] = fields[episode_id]["XRAPSIGNED"] = first.isoformat()
    reviewed = (
        PlanReview.objects.filter(AnyOf("plan__episode_id", episode_ids), reviewed_on__lte=as_of)
        .values_list("plan__episode_id")
        .annotate(first=Min("reviewed_on"))
    )
    for episode_id, first in reviewed:
        fields[episode_id]["XRAPREVIEW"] = first.isoformat()
    return fields


def bbv_fields(person_ids, *, as_of: date) -> dict[int, tuple[str, str, str, str]]:
    """(HEPBSTAT, HEPBVAC, HEPCSTAT, HEPCTSTD) of each person as at `as_of` (6b: person-level facts, so every row
    of one person carries the same values). The answers are read by the rules of
    `harm_reduction.selectors.episode_bbv_fields`, over the person's whole record rather than capped at one
    episode's discharge. Three queries."""
    courses = defaultdict(list)
    for course in (
        HepBCourse.objects.filter(AnyOf("person_id", person_ids), offered_on__lte=as_of)
        .order_by("offered_on", "id")
        .values("pk", "person_id", "offer", "offered_on", "outcome_on", "completed_on")
    ):
        courses[course["person_id"]].append(course)
    given = defaultdict(list)
    for course_id, given_on in HepBDose.objects.filter(
        AnyOf("course__person_id", person_ids), given_on__lte=as_of
    ).values_list("course_id", "given_on"):
        given[course_id].append(given_on)
    tests = defaultdict(list)
    for test in (
        BbvTest.objects.filter(AnyOf("person_id", person_ids), kind__in=HEP_C_TESTS, offered_on__lte=as_of)
        .order_by("offered_on", "id")
        .values("person_id", "accepted", "answered_on", "tested_on")
    ):
        tests[test["person_id"]].append(test)
    fields = {}
    for person_id in person_ids:
        own_tests = tests.get(person_id, [])
        fields[person_id] = (
            cell(_hep_b_status(courses.get(person_id, []), as_of)),
            cell(_hep_b_vaccination(courses.get(person_id, []), given, as_of)),
            cell(_hep_c_status(own_tests, as_of)),
            "Y" if any(t["tested_on"] and t["tested_on"] <= as_of for t in own_tests) else "N",
        )
    return fields


def modality_rows(episode_ids, *, as_of: date) -> dict[int, list[tuple[str, ...]]]:
    """MODID to SUBMODDT of each modality referred on or before `as_of`, in MODID order (6b); a date after
    `as_of` is not yet recorded. One query."""
    rows = (
        Modality.objects.filter(AnyOf("episode_id", episode_ids), referred_on__lte=as_of)
        .annotate(latest_review=Max("reviews__reviewed_on", filter=Q(reviews__reviewed_on__lte=as_of)))
        .order_by()
        .values_list(
            "episode_id",
            modality_identifier(),
            text("modality_type__code"),
            text("setting__code"),
            iso_date("referred_on"),
            iso_date("first_offered_on", as_of=as_of),
            iso_date("started_on", as_of=as_of),
            iso_date("ended_on", as_of=as_of),
            Case(
                When(ended_on__lte=as_of, then=text("exit_status__code")), default=Value(NA), output_field=TextField()
            ),
            iso_date("latest_review"),
        )
    )
    by_episode: dict[int, list[tuple[str, ...]]] = defaultdict(list)
    for episode_id, *modality in rows:
        by_episode[episode_id].append(modality)
    for modalities in by_episode.values():
        modalities.sort()
    return by_episode


def top_rows(episode_ids, *, as_of: date) -> dict[int, list[tuple[str, ...]]]:
    """TOPID to QUALLIFE of each TOP dated on or before `as_of`, by TOPDATE then TOPID (6b). One query."""
    values = [yes_no(field) if field in _TOP_YES_NO else text(field) for field in TOP_COLUMNS]
    rows = (
        Top.objects.filter(AnyOf("episode_id", episode_ids), top_date__lte=as_of)
        .order_by()
        .values_list("episode_id", top_identifier(), iso_date("top_date"), text("stage__code"), *values)
    )
    by_episode: dict[int, list[tuple[str, ...]]] = defaultdict(list)
    for episode_id, *top in rows:
        by_episode[episode_id].append(top)
    for tops in by_episode.values():
        tops.sort(key=lambda top: (top[1], top[0]))
    return by_episode


def modality_identifier():
    """MODID of a modality recorded here is its id; one from a transfer file keeps its own (`external_id`, 6b)."""
    return Coalesce(NullIf("external_id", Value("")), Cast("pk", TextField()), output_field=TextField())


def top_identifier():
    """TOPID, as MODID."""
    return modality_identifier()


def first_contacts(referral_ids, *, as_of: date) -> dict[int, str]:
    """XFIRSTCONTACT: the earliest contact by phone or in person on or before `as_of` (letters and failed attempts
    never count, as in `referrals.services.intake.first_contact_on`). One query."""
    rows = (
        ContactAttempt.objects.filter(
            AnyOf("referral_id", referral_ids), method__in=CONTACT_METHODS_THAT_COUNT, made_on__lte=as_of
        )
        .values_list("referral_id")
        .annotate(first=Min("made_on"))
    )
    return {referral_id: first.isoformat() for referral_id, first in rows}


def keyworkers(episodes: dict[int, date | None], *, as_of: date) -> dict[int, str]:
    """XKEYWORKER: the lead keyworker of the allocation current at `as_of`; for an episode discharged by then,
    its last allocation. `episodes` maps each episode id to its discharge date. One query."""
    rows = (
        Allocation.objects.filter(AnyOf("episode_id", episodes), allocated_on__lte=as_of)
        .order_by("episode_id", "allocated_on", "pk")
        .values_list("episode_id", "ended_on", "keyworker__username")
    )
    found = {}
    for episode_id, ended_on, username in rows:
        discharged_on = episodes[episode_id]
        discharged = discharged_on is not None and discharged_on <= as_of
        if discharged or ended_on is None or ended_on > as_of:
            found[episode_id] = username
    return found


def community_orders(episodes: dict[int, tuple[int, date]], *, as_of: date) -> dict[int, tuple[str, str]]:
    """XCJORDER and XCJORDERDT: the latest order made on or before `as_of` that is linked to the episode, or
    linked to none and made for the person since the referral was received (the rule of `prescribing.waits`).
    `episodes` maps each episode id to (person id, referral received date). Two queries."""
    person_episodes = defaultdict(list)
    for episode_id, (person_id, received_on) in episodes.items():
        person_episodes[person_id].append((episode_id, received_on))
    columns = ("order_date", "pk", "person_id", "episode_id", "kind")
    made = CommunityOrder.objects.filter(order_date__lte=as_of).order_by()
    # Two queries rather than one OR: each then uses its own index.
    linked = made.filter(AnyOf("episode_id", episodes)).values_list(*columns)
    unlinked = made.filter(AnyOf("person_id", person_episodes), episode__isnull=True).values_list(*columns)
    found = {}
    for order_date, _pk, person_id, episode_id, kind in sorted([*linked, *unlinked]):
        if episode_id is not None:
            found[episode_id] = (kind, order_date.isoformat())
            continue
        for candidate, received_on in person_episodes[person_id]:
            if order_date >= received_on:
                found[candidate] = (kind, order_date.isoformat())
    return found


def joint_working(episode_ids, *, as_of: date) -> set[int]:
    """XJOINTWORK Y: a partner agency involvement recorded on or before `as_of`. One query."""
    return set(
        PartnerInvolvement.objects.filter(AnyOf("episode_id", episode_ids), recorded_on__lte=as_of)
        .values_list("episode_id")
        .annotate(count=Count("pk"))
        .values_list("episode_id", flat=True)
    )


def referral_closure(status: str, triaged_on: date | None, as_of: date) -> tuple[str, str]:
    """XREFCLOSED and XREFOUTCOME of a referral without an episode: closed at triage (brief intervention or
    signposted to tier 1/2) on its triage date; NA while it is open."""
    outcome = CLOSED_WITHOUT_EPISODE.get(status)
    if outcome is None or triaged_on is None or triaged_on > as_of:
        return NA, NA
    return triaged_on.isoformat(), outcome
