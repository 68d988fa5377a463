"""Comprehensive assessments for `seed_scale` (core.scale), on the episodes the referrals app made in the chunk.

Every episode is assessed soon after it opens; the assessment is complete (with its substances ranked 1-3)
unless the episode opened in the last fortnight, when it may still be in progress. Answers lean the way the
national figures do: most people who use opiates inject or have injected, housing and employment needs are
common, a minority have children living with them.

Each assessment raises the tasks the service raises for its answers (`services.apply_risk_actions`: MARAC for a
high domestic abuse risk, the Children's Centre offer and safe storage when children live with the person,
antenatal care, a safeguarding review for the team manager); a task is done some days after it fell due, so
only recent ones are still open, and one still open when its episode ended was closed with the discharge.

Treatment Outcomes Profiles (TOPs) follow NDTMS practice: a start TOP at the assessment for most episodes, a
review about every six months while in treatment (`services.REVIEW_TOP_INTERVAL`; some are missed), and an exit
TOP for most planned exits and fewer unplanned ones (people who drop out are often not seen again). Use of the
presenting substances falls from review to review, and an exit after a completion reports little or none.
"""

from datetime import timedelta

from assessment.choices import Answer, CriminalJusticeStatus, DomesticAbuseRisk, LevelOfNeed, Pregnancy
from assessment.models import (
    AccommodationNeed,
    Assessment,
    AssessmentSubstance,
    ChildrenLivingWith,
    DualDiagnosis,
    EmploymentStatus,
    ParentalStatus,
    Top,
)
from core.bulk import reserve_ids
from core.models import InjectingStatus, Route, Substance, TreatmentStage
from core.scale import Weighted, between
from referrals.choices import TaskKind
from referrals.models import Task

IN_PROGRESS_DAYS = 14
# Weights over each code list, in code order (see the reference tables).
INJECTING = {"opiate": {"C": 25, "P": 35, "N": 38, "Z": 2}, None: {"C": 1, "P": 4, "N": 93, "Z": 2}}
ACCOMMODATION = {"1": 70, "2": 20, "3": 8, "Z": 2}
EMPLOYMENT = {"01": 22, "02": 4, "03": 18, "04": 3, "05": 30, "06": 10, "07": 1, "08": 5, "09": 5, "99": 2}
CHILDREN = {"11": 12, "12": 2, "13": 1, "14": 83, "15": 2}
PARENTAL = {"11": 10, "12": 6, "13": 34, "14": 48, "15": 2}
DUAL = {"Y": 30, "N": 66, "Z": 4}
# Route of use by substance group: opiates injected or smoked, alcohol drunk, the rest mostly sniffed or smoked.
CHILDREN_COUNT = Weighted((0, 1, 2, 3), (55, 20, 15, 10))
# Plain strings once: a TextChoices member read per row costs an enum lookup each time.
JUSTICE = Weighted([str(v) for v in CriminalJusticeStatus.values[:4]], (80, 10, 6, 4))
ABUSE_RISK = Weighted([str(v) for v in DomesticAbuseRisk.values[:4]], (75, 14, 8, 3))
NEEDS = [str(v) for v in LevelOfNeed.values]
PREGNANT, NOT_PREGNANT, NOT_APPLICABLE = str(Pregnancy.YES), str(Pregnancy.NO), str(Pregnancy.NOT_APPLICABLE)
YES, NO = str(Answer.YES), str(Answer.NO)
ROUTES = {"opiate": {"1": 40, "3": 55, "4": 5}, "alcohol": {"4": 100}, "non_opiate": {"2": 45, "3": 35, "4": 20}}
# Risk tasks: (key, kind, title, days after the assessment it is due), as services.apply_risk_actions raises them.
MARAC = ("marac", str(TaskKind.MARAC_REFERRAL), "Refer to MARAC (high domestic abuse risk)", 0)
CHILDREN_TASKS = (
    ("childrens_centre", str(TaskKind.CHILDRENS_CENTRE_OFFER), "Offer a Children's Centre referral", 7),
    (
        "safe_storage",
        str(TaskKind.SAFE_STORAGE_PROMPT),
        "Children in the household: agree safe storage of any prescribed medication",
        7,
    ),
)
ANTENATAL = ("antenatal", str(TaskKind.ANTENATAL_LINK), "Link with antenatal care", 7)
SAFEGUARDING = ("safeguarding", str(TaskKind.SAFEGUARDING), "Safeguarding concern raised at assessment: review", 0)
TASK_DONE_AFTER = (0, 21)
CLOSED_AT_DISCHARGE = "Closed with the episode's discharge."
HIGH_ABUSE_RISK = str(DomesticAbuseRisk.HIGH)

START_TOP_SHARE = 0.88
REVIEW_TOP_EVERY = (150, 200)  # the review falls due 182 days after the last TOP; most are done around then
REVIEW_TOP_SHARE = 0.8
EXIT_TOP_SHARE = {"successful": 0.85, "unsuccessful": 0.3, "neutral": 0.5}
# The TOP item each presenting substance is counted under (the rest are "other problem substance").
TOP_ITEM = {"7000": "alcohol", "1011": "opiates", "1000": "opiates", "1105": "opiates", "1106": "opiates"}
TOP_ITEM |= {"3201": "crack", "3200": "cocaine", "3100": "amphetamines", "5000": "cannabis"}
TOP_ITEMS = ("alcohol", "opiates", "crack", "cocaine", "amphetamines", "cannabis", "other_drug", "injected")
TOP_COLUMNS = [f"{item}{suffix}" for item in TOP_ITEMS for suffix in ("_week1", "_week2", "_week3", "_week4", "")]
NOT_USED = (0, 0, 0, 0, 0)


def _reference(context):
    def make():
        def codes(model, weights):
            ids = dict(model.objects.values_list("code", "pk"))
            return Weighted([ids[code] for code in weights], weights.values())

        return {
            "injecting": {group: codes(InjectingStatus, table) for group, table in INJECTING.items()},
            "accommodation": codes(AccommodationNeed, ACCOMMODATION),
            "employment": codes(EmploymentStatus, EMPLOYMENT),
            "children": codes(ChildrenLivingWith, CHILDREN),
            "parental": codes(ParentalStatus, PARENTAL),
            "dual": codes(DualDiagnosis, DUAL),
            "routes": {group: codes(Route, table) for group, table in ROUTES.items()},
            "injecting_code": dict(InjectingStatus.objects.values_list("pk", "code")),
            "children_at_home": set(
                ChildrenLivingWith.objects.filter(children_in_household=True).values_list("pk", flat=True)
            ),
            "stages": dict(TreatmentStage.objects.values_list("code", "pk")),
            "top_items": {
                pk: TOP_ITEM.get(code, "other_drug") for pk, code in Substance.objects.values_list("pk", "code")
            },
        }

    return context.lookup("assessment", make)


def build(chunk):
    context = chunk.context
    rng, today = context.rng, context.today
    ref = _reference(context)
    groups = context.lookup("substance_groups", _substance_groups)
    assessments = chunk.table(
        Assessment,
        [
            "id",
            "episode_id",
            "started_on",
            "started_by_id",
            "completed_on",
            "completed_by_id",
            "injecting_status_id",
            "alcohol_days",
            "alcohol_units",
            "dual_diagnosis_id",
            "accommodation_need_id",
            "employment_status_id",
            "children_count",
            "children_living_with_id",
            "parental_status_id",
            "pregnant",
            "criminal_justice_status",
            "domestic_abuse_risk",
            "safeguarding_concern",
            "level_of_need",
        ],
    )
    substances = chunk.table(
        AssessmentSubstance, ["assessment_id", "rank", "substance_id", "route_id", "days_used", "age_first_use"]
    )
    ids = iter(reserve_ids(Assessment, len(chunk.episodes)))
    assessed_on = chunk.shared.setdefault("assessed_on", {})
    injecting = chunk.shared.setdefault("injecting", {})
    children_at_home = chunk.shared.setdefault("children_at_home", set())
    tasks = _Tasks(chunk)
    tops = _Tops(chunk, ref)
    for episode in chunk.episodes:
        opened, discharged, group, assessor = (
            episode.opened_on,
            episode.discharged_on,
            episode.group,
            episode.assessor_id,
        )
        end = discharged or today
        started = min(opened + timedelta(days=between(rng, 0, 10)), end)
        completed = started + timedelta(days=between(rng, 0, 14))
        if completed > end:
            completed = discharged or None  # an open episode's may still be in progress
        if completed:
            assessed_on[episode.id] = completed
        drinks = "alcohol" in group
        assessment_id = next(ids)
        female = episode.female
        injecting_status = ref["injecting"]["opiate" if group == "opiate" else None].pick(rng)
        injecting[episode.id] = ref["injecting_code"][injecting_status]
        children = ref["children"].pick(rng)
        pregnant = (PREGNANT if rng.random() < 0.04 else NOT_PREGNANT) if female else NOT_APPLICABLE
        abuse_risk = ABUSE_RISK.pick(rng)
        safeguarding = YES if rng.random() < 0.08 else NO
        assessments.add(
            assessment_id,
            episode.id,
            started,
            assessor,
            completed,
            assessor if completed else None,
            injecting_status,
            between(rng, 8, 28) if drinks else between(rng, 0, 6),
            between(rng, 8, 40) if drinks else between(rng, 0, 6),
            ref["dual"].pick(rng),
            ref["accommodation"].pick(rng),
            ref["employment"].pick(rng),
            CHILDREN_COUNT.pick(rng),
            children,
            ref["parental"].pick(rng),
            pregnant,
            JUSTICE.pick(rng),
            abuse_risk,
            safeguarding,
            rng.choice(NEEDS),
        )
        at_home = children in ref["children_at_home"]
        if at_home:
            children_at_home.add(episode.id)
        if completed:
            raised = [MARAC] if abuse_risk == HIGH_ABUSE_RISK else []
            raised += CHILDREN_TASKS if at_home else ()
            raised += [ANTENATAL] if pregnant == PREGNANT else []
            for task in raised:
                tasks.add(episode, assessment_id, completed, task)
            if safeguarding == YES:
                tasks.add(episode, assessment_id, completed, SAFEGUARDING, to=episode.area.manager)
            tops.add(episode, assessment_id, completed)
        for rank, substance in enumerate(episode.substances[:3], start=1):
            kind = groups[substance]
            substances.add(
                assessment_id,
                rank,
                substance,
                ref["routes"][kind].pick(rng),
                between(rng, 4, 28),
                between(rng, 13, 30),
            )


def _substance_groups():
    return dict(Substance.objects.values_list("pk", "group"))


class _Tasks:
    """The risk tasks of a chunk's assessments, owned as the service owns them: the keyworker, else the team
    that opened the episode (the safeguarding review goes to the team manager)."""

    def __init__(self, chunk):
        self.rng, self.today = chunk.context.rng, chunk.context.today
        self.table = chunk.table(
            Task,
            [
                "person_id",
                "episode_id",
                "kind",
                "title",
                "assigned_to_id",
                "team_id",
                "due_on",
                "done_on",
                "done_by_id",
                "closed_reason",
                "source_key",
            ],
        )

    def add(self, episode, assessment_id, assessed, task, *, to=None):
        key, kind, title, after = task
        owner = to or episode.keyworker_id
        due = assessed + timedelta(days=after)
        done = due + timedelta(days=between(self.rng, *TASK_DONE_AFTER))
        closed_reason = ""
        if episode.discharged_on and done > episode.discharged_on:
            done, closed_reason = episode.discharged_on, CLOSED_AT_DISCHARGE
        elif done > self.today:
            done = None
        self.table.add(
            episode.person_id,
            episode.id,
            kind,
            title,
            owner,
            None if owner else episode.team_id,
            due,
            done,
            (owner or episode.area.manager) if done else None,
            closed_reason,
            f"assessment:{assessment_id}:{key}",
        )


class _Tops:
    """Start, review and exit TOPs of a chunk's episodes. Only the presenting substances' items (and injecting,
    for those who inject now) are counted; every other item is 0, its model default."""

    def __init__(self, chunk, ref):
        self.rng, self.today, self.ref = chunk.context.rng, chunk.context.today, ref
        self.stages = ref["stages"]
        self.table = chunk.table(
            Top,
            [
                "episode_id",
                "assessment_id",
                "stage_id",
                "top_date",
                "recorded_by_id",
                "psychological_health",
                "physical_health",
                "quality_of_life",
                "sharing",
                "housing_risk",
                *TOP_COLUMNS,
            ],
        )
        self.injecting = chunk.shared["injecting"]

    def add(self, episode, assessment_id, assessed):
        rng = self.rng
        items = {self.ref["top_items"][substance] for substance in episode.substances}
        if self.injecting.get(episode.id) == "C":
            items.add("injected")
        end = episode.discharged_on or self.today
        worker = episode.keyworker_id or episode.assessor_id
        if rng.random() < START_TOP_SHARE:
            self._top(episode, items, assessment_id, "S", assessed, episode.assessor_id, use=1.0)
        day, reviews = assessed + timedelta(days=between(rng, *REVIEW_TOP_EVERY)), 0
        while day < end:
            reviews += 1
            if rng.random() < REVIEW_TOP_SHARE:
                self._top(episode, items, None, "R", day, worker, use=max(0.1, 0.8 - 0.15 * reviews * rng.random()))
            day += timedelta(days=between(rng, *REVIEW_TOP_EVERY))
        outcome = episode.outcome
        if outcome and episode.discharged_on >= assessed and rng.random() < EXIT_TOP_SHARE[outcome]:
            use = 0.05 if outcome == "successful" else 0.7
            self._top(episode, items, None, "E", episode.discharged_on, worker, use=use)

    def _top(self, episode, items, assessment_id, stage, on, worker, *, use):
        """`use` is the share of days the presenting substances were used (1.0 at the start)."""
        rng = self.rng
        columns = []
        for item in TOP_ITEMS:
            if item in items and use > 0.05:
                weeks = [min(7, int(use * 6 + rng.random() * 2)) for _ in range(4)]
                columns += (*weeks, sum(weeks))
            else:
                columns += NOT_USED
        better = int((1 - use) * 8)
        self.table.add(
            episode.id,
            assessment_id,
            self.stages[stage],
            on,
            worker,
            min(20, between(rng, 5, 11) + better),
            min(20, between(rng, 6, 12) + better),
            min(20, between(rng, 4, 10) + better),
            "injected" in items and use > 0.5 and rng.random() < 0.1,
            rng.random() < 0.08 * use,
            *columns,
        )
