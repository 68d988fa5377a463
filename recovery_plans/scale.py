"""Modalities, their reviews and recovery plans for `seed_scale` (core.scale), on the episodes the referrals app
made in the same chunk (and the assessments the assessment app completed for them).

Opiate treatment is prescribing (with talking therapy for some); alcohol and non-opiate treatment is
psychosocial, with a community detox for some drinkers. Waits from referral to start follow the national
figures (nearly all start within three weeks; a few wait six weeks or more). A discharged episode's modalities
end on its discharge day (planned when it was a completion, unplanned otherwise); one that had not started by
then is closed withdrawn, with the reason. A running modality is reviewed every four to six months (so a few
go past the six-month review).

The keyworker writes a recovery plan once treatment starts; an assessor of the episode's team signs it, most
within three weeks (RAP3), and it is reviewed about every twelve weeks from the assessment (RAP12), until the
episode ends.
"""

from datetime import datetime, time, timedelta

from core.bulk import reserve_ids
from core.models import ModalityExitStatus, ModalitySetting
from core.scale import Weighted, between
from recovery_plans.models import (
    Action,
    Goal,
    Intervention,
    Modality,
    ModalityReview,
    PlanReview,
    PlanVersion,
    RecoveryPlan,
    VersionStatus,
)

WAIT = Weighted(((0, 7), (8, 14), (15, 21), (22, 42), (43, 90)), (58, 27, 12, 2, 1))
TALKING = ("MI", "CBT", "RELPREV", "GROUP", "COUNS", "SBNT", "ITEP", "CRA")
RECOVERY = ("PEER", "MUTUAL", "HOUSING", "ETE", "FAMILY")
NOT_STARTED = "Discharged before it started"
MODALITY_REVIEW_EVERY = (120, 190)
# Days from the first modality's start to the plan's signing (RAP3 is met within 21).
SIGNED_AFTER = Weighted(((2, 14), (15, 21), (22, 45)), (72, 20, 8))
# Days from the assessment to the first plan review, then between reviews (RAP12 is met within 84).
FIRST_REVIEW_AFTER = (55, 95)
REVIEW_EVERY = (70, 95)
GOALS = (
    ("substance_use", "Stop using on my own terms", "Go to the relapse prevention group"),
    ("physical_health", "Get my health checked", "Book a nurse appointment"),
    ("housing", "Keep my tenancy", "Meet the housing officer monthly"),
    ("family", "See my children every week", "Go to the family support group"),
    ("ete", "Start a college course", "Go to the college open day"),
    ("finances", "Sort out my debts", "Book an appointment with Citizens Advice"),
)
OWN_WORDS = "I want a normal life again."
REVIEW_SUMMARY = "Going steadily. We looked at each goal together."


def _reference(context):
    def make():
        interventions = {i.code: (i.pk, i.modality_type_id) for i in Intervention.objects.all()}
        return {
            "interventions": interventions,
            "settings": dict(ModalitySetting.objects.values_list("code", "pk")),
            "exits": dict(ModalityExitStatus.objects.values_list("code", "pk")),
        }

    return context.lookup("recovery_plans", make)


def _plan(rng, group) -> list[str]:
    """Which interventions an episode of this group is referred to."""
    if group == "opiate":
        codes = ["PRESC"]
        if rng.random() < 0.4:
            codes.append(rng.choice(TALKING))
    elif group == "alcohol" and rng.random() < 0.25:
        codes = ["CDETOX", rng.choice(TALKING)]
    else:
        codes = [rng.choice(TALKING)]
    if rng.random() < 0.2:
        codes.append(rng.choice(RECOVERY))
    return codes


def build(chunk):
    context = chunk.context
    rng, today = context.rng, context.today
    ref = _reference(context)
    interventions, settings, exits = ref["interventions"], ref["settings"], ref["exits"]
    made = []  # (modality row without its id, its review days, who reviews)
    first_starts = {}
    for episode in chunk.episodes:
        opened, discharged, outcome = episode.opened_on, episode.discharged_on, episode.outcome
        end = discharged or today
        reviewer = episode.keyworker_id or episode.assessor_id
        for code in _plan(rng, episode.group):
            intervention, modality_type = interventions[code]
            pharmacological = code in ("PRESC", "CDETOX")
            team = episode.area.prescribing if pharmacological else episode.delivery_team_id
            setting = settings["1" if pharmacological and rng.random() < 0.2 else "6"]
            referred = min(opened + timedelta(days=between(rng, 0, 5)), end)
            started = referred + timedelta(days=between(rng, *WAIT.pick(rng)))
            ended, exit_status, reason = None, None, ""
            if started > end:
                started = None
                if discharged:
                    ended, exit_status, reason = discharged, exits["C"], NOT_STARTED
            elif code == "CDETOX" and started + timedelta(days=14) < end:
                ended, exit_status = started + timedelta(days=between(rng, 7, 14)), exits["A"]
            elif discharged:
                ended, exit_status = discharged, exits["B" if outcome == "unsuccessful" else "A"]
            reviews = []
            if started is not None:
                first_starts[episode.id] = min(started, first_starts.get(episode.id, started))
                day = started + timedelta(days=between(rng, *MODALITY_REVIEW_EVERY))
                while day <= (ended or today):
                    reviews.append(day)
                    day += timedelta(days=between(rng, *MODALITY_REVIEW_EVERY))
            row = (
                episode.id,
                modality_type,
                setting,
                intervention,
                team,
                "" if team else "Not yet allocated",
                referred,
                started,
                started,
                ended,
                exit_status,
                reason,
                episode.assessor_id,
            )
            made.append((row, reviews, reviewer, code if pharmacological else None))
    _write_modalities(chunk, made)
    _plans(chunk, first_starts)


def _write_modalities(chunk, made):
    modalities = chunk.table(
        Modality,
        [
            "id",
            "episode_id",
            "modality_type_id",
            "setting_id",
            "intervention_id",
            "provider_team_id",
            "provider",
            "referred_on",
            "first_offered_on",
            "started_on",
            "ended_on",
            "exit_status_id",
            "end_reason",
            "referred_by_id",
        ],
    )
    reviews = chunk.table(ModalityReview, ["modality_id", "reviewed_on", "notes", "by_id"])
    # The prescribing app's builder writes the scripts of these: (episode, modality, code, referred, started, ended).
    pharmacological = chunk.shared.setdefault("pharmacological", [])
    for pk, (row, days, reviewer, code) in zip(reserve_ids(Modality, len(made)), made, strict=True):
        modalities.add(pk, *row)
        if code:
            pharmacological.append((row[0], pk, code, row[6], row[7], row[9]))
        for day in days:
            reviews.add(pk, day, "Engaging well; goals in the plan still fit.", reviewer)


def _at(day):
    return datetime.combine(day, time(10, 0)).isoformat() + "+00:00"


def _plans(chunk, first_starts):
    context = chunk.context
    rng, today = context.rng, context.today
    assessed = chunk.shared.get("assessed_on", {})
    plans = chunk.table(RecoveryPlan, ["id", "episode_id", "created_at"])
    versions = chunk.table(
        PlanVersion,
        [
            "id",
            "plan_id",
            "number",
            "status",
            "own_words",
            "author_id",
            "created_at",
            "submitted_at",
            "signed_by_id",
            "signed_on",
        ],
    )
    goals = chunk.table(Goal, ["id", "plan_version_id", "domain", "text", "position"])
    actions = chunk.table(Action, ["goal_id", "what", "who", "by_when", "position"])
    reviews = chunk.table(PlanReview, ["plan_id", "reviewed_on", "reviewed_version_id", "summary", "by_id"])
    # A keyworker writes it and an assessor signs it: an episode nobody holds has no plan yet.
    planned = [e for e in chunk.episodes if e.id in first_starts and e.keyworker_id is not None]
    signed_versions = chunk.shared.setdefault("signed_version", {})
    plan_ids = reserve_ids(RecoveryPlan, len(planned))
    version_ids = reserve_ids(PlanVersion, len(planned))
    goal_ids = iter(reserve_ids(Goal, 2 * len(planned)))
    for episode, plan_id, version_id in zip(planned, plan_ids, version_ids, strict=True):
        end = episode.discharged_on or today
        started = first_starts[episode.id]
        written = max(episode.opened_on, started - timedelta(days=between(rng, 0, 5)))
        signed = started + timedelta(days=between(rng, *SIGNED_AFTER.pick(rng)))
        if signed > end:
            if episode.discharged_on:
                continue  # ended before a plan was agreed
            status, signed, signer = VersionStatus.DRAFT, None, None
        else:
            status, signer = VersionStatus.SIGNED, episode.assessor_id
        plans.add(plan_id, episode.id, _at(written))
        versions.add(
            version_id,
            plan_id,
            1,
            status,
            OWN_WORDS,
            episode.keyworker_id,
            _at(written),
            _at(signed) if signed else None,
            signer,
            signed,
        )
        for position, (domain, text, action) in enumerate(rng.sample(GOALS, 2)):
            goal_id = next(goal_ids)
            goals.add(goal_id, version_id, domain, text, position)
            actions.add(goal_id, action, "Me and my keyworker", written + timedelta(days=28), 0)
        if signed is None:
            continue
        signed_versions[episode.id] = version_id
        base = assessed.get(episode.id) or signed
        day = max(base + timedelta(days=between(rng, *FIRST_REVIEW_AFTER)), signed)
        while day <= end:
            reviews.add(plan_id, day, version_id, REVIEW_SUMMARY, episode.keyworker_id)
            day += timedelta(days=between(rng, *REVIEW_EVERY))
