"""Demo prescribing: clinical assessments and scripts with dose history for people with opiate or alcohol
dependence, safe storage, tests, and a couple of late starts. Runs after the plans demo; bulk inserts only."""

from datetime import timedelta
from decimal import Decimal

from core.calendar import add_working_days
from core.choices import SubstanceGroup
from core.models import Substance
from prescribing.choices import Regime, SafeStorageOutcome, SampleType, TestResult
from prescribing.models import (
    ClinicalAssessment,
    DrugTest,
    DrugTestResult,
    Medication,
    Pharmacy,
    PlannedStep,
    Prescription,
    SafeStorage,
)
from referrals.models import Episode, TeamInvolvement

PHARMACIES = [
    ("Shirley Road Pharmacy", "FA101", "12 Shirley Road, Southampton SO15 3EU"),
    ("Portswood Pharmacy", "FA102", "160 Portswood Road, Southampton SO17 2NJ"),
    ("Bitterne Precinct Pharmacy", "FA103", "3 Bitterne Precinct, Southampton SO18 5DX"),
    ("Woolston Pharmacy", "FA104", "41 Portsmouth Road, Southampton SO19 9AE"),
]
MAX_PEOPLE = 120


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


def seed(context):
    rng = context.rng
    prescriber = context.staff["prescriber"]
    team = context.teams["Prescribing"]
    pharmacies = [
        Pharmacy.objects.get_or_create(ods_code=code, defaults={"name": name, "address": address})[0]
        for name, code, address in PHARMACIES
    ]
    medication = {m.code: m for m in Medication.objects.all()}
    substances = {s.code: s for s in Substance.objects.filter(code__in=["1011", "3201", "2200", "5000"])}
    chosen = list(_dependent_episodes(context))
    if not chosen:
        return
    TeamInvolvement.objects.bulk_create(
        [
            TeamInvolvement(
                person=episode.person, team=team, since=episode.opened_on, reason="pharmacological modality"
            )
            for episode, _ in chosen
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
                    ),
                )
            )
        elif first.ends_on is not None:
            first.ends_on = None
        tested_on = starts_on + timedelta(days=rng.randint(0, 10))
        if tested_on <= context.today:
            tests.append(
                (
                    DrugTest(
                        person=episode.person,
                        episode=episode,
                        tested_on=tested_on,
                        sample_type=SampleType.ORAL_FLUID if group == SubstanceGroup.OPIATE else SampleType.BREATH,
                        purpose="Baseline before titration" if group == SubstanceGroup.OPIATE else "Abstinence check",
                        rationale="Recovery plan: testing evidences progress towards stopping illicit use",
                        chain_of_custody=index % 10 == 0,
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
