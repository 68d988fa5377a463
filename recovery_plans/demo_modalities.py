"""Demo modalities, before the plans demo (their start dates decide when a plan is due).

- Waiting clocks in every colour: the main keyworker's first people wait exactly 3, 16 and 23 days as of
  `context.today` (on track, amber, red), and about one open episode in eight waits 0-30 days.
- Running modalities, some six months past their start or latest review (sub-intervention review overdue),
  others reviewed recently; some people also have an earlier modality ended with each exit status.
- Discharged episodes: every modality ended on or before the discharge, exit statuses A, B and C in turn;
  about one in six also has a modality the person declined, closed withdrawn (C) without a start, with the
  reason (so the episode could be discharged, and the modality is in no waiting-time figure).

No open pharmacological (94) modality is made: the prescribing demo, which runs after this one, owns the
prescribing of open episodes and may add or link its own without finding a second one open. Bulk inserts
only, deterministic from `context.rng`.
"""

from datetime import timedelta

from core.choices import TeamKind
from core.models import ModalityExitStatus, ModalitySetting
from recovery_plans.models import Intervention, Modality, ModalityReview
from recovery_plans.services.modalities import SUB_INTERVENTION_REVIEW_DAYS
from referrals.models import Allocation, Episode, TeamInvolvement

BATCH = 2000
FEATURED_WAITS = (3, 16, 23)
TALKING = ["CBT", "MI", "ITEP", "CRA", "SBNT", "RELPREV", "COUNS", "DAYPROG", "GROUP"]
RECOVERY = ["PEER", "MUTUAL", "FAMILY", "HOUSING", "ETE"]
ENDED_ONLY = ["PRESC", "CDETOX", "HDETOX"]  # pharmacological: only ever ended here (see above)
NAMED_PROVIDERS = {"IPDETOX": ("Ocean Ward inpatient detox unit", "2"), "RESREHAB": ("Bridge House rehab", "8")}
WAITING_SHARE = 0.12
WITHDRAWN_SHARE = 1 / 6
WITHDRAWN_REASONS = ["Declined the place after the assessment", "Did not attend any appointment offered"]
NO_MODALITY_SHARE = 0.06


def seed(context):
    rng, today, staff = context.rng, context.today, context.staff
    interventions = {i.code: i for i in Intervention.objects.all()}
    settings = {s.code: s for s in ModalitySetting.objects.all()}
    exits = list(ModalityExitStatus.objects.filter(code__in=["A", "B", "C"]).order_by("code"))
    delivery = [t for t in context.teams.values() if t.kind == TeamKind.DELIVERY]
    prescribing = next((t for t in context.teams.values() if t.kind == TeamKind.PRESCRIBING), None)
    assessors = {TeamKind.ARM: staff["assessor.arm"], TeamKind.ESAP: staff["assessor.esap"]}
    main = staff["keyworker"]
    holders = {
        episode_id: (keyworker_id, team_id)
        for episode_id, keyworker_id, team_id in Allocation.objects.filter(ended_on__isnull=True).values_list(
            "episode_id", "keyworker_id", "team_id"
        )
    }
    episodes = list(Episode.objects.select_related("team").order_by("pk"))
    featured = [
        e.pk
        for e in episodes
        if e.discharged_on is None
        and holders.get(e.pk, (None,))[0] == main.pk
        and e.opened_on <= today - timedelta(days=max(FEATURED_WAITS))
    ][: len(FEATURED_WAITS)]
    waits = dict(zip(featured, FEATURED_WAITS, strict=False))

    modalities, reviews = [], []
    ended_count = 0

    def make(episode, code, referred_on, *, started_on=None, ended_on=None, offered_on=None, withdrawn_reason=""):
        nonlocal ended_count
        intervention = interventions[code]
        keyworker_id, holder_team_id = holders.get(episode.pk, (None, None))
        if code in NAMED_PROVIDERS:
            provider, setting_code = NAMED_PROVIDERS[code]
            team = None
        elif code in ENDED_ONLY:
            team, provider, setting_code = prescribing, "", rng.choice(["6", "1"])
        else:
            team = next((t for t in delivery if t.pk == holder_team_id), delivery[episode.pk % len(delivery)])
            provider, setting_code = "", rng.choice(["6", "6", "7"]) if code in RECOVERY else "6"
        exit_status = None
        if withdrawn_reason:
            exit_status = exits[-1]
        elif ended_on is not None:
            exit_status = exits[ended_count % len(exits)]
            ended_count += 1
        modality = Modality(
            episode=episode,
            modality_type_id=intervention.modality_type_id,
            setting=settings[setting_code],
            intervention=intervention,
            provider_team=team,
            provider=provider or (team.name if team else ""),
            referred_on=referred_on,
            first_offered_on=offered_on,
            started_on=started_on,
            ended_on=ended_on,
            exit_status=exit_status,
            end_reason=withdrawn_reason,
            referred_by=assessors.get(episode.team.kind, staff["assessor.arm"]),
        )
        modalities.append((modality, keyworker_id))
        return modality

    for episode in episodes:
        opened = episode.opened_on
        if episode.discharged_on is not None:
            for code in rng.sample([*ENDED_ONLY, *TALKING, *RECOVERY], rng.choice([1, 1, 2])):
                referred = min(opened + timedelta(days=rng.randint(0, 5)), episode.discharged_on)
                started = min(referred + timedelta(days=rng.randint(0, 20)), episode.discharged_on)
                ended = started + timedelta(days=rng.randint(0, (episode.discharged_on - started).days))
                make(episode, code, referred, started_on=started, ended_on=ended, offered_on=started)
            if rng.random() < WITHDRAWN_SHARE:
                referred = min(opened + timedelta(days=rng.randint(0, 5)), episode.discharged_on)
                closed = referred + timedelta(days=rng.randint(0, (episode.discharged_on - referred).days))
                reason = rng.choice(WITHDRAWN_REASONS)
                make(episode, rng.choice(TALKING), referred, ended_on=closed, withdrawn_reason=reason)
            continue
        if episode.pk in waits:
            make(episode, rng.choice(TALKING), today - timedelta(days=waits[episode.pk]))
            continue
        roll = rng.random()
        if roll < NO_MODALITY_SHARE:
            continue  # assessed, nothing referred yet
        if roll < NO_MODALITY_SHARE + WAITING_SHARE:
            referred = max(opened, today - timedelta(days=rng.randint(0, 30)))
            wait = (today - referred).days
            offered = referred + timedelta(days=rng.randint(1, wait)) if wait >= 5 and rng.random() < 0.5 else None
            code = rng.choice([*TALKING, *RECOVERY, *NAMED_PROVIDERS])
            make(episode, code, referred, offered_on=offered)
            continue
        referred = min(opened + timedelta(days=rng.randint(0, 7)), today)
        # Most start within three weeks; a few wait longer, so W21 and W42 have something to count.
        started = min(referred + timedelta(days=rng.choice([2, 5, 9, 12, 16, 20, 26, 45])), today)
        if rng.random() < 0.25 and (today - started).days > 60:
            # An earlier intervention already finished (planned, unplanned or withdrawn), then the current one.
            first_end = started + timedelta(days=rng.randint(14, 50))
            make(episode, rng.choice(TALKING), referred, started_on=started, ended_on=first_end, offered_on=started)
            referred, started = first_end, first_end + timedelta(days=rng.randint(0, 10))
        modality = make(
            episode,
            rng.choice([*TALKING, *RECOVERY]),
            referred,
            started_on=started,
            offered_on=started - timedelta(days=min(rng.randint(0, 3), (started - referred).days)),
        )
        running_for = (today - started).days
        if running_for > SUB_INTERVENTION_REVIEW_DAYS and rng.random() < 0.5:
            # Reviewed within the last six months: not overdue. The others show as overdue.
            reviews.append((modality, today - timedelta(days=rng.randint(5, SUB_INTERVENTION_REVIEW_DAYS - 10))))
        elif running_for > 60 and rng.random() < 0.3:
            reviews.append((modality, started + timedelta(days=rng.randint(30, running_for))))

    Modality.objects.bulk_create([m for m, _ in modalities], batch_size=BATCH)
    by_default = staff["assessor.arm"]
    keyworker_ids = {m.pk: k for m, k in modalities}
    ModalityReview.objects.bulk_create(
        [
            ModalityReview(
                modality=modality,
                reviewed_on=on,
                notes="Engaging well; goals in the plan still fit.",
                by_id=keyworker_ids.get(modality.pk) or by_default.pk,
            )
            for modality, on in reviews
        ],
        batch_size=BATCH,
    )
    # Referring to a team of the service lets its staff see the person (as refer_modality does).
    TeamInvolvement.objects.bulk_create(
        [
            TeamInvolvement(
                person_id=m.episode.person_id, team=m.provider_team, since=m.referred_on, reason="Modality referral"
            )
            for m, _ in modalities
            if m.provider_team is not None
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
