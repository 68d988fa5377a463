"""Modalities for `seed_scale` (core.scale), on the episodes the referrals app made in the same chunk.

Opiate treatment is prescribing (with talking therapy for some); alcohol and non-opiate treatment is
psychosocial, with a community detox for some drinkers. Waits from referral to start follow the national
figures (nearly all start within three weeks; a few wait six weeks or more). A discharged episode's modalities
end on its discharge day (planned when it was a completion, unplanned otherwise); one that had not started by
then is closed withdrawn, with the reason.
"""

from datetime import timedelta

from core.models import ModalityExitStatus, ModalitySetting
from core.scale import Weighted, between
from recovery_plans.models import Intervention, Modality

# Days from referral to start: most within a week, 97% within three weeks.
WAIT = Weighted(((0, 7), (8, 14), (15, 21), (22, 42), (43, 90)), (58, 27, 12, 2, 1))
TALKING = ("MI", "CBT", "RELPREV", "GROUP", "COUNS", "SBNT", "ITEP", "CRA")
RECOVERY = ("PEER", "MUTUAL", "HOUSING", "ETE", "FAMILY")
NOT_STARTED = "Discharged before it started"


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
    modalities = chunk.table(
        Modality,
        [
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
    for episode in chunk.episodes:
        opened, discharged, outcome = episode.opened_on, episode.discharged_on, episode.outcome
        end = discharged or today
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
            modalities.add(
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
