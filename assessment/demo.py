"""Demo assessments and TOPs for the open episodes that referrals' demo made: most completed (with the risk tasks
they raise), a few in progress; start TOPs for most completed ones and review TOPs for some, dated so that some
reviews are due soon and some overdue."""

import datetime

from assessment import services
from assessment.choices import Answer, DomesticAbuseRisk, Pregnancy
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
from core import audit
from core.bulk import copy_insert
from core.calendar import add_working_days
from core.choices import AuditAction
from core.models import InjectingStatus, Route, Substance, TreatmentStage
from referrals.choices import TaskKind
from referrals.models import Allocation, Episode, Task


def _codes(model):
    return list(model.objects.filter(active=True).order_by("sort_order"))


def seed(context):
    rng = context.rng
    today = context.today
    assessor = context.staff.get("assessor.arm") or next(iter(context.staff.values()))
    episodes = list(Episode.objects.open().filter(assessments__isnull=True).order_by("pk"))
    if not episodes:
        return
    codes = {
        "injecting_status": _codes(InjectingStatus),
        "dual_diagnosis": _codes(DualDiagnosis),
        "accommodation_need": _codes(AccommodationNeed),
        "employment_status": _codes(EmploymentStatus),
        "children_living_with": _codes(ChildrenLivingWith),
        "parental_status": _codes(ParentalStatus),
    }
    substances, routes = _codes(Substance), _codes(Route)
    assessments = []
    for episode in episodes:
        roll = rng.random()
        if roll < 0.1:
            continue  # not yet started: shows as "assessment due"
        started = min(episode.opened_on + datetime.timedelta(days=rng.randint(0, 10)), today)
        in_progress = roll < 0.25
        assessment = Assessment(
            episode=episode,
            started_on=started,
            started_by=assessor,
            alcohol_days=rng.randint(0, 28),
            alcohol_units=rng.randint(0, 30),
            physical_health=rng.choice(["No concerns raised", "Leg ulcer, GP aware", "Asthma, uses inhaler"]),
            mental_health=rng.choice(["Low mood", "No concerns raised", "Anxiety, on GP waiting list"]),
            level_of_need=rng.choice(["low", "complex"]),
            criminal_justice_status=rng.choice(["none", "none", "community_order", "licence"]),
            domestic_abuse_risk=rng.choices(["none", "standard", "medium", "high"], [70, 15, 10, 5])[0],
            safeguarding_concern=rng.choices(["no", "yes"], [90, 10])[0],
            pregnant=rng.choices(["not_applicable", "no", "yes"], [60, 35, 5])[0],
            children_count=rng.randint(0, 3),
        )
        for name, options in codes.items():
            setattr(assessment, name, rng.choice(options))
        if assessment.level_of_need == "complex":
            assessment.personal_budget_amount = rng.choice([150, 250, 400])
            assessment.personal_budget_uses = "Gym membership and travel to mutual aid meetings"
        if not in_progress:
            assessment.completed_on = min(started + datetime.timedelta(days=rng.randint(1, 14)), today)
            assessment.completed_by = assessor
        else:
            assessment.accommodation_need = None
            assessment.employment_status = None
        assessments.append(assessment)
    copy_insert(assessments)

    rows = []
    for assessment in assessments:
        for rank, substance in enumerate(rng.sample(substances, rng.randint(1, 3)), start=1):
            rows.append(
                AssessmentSubstance(
                    assessment=assessment,
                    rank=rank,
                    substance=substance,
                    route=rng.choice(routes),
                    days_used=rng.randint(0, 28),
                    age_first_use=rng.randint(13, 35),
                    amount=rng.choice(["£20 a day", "1 g", "half a bottle of vodka", ""]),
                )
            )
    copy_insert(rows)

    _raise_risk_tasks(assessments, assessor, today)

    stages = {stage.code: stage for stage in TreatmentStage.objects.all()}
    tops = []
    for assessment in assessments:
        if not assessment.completed_on or rng.random() < 0.2:
            continue
        start_date = assessment.completed_on
        tops.append(_top(rng, assessment, stages["S"], start_date, assessor, improvement=0))
        review_date = start_date + services.REVIEW_TOP_INTERVAL
        if review_date <= today and rng.random() < 0.6:
            tops.append(_top(rng, assessment, stages["R"], review_date, assessor, improvement=rng.randint(1, 4)))
    copy_insert(tops)


def _raise_risk_tasks(assessments, actor, today):
    """The tasks `services.apply_risk_actions` raises for each assessment, in one insert instead of six queries
    per task. Same keys, kinds, titles, assignees and due dates as the service, which
    tests/core/test_seed_demo.py checks by running the service over the demo's assessments."""
    episode_ids = [a.episode_id for a in assessments]
    current = Allocation.objects.filter(episode_id__in=episode_ids, ended_on__isnull=True)
    keyworkers = dict(current.values_list("episode_id", "keyworker"))
    managers = {}
    in_five = add_working_days(today, 5)
    tasks = []

    def task(assessment, key, kind, title, due_on, *, to_team_manager=False):
        episode = assessment.episode
        if to_team_manager:
            if episode.team_id not in managers:
                managers[episode.team_id] = services._team_manager(episode.team)
            assigned_to_id = managers[episode.team_id].pk if managers[episode.team_id] else None
            team_id = None if assigned_to_id else episode.team_id
        else:
            assigned_to_id = keyworkers.get(episode.pk)
            team_id = None if assigned_to_id else episode.team_id
        tasks.append(
            Task(
                source_key=f"assessment:{assessment.pk}:{key}",
                person_id=episode.person_id,
                episode=episode,
                kind=kind,
                title=title,
                assigned_to_id=assigned_to_id,
                team_id=team_id,
                due_on=due_on,
            )
        )

    for a in assessments:
        if a.domestic_abuse_risk == DomesticAbuseRisk.HIGH:
            task(a, "marac", TaskKind.MARAC_REFERRAL, "Refer to MARAC (high domestic abuse risk)", today)
        if a.children_living_with_id and a.children_living_with.children_in_household:
            task(a, "childrens_centre", TaskKind.CHILDRENS_CENTRE_OFFER, "Offer a Children's Centre referral", in_five)
            task(
                a,
                "safe_storage",
                TaskKind.SAFE_STORAGE_PROMPT,
                "Children in the household: agree safe storage of any prescribed medication",
                in_five,
            )
        if a.pregnant == Pregnancy.YES:
            task(a, "antenatal", TaskKind.ANTENATAL_LINK, "Link with antenatal care", in_five)
        if a.safeguarding_concern == Answer.YES:
            task(
                a,
                "safeguarding",
                TaskKind.SAFEGUARDING,
                "Safeguarding concern raised at assessment: review",
                today,
                to_team_manager=True,
            )
    copy_insert(tasks)
    audit.record_many(AuditAction.CREATE, tasks, actor=actor, details={"source": "assessment risk action"})


def _top(rng, assessment, stage, on, user, *, improvement):
    top = Top(
        episode=assessment.episode,
        assessment=assessment if stage.code == "S" else None,
        stage=stage,
        top_date=on,
        recorded_by=user,
        psychological_health=min(20, rng.randint(3, 10) + improvement * 2),
        physical_health=min(20, rng.randint(4, 11) + improvement * 2),
        quality_of_life=min(20, rng.randint(2, 9) + improvement * 2),
        housing_risk=rng.random() < 0.1,
    )
    for prefix in ["alcohol", "opiates", "crack", "cannabis"]:
        for week in range(1, 5):
            setattr(top, f"{prefix}_week{week}", max(0, rng.randint(0, 7) - improvement))
    top.compute_totals()
    return top
