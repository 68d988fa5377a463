"""Demo prescribing: clinical assessments and scripts with dose history for people with opiate or alcohol
dependence, each delivering a pharmacological modality (an open one the plans demo made is reused, otherwise one
is made); safe storage, tests linked to the signed plan, home detox plans, inpatient and rehab referrals with
their funding route, GP shared care, a couple of late starts, and people still waiting for a first script so the
clock shows on caseloads and the waits page. Runs after the plans demo; bulk inserts only."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from core.calendar import add_working_days
from core.choices import SubstanceGroup
from core.models import ModalitySetting, Substance
from prescribing.choices import (
    CustodyStep,
    DetoxSetting,
    FundingRoute,
    Regime,
    ResidentialKind,
    SafeStorageOutcome,
    SampleType,
    TestResult,
)
from prescribing.models import (
    ClinicalAssessment,
    CustodyEvent,
    DetoxPlan,
    DetoxStep,
    DrugTest,
    DrugTestResult,
    Medication,
    Pharmacy,
    PlannedStep,
    Prescription,
    ResidentialReferral,
    SafeStorage,
    SharedCareTransfer,
)
from prescribing.waits import PHARMACOLOGICAL, refresh_start_due
from recovery_plans.models import Intervention, Modality, PlanVersion, VersionStatus
from referrals.models import Allocation, Episode, TeamInvolvement

PHARMACIES = [
    ("Shirley Road Pharmacy", "FA101", "12 Shirley Road, Southampton SO15 3EU"),
    ("Portswood Pharmacy", "FA102", "160 Portswood Road, Southampton SO17 2NJ"),
    ("Bitterne Precinct Pharmacy", "FA103", "3 Bitterne Precinct, Southampton SO18 5DX"),
    ("Woolston Pharmacy", "FA104", "41 Portsmouth Road, Southampton SO19 9AE"),
]
MAX_PEOPLE = 120
MAX_WAITING = 12
DETOX_CODES = {"CDETOX": DetoxSetting.COMMUNITY, "HDETOX": DetoxSetting.HOME, "DDETOX": DetoxSetting.DAY}
# Days each waiting person has waited since the referral to prescribing: on track, due today-ish, overdue.
WAITED_DAYS = (1, 4, 9, 13, 17, 24)


def _dependent_episodes(context):
    """Open episodes whose referral names an opiate or alcohol, with the group that drives the script."""
    episodes = (
        Episode.objects.filter(discharged_on__isnull=True, opened_on__lte=context.today - timedelta(days=14))
        .filter(referral__presenting_substances__group__in=[SubstanceGroup.OPIATE, SubstanceGroup.ALCOHOL])
        .exclude(prescriptions__isnull=False)
        .select_related("person")
        .prefetch_related("referral__presenting_substances")
        .distinct()
        .order_by("pk")[:MAX_PEOPLE]
    )
    for episode in episodes:
        groups = {substance.group for substance in episode.referral.presenting_substances.all()}
        yield episode, SubstanceGroup.OPIATE if SubstanceGroup.OPIATE in groups else SubstanceGroup.ALCOHOL


def _waiting_episodes(context, chosen_ids):
    """Open opiate or alcohol episodes opened lately, referred to prescribing but with no script yet."""
    return list(
        Episode.objects.filter(discharged_on__isnull=True, opened_on__gt=context.today - timedelta(days=30))
        .filter(referral__presenting_substances__group__in=[SubstanceGroup.OPIATE, SubstanceGroup.ALCOHOL])
        .exclude(pk__in=chosen_ids)
        .exclude(prescriptions__isnull=False)
        .exclude(modalities__modality_type__code=PHARMACOLOGICAL, modalities__ended_on__isnull=True)
        .select_related("person", "team")
        .distinct()
        .order_by("pk")[:MAX_WAITING]
    )


def _modalities(context, chosen, assessments, team, waiting):
    """The open prescribing modality of each chosen episode: the plans demo's if it made one, else a new one,
    started on the first script; and a prescribing referral for each waiting episode, with no start."""
    intervention = Intervention.objects.get(code="PRESC")
    open_ones = {}
    # Any open pharmacological modality is reused, prescribing itself first, then the earliest referred.
    for modality in (
        Modality.objects.filter(
            episode__in=[episode for episode, _ in chosen], modality_type__code=PHARMACOLOGICAL, ended_on__isnull=True
        )
        .exclude(intervention__code__in=DETOX_CODES)
        .order_by("referred_on", "pk")
    ):
        current = open_ones.get(modality.episode_id)
        if current is None or (
            modality.intervention_id == intervention.pk and current.intervention_id != intervention.pk
        ):
            open_ones[modality.episode_id] = modality
    community = ModalitySetting.objects.get(code="6")
    referrer = context.staff["assessor.arm"]
    started, new = [], []
    by_episode = {}
    for (episode, _), assessment in zip(chosen, assessments, strict=True):
        modality = open_ones.get(episode.pk)
        if modality is None:
            modality = Modality(
                episode=episode,
                modality_type_id=intervention.modality_type_id,
                setting=community,
                intervention=intervention,
                provider_team=team,
                provider=team.name,
                # Referred when the episode opened: the clinical assessment 2-8 working days later is on time,
                # the few at 12 working days show as late starts on the waits page.
                referred_on=episode.opened_on,
                referred_by=referrer,
            )
            new.append(modality)
        elif modality.referred_on > assessment.assessed_on:
            continue  # referred after this script's assessment: left unlinked rather than moved
        if modality.started_on is None:
            modality.started_on = assessment.assessed_on
            modality.first_offered_on = modality.first_offered_on or assessment.assessed_on
            if modality.pk is not None:
                started.append(modality)
        by_episode[episode.pk] = modality
    for index, episode in enumerate(waiting):
        new.append(
            Modality(
                episode=episode,
                modality_type_id=intervention.modality_type_id,
                setting=community,
                intervention=intervention,
                provider_team=team,
                provider=team.name,
                referred_on=max(
                    episode.opened_on, context.today - timedelta(days=WAITED_DAYS[index % len(WAITED_DAYS)])
                ),
                referred_by=referrer,
            )
        )
    Modality.objects.bulk_create(new)
    Modality.objects.bulk_update(started, ["started_on", "first_offered_on"])
    return by_episode


def seed(context):
    _seed(context)
    # The demo writes in bulk: the prescribing due dates of every modality so far (plans' and these), by the rule.
    refresh_start_due(Modality.objects.all())


def _seed(context):
    rng = context.rng
    prescriber = context.staff["prescriber"]
    team = context.teams["Prescribing"]
    pharmacies = [
        Pharmacy.objects.get_or_create(ods_code=code, defaults={"name": name, "address": address})[0]
        for name, code, address in PHARMACIES
    ]
    medication = {m.code: m for m in Medication.objects.all()}
    substances = {s.code: s for s in Substance.objects.filter(code__in=["1011", "3201", "2200", "5000"])}
    dependent = list(_dependent_episodes(context))
    # One in nine is still waiting for a first script, as are recent episodes: the clock has people to show.
    chosen = [row for index, row in enumerate(dependent) if index % 9 != 4]
    waiting = [episode for index, (episode, _) in enumerate(dependent) if index % 9 == 4]
    waiting += _waiting_episodes(context, [episode.pk for episode, _ in dependent])
    if not chosen and not waiting:
        return
    TeamInvolvement.objects.bulk_create(
        [
            TeamInvolvement(
                person=episode.person, team=team, since=episode.opened_on, reason="pharmacological modality"
            )
            for episode in [*(episode for episode, _ in chosen), *waiting]
        ],
        ignore_conflicts=True,
    )
    assessments = ClinicalAssessment.objects.bulk_create(
        [
            ClinicalAssessment(
                person=episode.person,
                episode=episode,
                prescriber=prescriber,
                # A couple start late so the waits page has breaches to show.
                assessed_on=min(
                    add_working_days(episode.opened_on, 12 if index % 25 == 0 else rng.randint(2, 8)), context.today
                ),
                findings=(
                    "Daily heroin use, opiate dependent on assessment; no recent overdose; consents to titration."
                    if group == SubstanceGroup.OPIATE
                    else "Alcohol dependent (AUDIT 28, SADQ 32); withdrawal history without seizures."
                ),
                children_in_home=index % 4 == 0,
            )
            for index, (episode, group) in enumerate(chosen)
        ]
    )
    modalities = _modalities(context, chosen, assessments, team, waiting)
    signed = dict(
        PlanVersion.objects.filter(plan__episode__in=[e for e, _ in chosen], status=VersionStatus.SIGNED).values_list(
            "plan__episode_id", "pk"
        )
    )
    keyworkers = dict(
        Allocation.objects.filter(episode__in=[e for e, _ in chosen], ended_on__isnull=True).values_list(
            "episode_id", "keyworker_id"
        )
    )
    storage, first_doses, later_doses, steps, tests = [], [], [], [], []
    for index, ((episode, group), assessment) in enumerate(zip(chosen, assessments, strict=True)):
        starts_on = assessment.assessed_on
        pharmacy = pharmacies[index % len(pharmacies)]
        if assessment.children_in_home:
            declined = index % 8 == 0
            storage.append(
                SafeStorage(
                    person=episode.person,
                    offered_on=starts_on,
                    outcome=SafeStorageOutcome.DECLINED if declined else SafeStorageOutcome.ISSUED,
                    declined_reason="Already has a locked medicine cabinet" if declined else "",
                    recorded_by=prescriber,
                )
            )
        if group == SubstanceGroup.OPIATE:
            drug = medication["MET"] if index % 3 else medication["BUP"]
            dose = Decimal(rng.choice([20, 30, 40])) if drug.code == "MET" else Decimal(rng.choice([4, 8]))
            regime = Regime.STABILISATION
        else:
            drug, dose, regime = medication["ACA"], Decimal("666"), Regime.RELAPSE_PREVENTION
        change_on = starts_on + timedelta(days=rng.randint(7, 21))
        first = Prescription(
            person=episode.person,
            episode=episode,
            clinical_assessment=assessment,
            medication=drug,
            dose=dose,
            unit=drug.unit,
            regime=regime,
            dispensing_interval_days=1,
            supervised=True,
            pharmacy=pharmacy,
            starts_on=starts_on,
            ends_on=change_on - timedelta(days=1) if change_on <= context.today else None,
            prescriber=prescriber,
            modality=modalities.get(episode.pk),
        )
        first_doses.append(first)
        if change_on <= context.today and group == SubstanceGroup.OPIATE:
            reducing = index % 5 == 0
            later_doses.append(
                (
                    first,
                    Prescription(
                        person=episode.person,
                        episode=episode,
                        clinical_assessment=assessment,
                        medication=drug,
                        dose=dose + (0 if reducing else (10 if drug.code == "MET" else 4)),
                        unit=drug.unit,
                        regime=Regime.REDUCTION if reducing else Regime.MAINTENANCE,
                        dispensing_interval_days=7 if index % 2 else 1,
                        supervised=not (index % 2),
                        pharmacy=pharmacy,
                        starts_on=change_on,
                        review_on=context.today + timedelta(days=rng.randint(-3, 28)),
                        prescriber=prescriber,
                        modality=modalities.get(episode.pk),
                    ),
                )
            )
        elif first.ends_on is not None:
            first.ends_on = None
        tested_on = starts_on + timedelta(days=rng.randint(0, 10))
        # A test's rationale sits in the recovery plan (SPEC 10.4): only episodes with a signed plan are tested.
        if tested_on <= context.today and signed.get(episode.pk):
            tests.append(
                (
                    DrugTest(
                        person=episode.person,
                        episode=episode,
                        tested_on=tested_on,
                        sample_type=SampleType.ORAL_FLUID if group == SubstanceGroup.OPIATE else SampleType.BREATH,
                        purpose="Baseline before titration" if group == SubstanceGroup.OPIATE else "Abstinence check",
                        rationale="Recovery plan: testing evidences progress towards stopping illicit use",
                        plan_version_id=signed.get(episode.pk),
                        collected_at=_at(tested_on, 9 + index % 7, 5 * (index % 12)),
                        # Every tenth test made, the first included: even a small demo shows a custody trail.
                        chain_of_custody=len(tests) % 10 == 0,
                        recorded_by=prescriber,
                    ),
                    group,
                )
            )
    SafeStorage.objects.bulk_create(storage)
    Prescription.objects.bulk_create(first_doses)
    for first, later in later_doses:
        later.supersedes = first
    Prescription.objects.bulk_create([later for _, later in later_doses])
    for _, later in later_doses:
        if later.regime == Regime.REDUCTION:
            for week in (2, 4, 6):
                steps.append(
                    PlannedStep(
                        prescription=later,
                        from_date=later.starts_on + timedelta(weeks=week),
                        dose=max(later.dose - week * (5 if later.unit == "ml" else 1), Decimal("0")),
                    )
                )
    PlannedStep.objects.bulk_create(steps)
    DrugTest.objects.bulk_create([test for test, _ in tests])
    tested_links, results = [], []
    for index, (test, group) in enumerate(tests):
        codes = ["1011", "3201", "2200"] if group == SubstanceGroup.OPIATE else ["5000"]
        for code in codes:
            tested_links.append(DrugTest.substances_tested.through(drugtest=test, substance=substances[code]))
            positive = code == "1011" and index % 3 == 0
            results.append(
                DrugTestResult(
                    test=test,
                    substance=substances[code],
                    result=TestResult.POSITIVE if positive else TestResult.NEGATIVE,
                    lab_confirmed=positive and test.chain_of_custody,
                )
            )
    DrugTest.substances_tested.through.objects.bulk_create(tested_links)
    DrugTestResult.objects.bulk_create(results)
    CustodyEvent.objects.bulk_create(_custody_trails([test for test, _ in tests], prescriber))
    _detox_and_referrals(context, chosen, assessments, prescriber, medication)
    _shared_care(context, later_doses, keyworkers, prescriber)


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _custody_trails(tests, prescriber):
    """Every sample's collection; a chain-of-custody sample is also sealed, sent by courier and received by the
    laboratory the next morning (those steps only once their time has come)."""
    now = timezone.now()
    collector = prescriber.get_full_name() or prescriber.get_username()
    events = []
    for test in tests:
        steps = [(CustodyStep.COLLECTED, test.collected_at, collector)]
        if test.chain_of_custody:
            steps += [
                (CustodyStep.SEALED, test.collected_at + timedelta(minutes=5), collector),
                (CustodyStep.SENT, test.collected_at + timedelta(hours=3), "City Couriers"),
                (CustodyStep.RECEIVED, _at(test.tested_on + timedelta(days=1), 9), "Regional toxicology laboratory"),
            ]
        events += [
            CustodyEvent(test=test, step=step, at=at, by=by, recorded_by=prescriber)
            for step, at, by in steps
            if at <= now
        ]
    return events


def _detox_and_referrals(context, chosen, assessments, prescriber, medication):
    """Every third alcohol-dependent person has a home detox (chlordiazepoxide reducing over a week) as its own
    modality; one in two of the rest is referred on to inpatient detox or rehab, funded by FACS or a personal budget."""
    intervention = Intervention.objects.get(code="HDETOX")
    home = ModalitySetting.objects.get(code="6")
    alcohol = [
        (episode, assessment)
        for (episode, group), assessment in zip(chosen, assessments, strict=True)
        if group == SubstanceGroup.ALCOHOL
    ]
    detox = [(episode, assessment) for index, (episode, assessment) in enumerate(alcohol) if index % 3 == 0]
    # A detox modality the plans demo left open (referred by the start of the detox) is reused.
    existing = {}
    for modality in Modality.objects.filter(
        episode__in=[episode for episode, _ in detox], intervention__code__in=DETOX_CODES, ended_on__isnull=True
    ).select_related("intervention"):
        existing.setdefault(modality.episode_id, modality)
    reused = {
        episode.pk: existing[episode.pk]
        for episode, assessment in detox
        if episode.pk in existing and existing[episode.pk].referred_on <= assessment.assessed_on
    }
    made = Modality.objects.bulk_create(
        [
            Modality(
                episode=episode,
                modality_type_id=intervention.modality_type_id,
                setting=home,
                intervention=intervention,
                provider_team=context.teams["Prescribing"],
                provider="Prescribing",
                referred_on=assessment.assessed_on,
                started_on=assessment.assessed_on,
                referred_by=context.staff["assessor.arm"],
            )
            for episode, assessment in detox
            if episode.pk not in reused
        ]
    )
    made_by_episode = {modality.episode_id: modality for modality in made}
    detox_modalities = [reused.get(episode.pk) or made_by_episode[episode.pk] for episode, _ in detox]
    plans = DetoxPlan.objects.bulk_create(
        [
            DetoxPlan(
                person=episode.person,
                episode=episode,
                modality=modality,
                setting=DETOX_CODES.get(modality.intervention.code, DetoxSetting.HOME),
                planned_start=assessment.assessed_on,
                planned_end=assessment.assessed_on + timedelta(days=6),
                notes="Daily home visit by the detox support worker; thiamine throughout.",
                support_worker=context.staff["keyworker"],
                recorded_by=prescriber,
            )
            for (episode, assessment), modality in zip(detox, detox_modalities, strict=True)
        ]
    )
    DetoxStep.objects.bulk_create(
        [
            DetoxStep(
                plan=plan, from_date=plan.planned_start + timedelta(days=day), medication=medication["CDP"], dose=dose
            )
            for plan in plans
            for day, dose in ((0, Decimal("20")), (2, Decimal("15")), (4, Decimal("10")), (6, Decimal("5")))
        ]
    )
    referred = [row for index, row in enumerate(alcohol) if index % 4 in (0, 1)]
    ResidentialReferral.objects.bulk_create(
        [
            ResidentialReferral(
                person=episode.person,
                episode=episode,
                kind=ResidentialKind.INPATIENT_DETOX if index % 2 else ResidentialKind.RESIDENTIAL_REHAB,
                provider="Ocean Ward inpatient detox unit" if index % 2 else "Bridge House rehab",
                funding_route=FundingRoute.FACS if index % 2 else FundingRoute.PERSONAL_BUDGET,
                referred_on=min(assessment.assessed_on + timedelta(days=14), context.today),
                recorded_by=prescriber,
            )
            for index, (episode, assessment) in enumerate(referred)
        ]
    )


def _shared_care(context, later_doses, keyworkers, prescriber):
    """Some people stable on maintenance for three months have moved to GP shared care; their keyworker keeps
    the reviews."""
    stable = [
        later
        for _, later in later_doses
        if later.regime == Regime.MAINTENANCE
        and later.episode_id in keyworkers
        and (context.today - later.starts_on).days > 90
    ][::4]
    SharedCareTransfer.objects.bulk_create(
        [
            SharedCareTransfer(
                person_id=later.person_id,
                episode_id=later.episode_id,
                gp_practice=context.rng.choice(["Shirley Health Partnership", "Portswood Surgery", "Woolston Lodge"]),
                agreed_criteria="Stable dose for 3 months, no illicit use in tests, engaging with the plan.",
                transferred_on=later.starts_on + timedelta(days=90),
                review_keyworker_id=keyworkers[later.episode_id],
                next_review_on=later.starts_on + timedelta(days=180),
                recorded_by=prescriber,
            )
            for later in stable
        ]
    )
