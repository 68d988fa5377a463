"""The interchange file's values as at a day `E` (domain.md 6, 6a, 6b), written by PostgreSQL.

`file_query` is the one query that makes the whole file: the referrals of `referral_rows` (a referral per row with
its person and episode fields), joined to one relation per field family (assessment, substances, plan, hepatitis,
modalities, TOPs, first contact, keyworker, community order, joint working), each already written as the file
writes it (`NA` for nothing), in the file's row order. `export.write_file` hands it to `COPY ... TO STDOUT` in
CSV, so no row passes through Python's row building. `docs/data-dictionary.md` says where each field comes from;
this module is that page in code.

Not scoped to a user: the caller starts from `Referral.objects.visible_to(user)` (data admins see everyone).
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    F,
    Func,
    Min,
    Q,
    RowRange,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Collate, Left, NullIf, Upper
from psycopg2.extensions import adapt

from assessment.choices import Pregnancy
from assessment.models import TOP_RATINGS, TOP_WEEKLY_ITEMS, TOP_YES_NO, Assessment, AssessmentSubstance, Top
from harm_reduction.selectors import hepatitis_fields_sql
from recovery_plans.models import Modality, ModalityReview, PlanReview, PlanVersion, RecoveryPlan
from referrals.choices import CONTACT_METHODS_THAT_COUNT, ReferralStatus
from referrals.models import Allocation, CommunityOrder, ContactAttempt, PartnerInvolvement
from referrals.services.intake import CLOSURE_OUTCOMES
from reporting.returns.columns import (
    LOCAL_FIELDS,
    MODALITY_FIELDS,
    NA,
    PERSON_EPISODE_FIELDS,
    RETURN_COLUMNS,
    TOP_FIELDS,
)
from reporting.returns.validate import CLOSURE_OUTCOME

# A referral closed without an episode (6b: TRIAGED is NA, the closure is in XREFCLOSED / XREFOUTCOME): at triage
# (dated by its triage), or before it (no contact made, or declined; dated by its closing).
CLOSED_WITHOUT_EPISODE = {status: code for code, status in CLOSURE_OUTCOME.items()}
CLOSED_BEFORE_TRIAGE = CLOSURE_OUTCOMES
CLOSED_AT_TRIAGE = [status for status in CLOSED_WITHOUT_EPISODE if status not in CLOSED_BEFORE_TRIAGE]
# 6b codes for PREGNANT; not applicable and unanswered are not sent.
PREGNANT_CODE = {Pregnancy.YES: "Y", Pregnancy.NO: "N", Pregnancy.DECLINED: "Z"}

# The TOP fields in file order, each with the `Top` column that holds it (data dictionary, TOP fields).
_TOP_SOURCE = {ndtms: field for field, ndtms, _label in (*TOP_WEEKLY_ITEMS, *TOP_RATINGS, *TOP_YES_NO)}
TOP_COLUMNS = [_TOP_SOURCE[name] for name in TOP_FIELDS[3:]]
_TOP_YES_NO = {field for field, _ndtms, _label in TOP_YES_NO}


def in_code_point_order(field: str):
    """6b orders identifiers in plain code-point order, whatever the database's collation."""
    return Collate(field, "C")


def return_referrals(queryset, *, start: date, end: date):
    """The referrals a monthly return holds (6b): received on or before E, open at some time in the month
    (a referral with an episode is open until the episode's discharge; one closed without an episode, until it
    closed),
    never one found ineligible at receipt, never a merged duplicate's."""
    return (
        queryset.filter(received_on__lte=end, person__merged_into__isnull=True)
        .exclude(status=ReferralStatus.SIGNPOSTED_INELIGIBLE)
        .exclude(status__in=CLOSED_AT_TRIAGE, triaged_on__lt=start)
        .exclude(status__in=CLOSED_BEFORE_TRIAGE, closed_on__lt=start)
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
    """6b: the full postcode, upper case, one space before the last three characters (once it has five or more),
    whatever was stored; NA when blank. Spaces are taken out once: five regular expressions a row were a quarter
    of the cost of the person fields."""
    compact = Upper(
        Func(F(field), Value(r"\s"), Value(""), Value("g"), function="regexp_replace", output_field=TextField())
    )
    spaced = Func(compact, Value("^(.{2,})(.{3})$"), Value(r"\1 \2"), function="regexp_replace")
    return Coalesce(NullIf(spaced, Value("")), Value(NA), output_field=TextField())


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
            # XREFCLOSED: a referral has a triage date or a closing date, never both.
            r_closed=Coalesce("closed_on", "triaged_on"),
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
            "r_closed",
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


def _sql(queryset) -> tuple[str, tuple]:
    """A queryset's SQL and parameters, to be a relation of `file_query`."""
    return queryset.query.sql_with_params()


def _only(field: str, relation: str, only: bool) -> dict:
    """A filter keeping `field` to the ids of `relation` (a relation of `file_query`), when `only`."""
    return {f"{field}__in": RawSQL(f"SELECT {relation}", ())} if only else {}  # nosec B611: our own names


def _families(as_of: date, *, in_file_only: bool) -> dict:
    """Each field family as a queryset of text values keyed by episode, written as the file writes them.
    `in_file_only`: each family reads only the file's episodes (`r`), so a monthly return formats and aggregates
    its month's records, not every record ever made. The transfer file holds (nearly) every episode: there a
    filter would only cost a lookup per record."""
    assessments = (
        Assessment.objects.filter(completed_on__lte=as_of, **_only("episode_id", "episode_pk FROM r", in_file_only))
        # The window is ordered as DISTINCT ON keeps the latest, over the whole partition: one sort serves both.
        .annotate(
            first_completed=Window(
                Min("completed_on"),
                partition_by=[F("episode_id")],
                order_by=[F("completed_on").desc(), F("pk").desc()],
                frame=RowRange(start=None, end=None),
            )
        )
        .order_by("episode_id", "-completed_on", "-pk")
        .distinct("episode_id")
        .values(
            a_id=F("pk"),
            a_episode=F("episode_id"),
            a_first=F("first_completed"),
            a_injstat=text("injecting_status__code"),
            a_alcddays=unless("alcohol_days_declined", text("alcohol_days")),
            a_alcunits=unless("alcohol_units_declined", text("alcohol_units")),
            a_childwth=text("children_living_with__code"),
            a_prntstat=text("parental_status__code"),
            a_pregnant=Case(
                *[When(pregnant=answer, then=Value(code)) for answer, code in PREGNANT_CODE.items()],
                default=Value(NA),
                output_field=TextField(),
            ),
            a_accmneed=text("accommodation_need__code"),
            a_empstat=text("employment_status__code"),
            a_dualdiag=text("dual_diagnosis__code"),
        )
    )
    substances = AssessmentSubstance.objects.filter(
        rank__lte=3, **_only("assessment_id", "a_id FROM assessments", in_file_only)
    ).values(
        s_assessment=F("assessment_id"),
        s_rank=F("rank"),
        s_substance=text("substance__code"),
        s_route=text("route__code"),
        s_age=unless("age_first_use_declined", text("age_first_use")),
    )
    modalities = (
        Modality.objects.filter(referred_on__lte=as_of, **_only("episode_id", "episode_pk FROM r", in_file_only))
        .order_by()
        .values(
            m_id=F("pk"),
            m_episode=F("episode_id"),
            modid=modality_identifier(),
            modal=text("modality_type__code"),
            modset=text("setting__code"),
            refmoddt=iso_date("referred_on"),
            faomoddt=iso_date("first_offered_on", as_of=as_of),
            modst=iso_date("started_on", as_of=as_of),
            modend=iso_date("ended_on", as_of=as_of),
            modexit=Case(
                When(ended_on__lte=as_of, then=text("exit_status__code")), default=Value(NA), output_field=TextField()
            ),
        )
    )
    tops = (
        Top.objects.filter(top_date__lte=as_of, **_only("episode_id", "episode_pk FROM r", in_file_only))
        .order_by()
        .values(
            t_episode=F("episode_id"),
            t_topid=top_identifier(),
            t_topdate=iso_date("top_date"),
            t_trstage=text("stage__code"),
            **{
                f"t_{name.lower()}": yes_no(column) if column in _TOP_YES_NO else text(column)
                for name, column in zip(TOP_FIELDS[3:], TOP_COLUMNS, strict=True)
            },
        )
    )
    return {"assessments": assessments, "substances": substances, "modalities": modalities, "tops": tops}


_BASE_COLUMNS = (
    "ref_id, person_id, episode_pk, discharged_on, received_on, status, closed_on, agreed, asked_on, client_id, "
    "episodid, finitial, sinitial, dob, sex, ethnic, pc, la, gp, refld, rfls, triaged, disd, disrsn"
)


def file_query(referrals, *, as_of: date, transfer: bool, agency: str) -> tuple[str, tuple]:
    """The whole file but its header as one query: each row is (kind, referral id, the file's values in column
    order), kind `E` for an episode row and `T` for a TOP row, in the file's row order (6b). A monthly return
    (`transfer` false) leaves the X fields out and sends a person who had not said yes by E once, with AGNCY,
    CLIENTID and CONSENT only (section 6)."""
    base = referral_rows(referrals, as_of=as_of).order_by()
    families = _families(as_of, in_file_only=not transfer)
    E = f"DATE '{as_of.isoformat()}'"
    parts, params = [], []
    for name, queryset in (("r", base), *families.items()):
        sql, values = _sql(queryset)
        columns = f"({_BASE_COLUMNS})" if name == "r" else ""
        if name == "modalities":
            sql = _with_latest_review(sql, E, in_file_only=not transfer)
        parts.append(f"{name}{columns} AS ({sql})")
        params.extend(values)
    closed = " ".join(f"WHEN '{status}' THEN '{code}'" for status, code in CLOSED_WITHOUT_EPISODE.items())
    closing = ", ".join(f"'{status}'" for status in CLOSED_WITHOUT_EPISODE)
    methods = ", ".join(f"'{method}'" for method in CONTACT_METHODS_THAT_COUNT)
    NA_ = f"'{NA}'"
    plan_in_file, referral_in_file = (
        ("AND p.episode_id IN (SELECT episode_pk FROM r)", "AND referral_id IN (SELECT ref_id FROM r)")
        if not transfer
        else ("", "")
    )
    # Every name below is a model's table or column, or a code of this project; E is a date's ISO text.
    parts += [
        f"""person AS (
            SELECT DISTINCT person_id, {E} AS until, CASE WHEN asked_on IS NULL OR asked_on > {E} THEN {NA_}
                WHEN agreed THEN 'Y' ELSE 'N' END AS consent FROM r)""",  # nosec B608: names and codes of this project, E a date (above)
        f"hepatitis AS ({hepatitis_fields_sql('person')})",
        """substance AS (SELECT s_assessment,
            max(s_substance) FILTER (WHERE s_rank = 1) AS drug1, max(s_route) FILTER (WHERE s_rank = 1) AS route,
            max(s_age) FILTER (WHERE s_rank = 1) AS drug1age, max(s_substance) FILTER (WHERE s_rank = 2) AS drug2,
            max(s_substance) FILTER (WHERE s_rank = 3) AS drug3
            FROM substances GROUP BY s_assessment)""",
        f"""signed AS (SELECT p.episode_id, to_char(min(v.signed_on), 'YYYY-MM-DD') AS first
            FROM {PlanVersion._meta.db_table} v JOIN {RecoveryPlan._meta.db_table} p ON p.id = v.plan_id
            WHERE v.signed_on <= {E} {plan_in_file} GROUP BY p.episode_id)""",  # nosec B608: names and codes of this project, E a date (above)
        f"""reviewed AS (SELECT p.episode_id, to_char(min(v.reviewed_on), 'YYYY-MM-DD') AS first
            FROM {PlanReview._meta.db_table} v JOIN {RecoveryPlan._meta.db_table} p ON p.id = v.plan_id
            WHERE v.reviewed_on <= {E} {plan_in_file} GROUP BY p.episode_id)""",  # nosec B608: names and codes of this project, E a date (above)
        f"""contact AS (SELECT referral_id, to_char(min(made_on), 'YYYY-MM-DD') AS first
            FROM {ContactAttempt._meta.db_table} WHERE method IN ({methods}) AND made_on <= {E}
                {referral_in_file}
            GROUP BY referral_id)""",  # nosec B608: names and codes of this project, E a date (above)
        f"""keyworker AS (SELECT DISTINCT ON (a.episode_id) a.episode_id, u.username
            FROM {Allocation._meta.db_table} a JOIN r ON r.episode_pk = a.episode_id
            JOIN {get_user_model()._meta.db_table} u ON u.id = a.keyworker_id
            WHERE a.allocated_on <= {E}
                AND (r.discharged_on <= {E} OR a.ended_on IS NULL OR a.ended_on > {E})
            ORDER BY a.episode_id, a.allocated_on DESC, a.id DESC)""",  # nosec B608: names and codes of this project, E a date (above)
        f"""community_order AS (
            SELECT DISTINCT ON (episode_pk) episode_pk, kind, to_char(order_date, 'YYYY-MM-DD') AS order_date
            FROM (SELECT r.episode_pk, o.kind, o.order_date, o.id FROM {CommunityOrder._meta.db_table} o
                    JOIN r ON r.episode_pk = o.episode_id WHERE o.order_date <= {E}
                UNION ALL
                SELECT r.episode_pk, o.kind, o.order_date, o.id FROM {CommunityOrder._meta.db_table} o
                    JOIN r ON r.person_id = o.person_id AND o.order_date >= r.received_on
                    WHERE o.episode_id IS NULL AND r.episode_pk IS NOT NULL AND o.order_date <= {E}) made
            ORDER BY episode_pk, order_date DESC, id DESC)""",  # nosec B608: names and codes of this project, E a date (above)
        f"joint AS (SELECT DISTINCT episode_id FROM {PartnerInvolvement._meta.db_table} WHERE recorded_on <= {E})",  # nosec B608
    ]
    agency_ = _literal(agency)
    na = [NA_]
    # CLIENTID and EPISODID are the first two sort keys, in code-point order (6b). They are sorted as the values
    # written (v1, v2) rather than as copies after the eighty values: a sort compares a key it cannot settle by
    # its first eight bytes (`C0000001` starts ten identifiers) by walking the row up to it.
    client_id, episodid = 'r.client_id COLLATE "C"', 'r.episodid COLLATE "C"'
    person_fields = ["r.finitial", "r.sinitial", "r.dob", "r.sex", "r.ethnic", "r.pc", "r.la", "r.gp", "r.refld"]
    person_fields += ["r.rfls", "r.triaged", f"coalesce(pv.first, {NA_})"]
    answers = ["s.drug1", "s.drug1age", "s.route", "s.drug2", "s.drug3", "a.a_injstat", "a.a_alcddays", "a.a_alcunits"]
    answers += ["a.a_childwth", "a.a_prntstat", "a.a_pregnant", "a.a_accmneed", "a.a_empstat", "a.a_dualdiag"]
    answers += ["h.hepbstat", "h.hepbvac", "h.hepcstat", "h.hepctstd"]
    modality = [f"m.{name.lower()}" for name in MODALITY_FIELDS]
    episode_row = [
        agency_,
        client_id,
        episodid,
        "pp.consent",
        *person_fields,
        *(f"coalesce({column}, {NA_})" for column in answers),
        "r.disd",
        "r.disrsn",
        *(f"coalesce({column}, {NA_})" for column in modality),
        *na * len(TOP_FIELDS),
    ]
    top_row = [
        agency_,
        client_id,
        episodid,
        *na * (len(PERSON_EPISODE_FIELDS) - 3 + len(MODALITY_FIELDS)),
        *(f"t.t_{name.lower()}" for name in TOP_FIELDS),
    ]
    if transfer:
        no_episode = "r.episode_pk IS NULL"
        episode_row += [
            f"coalesce(c.first, {NA_})",
            f"CASE WHEN {no_episode} THEN {NA_} ELSE coalesce(k.username, {NA_}) END",
            f"coalesce(to_char(a.a_first, 'YYYY-MM-DD'), {NA_})",
            f"coalesce(pv.first, {NA_})",
            f"coalesce(pr.first, {NA_})",
            f"coalesce(o.kind, {NA_})",
            f"coalesce(o.order_date, {NA_})",
            f"CASE WHEN {no_episode} THEN {NA_} WHEN j.episode_id IS NULL THEN 'N' ELSE 'Y' END",
            f"CASE WHEN {no_episode} AND r.closed_on <= {E} AND r.status IN ({closing}) "
            f"THEN to_char(r.closed_on, 'YYYY-MM-DD') ELSE {NA_} END",
            f"CASE WHEN {no_episode} AND r.closed_on <= {E} THEN coalesce(CASE r.status {closed} END, {NA_}) "
            f"ELSE {NA_} END",
        ]
        top_row += na * len(LOCAL_FIELDS)
    withheld = "FALSE" if transfer else "pp.consent <> 'Y'"
    # 6b's row order: by CLIENTID and EPISODID (v1, v2), then an episode's rows by MODID and its TOP rows after
    # them, by TOPDATE then TOPID (o3 to o5, which only order the rows of one referral).
    values = ", ".join(f"{value} AS v{at}" for at, value in enumerate(episode_row))
    select = f"""
        SELECT 'E' AS kind, r.ref_id, {values}, 0 AS o3, m.modid COLLATE "C" AS o4, NULL COLLATE "C" AS o5
        FROM r JOIN person pp ON pp.person_id = r.person_id
            JOIN hepatitis h ON h.person_id = r.person_id
            LEFT JOIN assessments a ON a.a_episode = r.episode_pk
            LEFT JOIN substance s ON s.s_assessment = a.a_id
            LEFT JOIN signed pv ON pv.episode_id = r.episode_pk
            LEFT JOIN reviewed pr ON pr.episode_id = r.episode_pk
            LEFT JOIN modalities m ON m.m_episode = r.episode_pk
            LEFT JOIN contact c ON c.referral_id = r.ref_id
            LEFT JOIN keyworker k ON k.episode_id = r.episode_pk
            LEFT JOIN community_order o ON o.episode_pk = r.episode_pk
            LEFT JOIN joint j ON j.episode_id = r.episode_pk
        WHERE NOT {withheld}
        UNION ALL
        SELECT 'T', r.ref_id, {", ".join(top_row)}, 1, t.t_topdate COLLATE "C", t.t_topid COLLATE "C"
        FROM r JOIN person pp ON pp.person_id = r.person_id JOIN tops t ON t.t_episode = r.episode_pk
        WHERE NOT {withheld}"""  # nosec B608: names and codes of this project, E a date (above)
    if not transfer:
        # A person sent once has one row: no other row shares its CLIENTID, so EPISODID's NA does not order it.
        withheld_row = [agency_, client_id, f'{NA_} COLLATE "C"', "pp.consent", *na * (len(RETURN_COLUMNS) - 4)]
        select += f"""
        UNION ALL
        (SELECT DISTINCT ON (r.person_id) 'E', r.ref_id, {", ".join(withheld_row)}, 0, NULL, NULL
        FROM r JOIN person pp ON pp.person_id = r.person_id
        WHERE pp.consent <> 'Y'
        ORDER BY r.person_id, r.episodid COLLATE "C")"""  # nosec B608: names and codes of this project, E a date (above)
    columns = ", ".join(f"v{at}" for at in range(len(episode_row)))
    sql = f"""WITH {", ".join(parts)}
        SELECT kind, ref_id, {columns} FROM ({select}) f ORDER BY v1, v2, o3, o4, o5"""  # nosec B608: names and codes of this project, E a date (above)
    return sql, tuple(params)


def _with_latest_review(modalities: str, E: str, *, in_file_only: bool) -> str:
    """The modalities family with SUBMODDT, each modality's latest review by E, inside the family (planned on its
    own, docs/returns.md). The transfer file reads every review: they are reduced to one row a modality before the
    join (grouping every modality-and-review pair by all the modality's written values cost twice as much). A
    monthly return (`in_file_only`) holds a tenth of the modalities: each looks up its own reviews."""
    table = ModalityReview._meta.db_table
    # Every name here is a model's table or column; E is a date's ISO text.
    if in_file_only:
        # LATERAL: once a modality of the file, not once a row of the join that finds them.
        latest = f"""LATERAL (SELECT max(reviewed_on) AS latest FROM {table}
            WHERE modality_id = m.m_id AND reviewed_on <= {E}) v ON TRUE"""  # nosec B608
    else:
        latest = f"""(SELECT modality_id, max(reviewed_on) AS latest FROM {table} WHERE reviewed_on <= {E}
            GROUP BY modality_id) v ON v.modality_id = m.m_id"""  # nosec B608
    # OFFSET 0 keeps the family a subquery planned on its own, as its GROUP BY did: pulled up into the file's query,
    # whose row estimates overflow at 1,000,000 people, the join to the reviews became a loop over every pair.
    return f"""SELECT m.*, coalesce(to_char(v.latest, 'YYYY-MM-DD'), '{NA}') AS submoddt FROM ({modalities}) m
        LEFT JOIN {latest} OFFSET 0"""  # nosec B608


def _literal(value: str) -> str:
    """A text value as an SQL literal (COPY takes no parameters)."""
    return adapt(value).getquoted().decode()


def modality_identifier():
    """MODID of a modality recorded here is its id; one from a transfer file keeps its own (`external_id`, 6b)."""
    return Coalesce(NullIf("external_id", Value("")), Cast("pk", TextField()), output_field=TextField())


def top_identifier():
    """TOPID, as MODID."""
    return modality_identifier()
