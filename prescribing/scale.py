"""Clinical assessments, scripts with their dose history, safe storage and drug tests for `seed_scale`
(core.scale), on the prescribing and community detox modalities the recovery plans app made in the chunk.

Most people in treatment for opiates are prescribed an opioid substitute (OHID, adult treatment statistics: about
eight in ten of the opiate group receive opioid substitution therapy); here every opiate episode is referred to
prescribing (recovery_plans.scale) and each one that started has a script from its first day, after a clinical
assessment that day by one of the area's prescribers. Methadone is the most common (about seven in ten),
buprenorphine most of the rest, a few the prolonged-release injection.

A script starts supervised daily at a titration dose, moves to maintenance after two to four weeks, and changes
every few months (dose, or take-home doses once stable). A planned exit ends on a reducing script with its steps.
Each change is a new row that supersedes the last, which ends the day before, as the pages write them; the last
ends with the modality, or is open with its next review within the coming eight weeks (a few overdue), so the
prescriber's clinic has reviews and dispensing days to show. A community alcohol detox is a week of
chlordiazepoxide, reducing.

The prescribing team becomes involved with the person (so its prescribers see them). Safe storage is offered when
children live at home, and most accept a box. Each opiate script has a baseline oral fluid test at its start and,
while it runs, a recent test linked to the signed recovery plan.
"""

from datetime import timedelta

from core.bulk import reserve_ids
from core.models import Substance
from core.scale import Weighted, between
from prescribing.choices import CustodyStep, Regime, SafeStorageOutcome, SampleType, TestResult
from prescribing.models import (
    ClinicalAssessment,
    CustodyEvent,
    DrugTest,
    DrugTestResult,
    Medication,
    Pharmacy,
    PlannedStep,
    Prescription,
    SafeStorage,
)
from prescribing.waits import refresh_start_due
from recovery_plans.models import Modality
from referrals.models import TeamInvolvement

PHARMACIES_PER_AREA = 6
# (titration dose, maintenance doses, change) by medication; doses in the medication's unit.
OPIOID_SUBSTITUTES = {"MET": 70, "BUP": 24, "BUPPR": 4, "BUPNX": 2}
DOSES = {"MET": ((20, 30), (50, 100), 10), "BUP": ((4, 8), (8, 16), 2), "BUPNX": ((4, 8), (8, 16), 2)}
DOSES["BUPPR"] = ((96, 96), (96, 128), 32)
TITRATION_DAYS = (14, 28)
CHANGE_EVERY = (90, 240)
REDUCING_DAYS = (28, 90)
REVIEW_AFTER = (28, 84)
OPEN_REVIEW = (-10, 56)  # days from today: a few reviews are overdue
TAKE_HOME_AFTER = 90  # days on the script before some move to weekly take-home doses
TAKE_HOME_SHARE = 0.5
DETOX_DAYS = 6
DETOX_STEPS = ((0, 20), (2, 15), (4, 10), (6, 5))
SAFE_STORAGE_DECLINED = 0.12
OPIATE_FINDINGS = "Daily heroin use, opiate dependent on assessment; no recent overdose; consents to titration."
ALCOHOL_FINDINGS = "Alcohol dependent (AUDIT 28, SADQ 32); withdrawal history without seizures."
RATIONALE = "Recovery plan: testing evidences progress towards stopping illicit use"
# Plain strings once: a TextChoices member read per row costs an enum lookup each time.
STABILISATION, MAINTENANCE, REDUCTION = str(Regime.STABILISATION), str(Regime.MAINTENANCE), str(Regime.REDUCTION)
WITHDRAWAL = str(Regime.WITHDRAWAL)
POSITIVE, NEGATIVE = str(TestResult.POSITIVE), str(TestResult.NEGATIVE)
ORAL_FLUID, COLLECTED = str(SampleType.ORAL_FLUID), str(CustodyStep.COLLECTED)
ISSUED, DECLINED = str(SafeStorageOutcome.ISSUED), str(SafeStorageOutcome.DECLINED)


def _reference(context):
    def make():
        medications = {code: (pk, unit) for code, pk, unit in Medication.objects.values_list("code", "pk", "unit")}
        substances = dict(Substance.objects.filter(code__in=["1011", "3201"]).values_list("code", "pk"))
        return {
            "medications": medications,
            "substitutes": Weighted(list(OPIOID_SUBSTITUTES), OPIOID_SUBSTITUTES.values()),
            "heroin": substances["1011"],
            "crack": substances["3201"],
            "pharmacies": {},
        }

    return context.lookup("prescribing", make)


def _pharmacies(chunk, ref, area) -> list[int]:
    """The area's community pharmacies, made the first time one of its people is prescribed for."""
    made = ref["pharmacies"]
    if area.number not in made:
        ids = reserve_ids(Pharmacy, PHARMACIES_PER_AREA)
        table = chunk.table(Pharmacy, ["id", "name", "ods_code", "address"])
        for number, pk in enumerate(ids, start=1):
            table.add(pk, f"Pharmacy {area.number:03d}-{number}", f"F{area.number:03d}{number}", "High Street")
        made[area.number] = ids
    return made[area.number]


def after_load():
    """The prescribing due date of every modality loaded, by the application's one rule (one UPDATE)."""
    refresh_start_due(Modality.objects.all())


def build(chunk):
    pharmacological = chunk.shared.get("pharmacological", [])
    if not pharmacological:
        return
    context = chunk.context
    ref = _reference(context)
    episodes = {episode.id: episode for episode in chunk.episodes}
    writer = _Scripts(chunk, ref)
    for episode_id, modality_id, code, referred, started, ended in pharmacological:
        if started is None:
            continue  # still waiting (the prescribing waits page), or discharged before it started
        writer.add(episodes[episode_id], modality_id, code, referred, started, ended)


class _Scripts:
    def __init__(self, chunk, ref):
        self.chunk, self.ref = chunk, ref
        self.rng, self.today = chunk.context.rng, chunk.context.today
        self.children_at_home = chunk.shared.get("children_at_home", set())
        self.signed_version = chunk.shared.get("signed_version", {})
        self.involved = chunk.shared.setdefault("involved", set())
        self.involvements = chunk.table(TeamInvolvement, ["person_id", "team_id", "since", "reason"])
        self.assessments = chunk.table(
            ClinicalAssessment,
            ["id", "person_id", "episode_id", "prescriber_id", "assessed_on", "findings", "children_in_home"],
        )
        self.scripts = chunk.table(
            Prescription,
            [
                "id",
                "person_id",
                "episode_id",
                "clinical_assessment_id",
                "modality_id",
                "medication_id",
                "dose",
                "unit",
                "regime",
                "dispensing_interval_days",
                "supervised",
                "pharmacy_id",
                "starts_on",
                "ends_on",
                "review_on",
                "prescriber_id",
                "supersedes_id",
            ],
        )
        self.steps = chunk.table(PlannedStep, ["prescription_id", "from_date", "dose"])
        self.storage = chunk.table(
            SafeStorage, ["person_id", "offered_on", "outcome", "declined_reason", "advice_given", "recorded_by_id"]
        )
        self.tests = chunk.table(
            DrugTest,
            [
                "id",
                "person_id",
                "episode_id",
                "tested_on",
                "sample_type",
                "purpose",
                "rationale",
                "plan_version_id",
                "collected_at",
                "chain_of_custody",
                "recorded_by_id",
            ],
        )
        self.tested = chunk.table(DrugTest.substances_tested.through, ["drugtest_id", "substance_id"])
        self.results = chunk.table(DrugTestResult, ["test_id", "substance_id", "result", "lab_confirmed"])
        self.custody = chunk.table(CustodyEvent, ["test_id", "step", "at", "by", "recorded_by_id"])

    def add(self, episode, modality_id, code, referred, started, ended):
        rng, area = self.rng, episode.area
        prescriber = rng.choice(area.prescribers)
        if (episode.person_id, area.prescribing) not in self.involved:
            self.involved.add((episode.person_id, area.prescribing))
            self.involvements.add(episode.person_id, area.prescribing, referred, "pharmacological modality")
        assessment_id = self._next_id(ClinicalAssessment)
        children = episode.id in self.children_at_home
        opiate = code == "PRESC"
        self.assessments.add(
            assessment_id,
            episode.person_id,
            episode.id,
            prescriber,
            started,
            OPIATE_FINDINGS if opiate else ALCOHOL_FINDINGS,
            children,
        )
        segments = self._opioid_segments(episode, started, ended) if opiate else self._detox(started, ended)
        pharmacy = rng.choice(_pharmacies(self.chunk, self.ref, area))
        previous = None
        for number, (starts, regime, medication, dose, interval, supervised, steps) in enumerate(segments):
            last = number == len(segments) - 1
            ends = (segments[number + 1][0] - timedelta(days=1)) if not last else ended
            if last and not opiate and ends is None:
                ends = starts + timedelta(days=DETOX_DAYS)
            if ends is None:
                review = self.today + timedelta(days=between(rng, *OPEN_REVIEW))
            else:
                review = min(starts + timedelta(days=between(rng, *REVIEW_AFTER)), ends)
            pk = self._next_id(Prescription)
            medication_id, unit = self.ref["medications"][medication]
            self.scripts.add(
                pk,
                episode.person_id,
                episode.id,
                assessment_id,
                modality_id,
                medication_id,
                dose,
                unit,
                regime,
                interval,
                supervised,
                pharmacy,
                starts,
                ends,
                review,
                prescriber,
                previous,
            )
            for day, step_dose in steps:
                self.steps.add(pk, day, step_dose)
            previous = pk
        if children:
            declined = rng.random() < SAFE_STORAGE_DECLINED
            self.storage.add(
                episode.person_id,
                started,
                DECLINED if declined else ISSUED,
                "Already has a locked medicine cabinet" if declined else "",
                True,
                prescriber,
            )
        if opiate:
            self._test(episode, started, prescriber, baseline=True)
            if ended is None and episode.id in self.signed_version:
                recent = self.today - timedelta(days=between(rng, 0, 60))
                if recent > started:
                    self._test(episode, recent, prescriber, baseline=False)

    def _opioid_segments(self, episode, started, ended):
        """(starts, regime, medication, dose, dispensing interval, supervised, planned steps) of each row."""
        rng = self.rng
        medication = self.ref["substitutes"].pick(rng)
        titration, maintenance, change = DOSES[medication]
        interval = 28 if medication == "BUPPR" else 1
        until = ended or self.today
        segments = [(started, STABILISATION, medication, between(rng, *titration), interval, True, ())]
        day = started + timedelta(days=between(rng, *TITRATION_DAYS))
        dose = between(rng, *maintenance)
        while day <= until:
            take_home = interval != 28 and (day - started).days > TAKE_HOME_AFTER and rng.random() < TAKE_HOME_SHARE
            segments.append(
                (day, MAINTENANCE, medication, dose, 7 if take_home else interval, not take_home or interval == 28, ())
            )
            day += timedelta(days=between(rng, *CHANGE_EVERY))
            dose = max(maintenance[0], min(maintenance[1], dose + rng.choice((-change, change))))
        if ended and episode.outcome == "successful":
            reducing = max(segments[-1][0] + timedelta(days=1), ended - timedelta(days=between(rng, *REDUCING_DAYS)))
            if reducing <= ended:
                steps = []
                step_dose, step_day = dose, reducing + timedelta(days=14)
                while step_day <= ended and step_dose > change:
                    step_dose -= change
                    steps.append((step_day, step_dose))
                    step_day += timedelta(days=14)
                segments.append((reducing, REDUCTION, medication, dose, interval, True, tuple(steps)))
        return segments

    def _detox(self, started, ended):
        steps = tuple((started + timedelta(days=day), dose) for day, dose in DETOX_STEPS[1:])
        if ended is not None:
            steps = tuple(step for step in steps if step[0] <= ended)
        return [(started, WITHDRAWAL, "CDP", DETOX_STEPS[0][1], 1, False, steps)]

    def _test(self, episode, on, prescriber, *, baseline):
        rng = self.rng
        pk = self._next_id(DrugTest)
        collected = f"{on.isoformat()} {between(rng, 9, 16):02d}:{rng.choice((0, 20, 40)):02d}:00+00"
        self.tests.add(
            pk,
            episode.person_id,
            episode.id,
            on,
            ORAL_FLUID,
            "Baseline before titration" if baseline else "Progress check",
            RATIONALE,
            None if baseline else self.signed_version[episode.id],
            collected,
            False,
            prescriber,
        )
        for substance, positive in (
            (self.ref["heroin"], 0.9 if baseline else 0.25),
            (self.ref["crack"], 0.5 if baseline else 0.2),
        ):
            self.tested.add(pk, substance)
            self.results.add(pk, substance, POSITIVE if rng.random() < positive else NEGATIVE, False)
        self.custody.add(pk, COLLECTED, collected, "The prescriber", prescriber)

    def _next_id(self, model):
        """Ids a block at a time from the table's sequence (how many a chunk needs is not known ahead)."""
        block = self.chunk.shared.setdefault(("ids", model), [])
        if not block:
            block.extend(reversed(reserve_ids(model, 1000)))
        return block.pop()
