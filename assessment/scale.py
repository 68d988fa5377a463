"""Comprehensive assessments for `seed_scale` (core.scale), on the episodes the referrals app made in the chunk.

Every episode is assessed soon after it opens; the assessment is complete (with its substances ranked 1-3)
unless the episode opened in the last fortnight, when it may still be in progress. Answers lean the way the
national figures do: most people who use opiates inject or have injected, housing and employment needs are
common, a minority have children living with them. No risk tasks are raised: the scale data is history, and
the demo (`seed_demo`) shows the tasks.
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
)
from core.bulk import reserve_ids
from core.models import InjectingStatus, Route, Substance
from core.scale import Weighted, between

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
        assessments.add(
            assessment_id,
            episode.id,
            started,
            assessor,
            completed,
            assessor if completed else None,
            ref["injecting"]["opiate" if group == "opiate" else None].pick(rng),
            between(rng, 8, 28) if drinks else between(rng, 0, 6),
            between(rng, 8, 40) if drinks else between(rng, 0, 6),
            ref["dual"].pick(rng),
            ref["accommodation"].pick(rng),
            ref["employment"].pick(rng),
            CHILDREN_COUNT.pick(rng),
            ref["children"].pick(rng),
            ref["parental"].pick(rng),
            (PREGNANT if rng.random() < 0.04 else NOT_PREGNANT) if female else NOT_APPLICABLE,
            JUSTICE.pick(rng),
            ABUSE_RISK.pick(rng),
            YES if rng.random() < 0.08 else NO,
            rng.choice(NEEDS),
        )
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
