"""Transfer-of-care import (domain.md 6 and 6b): a whole file goes in, or nothing does.

`import_file` reads and checks every row first (`validate.read_file`); only a file without a single problem is
written, in one transaction, in bulk (COPY), creating record by record what 6b lists. People are matched by
CLIENTID; a new person whose initials, date of birth and sex match someone already here is created and flagged
for a data admin to merge (a task), never merged. An episode whose EPISODID is already held here is left as it
is, so importing the same file twice changes nothing. A dry run does the same work and rolls it back.
"""

import hashlib
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from operator import attrgetter

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField
from django.utils import timezone

from assessment.choices import Pregnancy
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
from assessment.services import START
from core import audit
from core import models as core
from core.bulk import CopyBehind, copy_statement, reserve_ids
from core.choices import AuditAction, Role, TeamKind
from core.models import Team
from harm_reduction.choices import BbvTestKind, HepBOffer
from harm_reduction.models import BbvTest, HepBCourse, HepBDose
from prescribing.waits import PHARMACOLOGICAL, refresh_start_due_of_people
from recovery_plans.models import (
    Intervention,
    Modality,
    ModalityReview,
    PlanReview,
    PlanVersion,
    RecoveryPlan,
    VersionStatus,
)
from referrals.choices import ContactMethod, OrderKind, PartnerAgency, ReferralStatus, TaskKind
from referrals.models import (
    Allocation,
    CommunityOrder,
    ContactAttempt,
    Episode,
    PartnerInvolvement,
    Person,
    Referral,
    Task,
    TeamInvolvement,
)
from referrals.services.intake import CLOSURE_OUTCOMES, SERVICE_TEAM_KIND, first_contact_due, service_for
from reporting.returns.columns import NA
from reporting.returns.identities import any_of
from reporting.returns.validate import (
    CLOSURE_OUTCOME,
    INDEX,
    PERSON_FIELDS,
    ParsedFile,
    Problem,
    read_file,
    read_rows,
)

TRANSFERRED_RECORDS_USERNAME = "transferred.records"
ID_BLOCK = 2000
# Records are written (COPY) after every this many people, inside the one transaction.
PEOPLE_PER_WRITE = 1000
# People whose prescribing due dates are stored by one UPDATE (a bounded list of ids per statement).
CLOCKED_PEOPLE_BLOCK = 5000
# The file has no reason for a modality closed without a start; the model asks for one.
CLOSED_WITHOUT_START = "Closed without a start by the previous provider (transfer of care)."
# The file does not carry a community order's length (docs/data-dictionary.md, import notes); the service
# requires one from 1 to 36 months.
ORDER_MONTHS_NOT_IN_FILE = 12
PREGNANCY = {"Y": Pregnancy.YES, "N": Pregnancy.NO, "Z": Pregnancy.DECLINED}
HEP_B_OFFER = {
    "A": HepBOffer.ACCEPTED,
    "B": HepBOffer.REFUSED,
    "C": HepBOffer.ALREADY_IMMUNISED,
    "E": HepBOffer.ACQUIRED_IMMUNITY,
    NA: HepBOffer.OFFERED,
}

TOP_WEEKLY = {
    "ALCUSE": "alcohol",
    "OPIUSE": "opiates",
    "CRAUSE": "crack",
    "COCAUSE": "cocaine",
    "AMPHUSE": "amphetamines",
    "CANNUSE": "cannabis",
    "OTDRGUSE": "other_drug",
    "IVDRGUSE": "injected",
    "SHOTHEFT": "shoplifting",
    "DRGSELL": "drug_selling",
    "OTHTHEFT": "other_theft",
    "PWORK": "paid_work",
    "EDUCAT": "education",
}
_TOP_WEEKLY_FIELDS = [
    (INDEX[name], prefix, tuple(f"{prefix}_week{week}" for week in range(1, 5))) for name, prefix in TOP_WEEKLY.items()
]
# The file has the 28-day total; the form's four weeks (0-7 each) are filled in week order.
_TOP_WEEKS = {str(total): (total, tuple(min(7, max(0, total - 7 * week)) for week in range(4))) for total in range(29)}
TOP_RATINGS = {"PSYHSTAT": "psychological_health", "PHSTAT": "physical_health", "QUALLIFE": "quality_of_life"}
TOP_YES_NO = {"SHARING": "sharing", "ASSAULT": "assault", "ACUTHPBM": "acute_housing_problem", "HRISK": "housing_risk"}
_TOP_RATINGS = [(INDEX[name], prefix) for name, prefix in TOP_RATINGS.items()]
_TOP_YES_NO = [(INDEX[name], prefix) for name, prefix in TOP_YES_NO.items()]
# The order records are written in (each after what it refers to); the report counts them by these names.
KINDS = [
    ("people", Person),
    ("referrals", Referral),
    ("team involvements", TeamInvolvement),
    ("contacts", ContactAttempt),
    ("episodes", Episode),
    ("assessments", Assessment),
    ("assessment substances", AssessmentSubstance),
    ("allocations", Allocation),
    ("partner involvements", PartnerInvolvement),
    ("community orders", CommunityOrder),
    ("recovery plans", RecoveryPlan),
    ("plan versions", PlanVersion),
    ("plan reviews", PlanReview),
    ("modalities", Modality),
    ("sub-intervention reviews", ModalityReview),
    ("TOPs", Top),
    ("hepatitis B courses", HepBCourse),
    ("hepatitis B doses", HepBDose),
    ("BBV tests", BbvTest),
    ("possible duplicate tasks", Task),
]


@dataclass
class ImportReport:
    rows: int = 0
    dry_run: bool = False
    checksum: str = ""
    problems: list[dict] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    people_matched: int = 0
    episodes_already_held: int = 0
    possible_duplicates: list[dict] = field(default_factory=list)
    staff_created: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    def as_dict(self) -> dict:
        return {**asdict(self), "refused": self.refused}


class _Rollback(Exception):
    """Ends a dry run's transaction once its report is made."""


@lru_cache(maxsize=8192)
def _first_contact_due(received_on: date) -> date:
    return first_contact_due(received_on)


def _day(value: str) -> date | None:
    return None if value == NA else date.fromisoformat(value)


def _checksum(stream) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def import_file(
    stream, *, actor=None, create_staff: bool = False, dry_run: bool = False, progress=None
) -> ImportReport:
    """Import a transfer-of-care file from a binary stream (seekable). `progress(percent)` is told how far it got."""
    progress = progress or (lambda percent: None)
    report = ImportReport(dry_run=dry_run, checksum=_checksum(stream))
    parsed = read_file(stream, importing=True, create_staff=create_staff)
    report.rows = parsed.checker.row_count if parsed.checker else 0
    if parsed.problems:
        report.problems = [problem.as_dict() for problem in parsed.problems]
        return report
    progress(30)
    try:
        with transaction.atomic():
            # Each COPY's foreign keys are checked as it ends, while its rows and those they name are in memory,
            # rather than all of them when the transaction commits (the constraints are deferred).
            _check_constraints("IMMEDIATE")
            _Writer(parsed, report, actor=actor, create_staff=create_staff, progress=progress).write(stream)
            if dry_run:
                raise _Rollback
            _numbering_continues_after(parsed)
            # Last, as it holds the audit chain's lock until the commit, which has nothing left to check.
            audit.append_staged()
            audit.record(
                AuditAction.CREATE,
                actor=actor,
                object_type="reporting.TransferImport",
                details={"checksum": report.checksum, "rows": report.rows, "created": report.created},
            )
            _check_constraints("DEFERRED")  # as they were, for the rest of an enclosing transaction
    except _Rollback:
        pass
    except _WriteRefused as refused:
        report.problems = [problem.as_dict() for problem in refused.problems]
        report.created = {}
    except IntegrityError as error:
        # A rule only the database could check against what it already holds (one open episode per person).
        reason = str(error).splitlines()[0]
        report.problems = [
            Problem(1, "file", f"The database refused the file, so nothing was imported: {reason}").as_dict()
        ]
        report.created = {}
    progress(100)
    return report


def _check_constraints(when: str):
    with connection.cursor() as cursor:
        cursor.execute({"IMMEDIATE": "SET CONSTRAINTS ALL IMMEDIATE", "DEFERRED": "SET CONSTRAINTS ALL DEFERRED"}[when])


class _WriteRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(problems[0].reason)
        self.problems = problems


class _Writer:
    def __init__(self, parsed: ParsedFile, report: ImportReport, *, actor, create_staff: bool, progress):
        self.parsed, self.report, self.actor, self.create_staff, self.progress = (
            parsed,
            report,
            actor,
            create_staff,
            progress,
        )
        self.new: dict[type, list] = defaultdict(list)
        self._pools: dict[type, list[int]] = defaultdict(list)
        self._taken: dict[type, int] = defaultdict(int)
        self._tables: dict[type, _Table] = {}
        self._involved: set[tuple[int, int]] = set()
        # People given a prescribing modality or a DRR order: their modalities' due dates are stored once written.
        self.clocked_people: set[int] = set()
        self.codes = {
            model: dict(model.objects.values_list("code", "pk"))
            for model in (
                core.Sex,
                core.Ethnicity,
                core.ReferralSource,
                core.Substance,
                core.Route,
                core.InjectingStatus,
                core.DischargeReason,
                core.ModalityType,
                core.ModalitySetting,
                core.ModalityExitStatus,
                core.TreatmentStage,
                AccommodationNeed,
                EmploymentStatus,
                ParentalStatus,
                ChildrenLivingWith,
                DualDiagnosis,
            )
        }

    def make(self, model, **values):
        """A new row of `model` as a plain record: what `copy_rows` writes, without building a model instance
        (for a whole caseload, building them took most of the import's time). Starts from the values a new
        instance would have; a related object given by field name is stored by its id."""
        table = self._tables.get(model)
        if table is None:
            table = self._tables[model] = _Table(model)
        for name in table.relations.keys() & values.keys():
            value = values.pop(name)
            values[table.relations[name]] = None if value is None else value.pk
        record = _Record()
        record.__dict__ = {**table.defaults, **values}
        return record

    def ids(self, obj):
        """Give a new record its primary key now (from blocks reserved from its sequence), so the rows that refer
        to it can be built before anything is written."""
        model = obj._meta.model
        pool = self._pools[model]
        if not pool:
            # The connection is the copier's while it writes a batch (rarely needed: `_top_up` fills the pools).
            self.copier.wait()
            pool.extend(reversed(reserve_ids(model, ID_BLOCK)))
        self._taken[model] += 1
        obj.pk = pool.pop()
        return obj

    def _top_up(self):
        """Between batches, while the connection is free: ids for a batch like the last one, so that building the
        next asks the database nothing while the last is written."""
        for model, taken in self._taken.items():
            pool = self._pools[model]
            wanted = taken + taken // 4 - len(pool)
            if wanted > 0:
                pool[:0] = reversed(reserve_ids(model, wanted))
        self._taken.clear()

    def code(self, model, value: str):
        return None if value == NA else self.codes[model][value]

    # Staff and teams -----------------------------------------------------------------------------------

    def _accounts(self):
        User = get_user_model()
        self.transferred, _ = User.objects.get_or_create(
            username=TRANSFERRED_RECORDS_USERNAME,
            defaults={"first_name": "Transferred", "last_name": "records", "is_active": False},
        )
        wanted = self.parsed.keyworkers
        self.staff = {user.username: user for user in User.objects.filter(username__in=wanted)}
        keyworkers = Group.objects.get(name=Role.KEYWORKER.label)
        for username in sorted(wanted - set(self.staff)):
            # Staff who transfer with the contract: an account to hold their caseload, inactive until set up.
            user = User.objects.create(username=username, is_active=False)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(keyworkers)
            self.staff[username] = user
            self.report.staff_created.append(username)
        self.teams = {
            kind: Team.objects.filter(kind=kind, active=True).order_by("id").first()
            for kind in (TeamKind.ARM, TeamKind.ESAP, TeamKind.DELIVERY)
        }
        member_of = defaultdict(list)
        for team_id, user_id in Team.members.through.objects.filter(
            team__kind=TeamKind.DELIVERY, team__active=True, user__in=list(self.staff.values())
        ).values_list("team_id", "user_id"):
            member_of[user_id].append(team_id)
        self.delivery_team_of = {user_id: min(teams) for user_id, teams in member_of.items()}
        self.interventions = {}
        for intervention in Intervention.objects.filter(active=True).order_by("sort_order", "code"):
            self.interventions.setdefault(intervention.modality_type_id, intervention.pk)

    # Grouping the rows ----------------------------------------------------------------------------------

    def _batches(self, stream):
        """The file's rows again, a batch of people at a time: a person is complete once the line `read_file`
        saw last for them is read. A file in 6b's order (by CLIENTID) holds one batch in memory, never the file;
        rows in any other order are still read right, holding their people until each is complete."""
        last_line = self.parsed.last_line
        client = INDEX["CLIENTID"]
        waiting: dict[str, list] = {}
        batch = []
        for line, row in read_rows(stream, self.parsed):
            rows = waiting.setdefault(row[client], [])
            rows.append((line, row))
            if last_line[row[client]] == line:
                batch.append(waiting.pop(row[client]))
                if len(batch) == PEOPLE_PER_WRITE:
                    yield batch
                    batch = []
        if batch:
            yield batch

    def _group(self, batch):
        """person CLIENTID -> {EPISODID -> [rows]} with the TOP rows apart; the first line of each."""
        self.people: dict[str, dict[str, list]] = {}
        self.tops: dict[str, list] = defaultdict(list)
        self.first_line: dict[str, int] = {}
        client, episode, top = INDEX["CLIENTID"], INDEX["EPISODID"], INDEX["TOPID"]
        for person in batch:
            for line, row in person:
                if row[top] != NA:
                    self.tops[row[episode]].append(row)
                    continue
                self.people.setdefault(row[client], {}).setdefault(row[episode], []).append(row)
                self.first_line.setdefault(row[client], line)
                self.first_line.setdefault(row[episode], line)

    def write(self, stream):
        self._accounts()
        checker = self.parsed.checker
        held_people = dict(
            Person.objects.filter(any_of(Person, "client_id", checker.people)).values_list("client_id", "pk")
        )
        held_episodes = set(
            Referral.objects.filter(
                any_of(Referral, "episode_id", [e for e, episode in checker.episodes.items() if episode.values])
            ).values_list("episode_id", flat=True)
        )
        self.report.people_matched = len(held_people)
        self._involved = set(
            TeamInvolvement.objects.filter(person_id__in=list(held_people.values())).values_list("person_id", "team_id")
        )
        duplicates = self._possible_duplicates([c for c in checker.people if c not in held_people])
        problems = []
        total = len(checker.people) or 1
        done = 0
        self.report.created = {name: 0 for name, _model in KINDS}
        audit.start_staging()
        with CopyBehind() as self.copier:
            for batch in self._batches(stream):
                self._group(batch)
                for client_id, episodes in self.people.items():
                    pending = {e: rows for e, rows in episodes.items() if e not in held_episodes}
                    self.report.episodes_already_held += len(episodes) - len(pending)
                    if client_id in held_people:
                        if not pending:
                            continue
                        self.copier.wait()  # the connection is the copier's while it writes
                        person = Person.objects.get(pk=held_people[client_id])
                    else:
                        person = self._person(client_id, episodes)
                    try:
                        self._episodes(person, pending, is_new_person=client_id not in held_people)
                    except _RowProblem as problem:
                        problems.append(problem.problem)
                    if client_id in duplicates:
                        self._flag_duplicate(person, duplicates[client_id])
                done += len(batch)
                if not problems:
                    self._flush()
                self.progress(30 + int(65 * done / total))
        if problems:
            raise _WriteRefused(problems)
        self._store_start_due()
        self.progress(95)

    def _store_start_due(self):
        """The prescribing due dates of the modalities written, by the application's one rule (`refresh_start_due`,
        one UPDATE per block of people) rather than a second copy of it worked out here."""
        people = sorted(self.clocked_people)
        for start in range(0, len(people), CLOCKED_PEOPLE_BLOCK):
            refresh_start_due_of_people(people[start : start + CLOCKED_PEOPLE_BLOCK])

    def _flush(self):
        """Write what the people so far made, and let it go: memory holds the batch being written and the one
        being built, not the file's records."""
        statements = []
        for name, model in KINDS:
            objects = self.new.pop(model, [])
            if objects:
                table = self._tables[model]
                # Records that nothing refers to take their id from the table's sequence as they are written.
                columns, row = (table.columns, table.row) if objects[0].id else (table.columns_no_id, table.row_no_id)
                statements.append(copy_statement(model, columns, map(row, objects)))
                if model in (Person, Referral, Episode):
                    statements.append(
                        audit.staged_rows(
                            AuditAction.CREATE, objects, model=model, actor=self.actor, details={"import": True}
                        )
                    )
            self.report.created[name] += len(objects)
        self.copier.wait()
        self._top_up()
        self.copier.submit(statements)

    # People ---------------------------------------------------------------------------------------------

    def _person(self, client_id: str, episodes: dict[str, list]) -> Person:
        row = next(iter(episodes.values()))[0]
        value = row.__getitem__
        referred = min(date.fromisoformat(rows[0][INDEX["REFLD"]]) for rows in episodes.values())
        consent = value(INDEX["CONSENT"])
        person = self.make(
            Person,
            client_id=client_id,
            # The file carries initials only; the old provider's names arrive with the paper record.
            given_name=value(INDEX["FINITIAL"]),
            family_name=value(INDEX["SINITIAL"]),
            date_of_birth=date.fromisoformat(value(INDEX["DOB"])),
            sex_id=self.code(core.Sex, value(INDEX["SEX"])),
            ethnicity_id=self.code(core.Ethnicity, value(INDEX["ETHNIC"])),
            postcode="" if value(INDEX["PC"]) == NA else value(INDEX["PC"]),
            local_authority="" if value(INDEX["LA"]) == NA else value(INDEX["LA"]),
            gp_practice="" if value(INDEX["GPPTCE"]) == NA else value(INDEX["GPPTCE"]),
            consent_national_return=consent == "Y",
            # 6b: the consent question was asked on the person's earliest REFLD in the file.
            consent_asked_on=None if consent == NA else referred,
            created_by=self.actor,
        )
        self.new[Person].append(person)
        self.ids(person)
        return person

    def _possible_duplicates(self, client_ids: list[str]) -> dict[str, list[str]]:
        """New people whose initials, date of birth and sex match a current record here (section 6)."""
        at = [PERSON_FIELDS.index(name) for name in ("FINITIAL", "SINITIAL", "DOB", "SEX")]
        wanted = {}
        for client_id in client_ids:
            _line, values = self.parsed.checker.people[client_id]
            wanted[client_id] = tuple(values[index] for index in at)
        births = {date.fromisoformat(key[2]) for key in wanted.values()}
        held = defaultdict(list)
        for person in (
            Person.objects.filter(any_of(Person, "date_of_birth", births), merged_into__isnull=True)
            .select_related("sex")
            .only("client_id", "given_name", "family_name", "date_of_birth", "sex__code")
        ):
            key = (person.given_name[:1].upper(), person.family_name[:1].upper(), person.date_of_birth.isoformat())
            held[(*key, person.sex.code)].append(person.client_id)
        return {client_id: held[key] for client_id, key in wanted.items() if held.get(key)}

    def _flag_duplicate(self, person: Person, matches: list[str]):
        for other in matches:
            self.report.possible_duplicates.append({"client_id": person.client_id, "matches": other})
            self.new[Task].append(
                self.make(
                    Task,
                    person_id=person.pk,
                    kind=TaskKind.OTHER,
                    title=f"Possible duplicate: client {person.client_id} (transferred) and client {other} have the "
                    "same initials, date of birth and sex. Check and merge if they are one person.",
                    source_key=f"transfer-duplicate:{person.client_id}:{other}"[:100],
                )
            )

    # Episodes -------------------------------------------------------------------------------------------

    def _episodes(self, person: Person, episodes: dict[str, list], *, is_new_person: bool):
        first_episode = None
        for episode_id, rows in sorted(episodes.items(), key=lambda item: item[1][0][INDEX["REFLD"]]):
            episode = self._episode(person, episode_id, rows)
            if episode is not None and (first_episode is None or episode.opened_on < first_episode.opened_on):
                first_episode = episode
        if is_new_person:
            row = next(iter(episodes.values()))[0]
            referred = min(date.fromisoformat(rows[0][INDEX["REFLD"]]) for rows in episodes.values())
            # 6b: hepatitis answers are recorded on the person's earliest TRIAGED in the file, else earliest REFLD.
            self._hepatitis(person, row, first_episode, first_episode.opened_on if first_episode else referred)

    def _episode(self, person: Person, episode_id: str, rows: list):
        row = rows[0]
        value = lambda name: row[INDEX[name]]  # noqa: E731
        received_on = date.fromisoformat(value("REFLD"))
        try:
            service = service_for(date_of_birth=person.date_of_birth, on=received_on)
        except Exception as error:  # a DomainError: the validation already checked the age
            raise _RowProblem(Problem(self.first_line[episode_id], "DOB", str(error))) from error
        team = self.teams[SERVICE_TEAM_KIND[service]]
        if team is None:
            raise _RowProblem(
                Problem(
                    self.first_line[episode_id],
                    "REFLD",
                    f"There is no active {service.upper()} team to hold this referral: create one, then import again.",
                )
            )
        triaged = _day(value("TRIAGED"))
        closed = _day(value("XREFCLOSED"))
        contact = _day(value("XFIRSTCONTACT"))
        closing = CLOSURE_OUTCOME.get(value("XREFOUTCOME"))
        # Closed before triage (no contact, declined) is dated by its closing; at triage (BI, SP), by the triage.
        closed_before_triage = closed if closing in CLOSURE_OUTCOMES else None
        closed_at_triage = closed if closed and not closed_before_triage else None
        if triaged:
            status = ReferralStatus.ACCEPTED
        elif closed:
            status = closing
        else:
            status = ReferralStatus.AWAITING_TRIAGE if contact else ReferralStatus.AWAITING_CONTACT
        referral = self.make(
            Referral,
            person=person,
            episode_id=episode_id,
            # The file dates a referral, not its time: midday London time keeps the date whatever the season.
            received_at=timezone.make_aware(datetime.combine(received_on, time(12))),
            received_on=received_on,
            first_contact_due=_first_contact_due(received_on),
            source_id=self.code(core.ReferralSource, value("RFLS")),
            reason="Transferred from the previous provider (transfer of care).",
            service=service,
            team_id=team.pk,
            lives_in_city=True,
            registered_with_city_gp=True,
            status=status,
            triaged_on=triaged or closed_at_triage,
            triaged_by_id=self.transferred.pk if (triaged or closed_at_triage) else None,
            closed_on=closed_before_triage,
            closed_by_id=self.transferred.pk if closed_before_triage else None,
            closure_notes="Recorded by the previous provider." if closed_before_triage else "",
            advice_given="Recorded by the previous provider." if status == ReferralStatus.BRIEF_INTERVENTION else "",
            signposted_to="Tier 1/2 alcohol service" if status == ReferralStatus.SIGNPOSTED_TIER_1_2 else "",
            created_by=self.actor,
        )
        self.new[Referral].append(self.ids(referral))
        self._team_involvement(person, team, received_on)
        if contact:
            self.new[ContactAttempt].append(
                self.make(
                    ContactAttempt,
                    referral_id=referral.pk,
                    made_on=contact,
                    method=ContactMethod.PHONE,
                    recorded_by=self.transferred,
                )
            )
        if not triaged:
            return None
        discharged = _day(value("DISD"))
        episode = self.ids(
            self.make(
                Episode,
                person=person,
                referral=referral,
                episode_id=episode_id,
                team_id=team.pk,
                opened_on=triaged,
                discharged_on=discharged,
                discharge_reason_id=self.code(core.DischargeReason, value("DISRSN")),
                discharged_by=self.transferred if discharged else None,
            )
        )
        self.new[Episode].append(episode)
        assessment = self._assessment(episode, row)
        self._allocation(episode, row, discharged)
        if value("XJOINTWORK") == "Y":
            self.new[PartnerInvolvement].append(
                self.make(
                    PartnerInvolvement,
                    episode_id=episode.pk,
                    agency=PartnerAgency.OTHER,
                    started_on=triaged,
                    recorded_on=triaged,
                    recorded_by=self.transferred,
                )
            )
        if value("XCJORDER") != NA:
            if value("XCJORDER") == OrderKind.DRR:
                self.clocked_people.add(person.pk)
            self.new[CommunityOrder].append(
                self.make(
                    CommunityOrder,
                    person_id=person.pk,
                    episode_id=episode.pk,
                    kind=value("XCJORDER"),
                    order_date=_day(value("XCJORDERDT")),
                    requirement_months=ORDER_MONTHS_NOT_IN_FILE,
                )
            )
        self._plan(episode, row)
        for modality_row in rows:
            if modality_row[INDEX["MODID"]] != NA:
                self._modality(episode, modality_row)
        for top_row in sorted(self.tops.get(episode_id, []), key=lambda r: (r[INDEX["TOPDATE"]], r[INDEX["TOPID"]])):
            self._top(episode, top_row, assessment)
        return episode

    def _team_involvement(self, person: Person, team, since: date):
        key = (person.pk, team.pk)
        if key in self._involved:
            return
        self._involved.add(key)
        self.new[TeamInvolvement].append(
            self.make(TeamInvolvement, person_id=person.pk, team_id=team.pk, since=since, reason="transfer of care")
        )

    def _assessment(self, episode: Episode, row):
        completed = _day(row[INDEX["XCOMPASSESS"]])
        if completed is None:
            return None
        value = lambda name: row[INDEX[name]]  # noqa: E731
        number = lambda name: None if value(name) == NA else int(value(name))  # noqa: E731
        # 6b: a field the file gives as NA is not recorded, even on a completed assessment (DQ shows the gap).
        assessment = self.ids(
            self.make(
                Assessment,
                episode_id=episode.pk,
                started_on=completed,
                started_by=self.transferred,
                completed_on=completed,
                completed_by=self.transferred,
                injecting_status_id=self.code(core.InjectingStatus, value("INJSTAT")),
                alcohol_days=number("ALCDDAYS"),
                alcohol_units=number("ALCUNITS"),
                dual_diagnosis_id=self.code(DualDiagnosis, value("DUALDIAG")),
                accommodation_need_id=self.code(AccommodationNeed, value("ACCMNEED")),
                employment_status_id=self.code(EmploymentStatus, value("EMPSTAT")),
                children_living_with_id=self.code(ChildrenLivingWith, value("CHILDWTH")),
                parental_status_id=self.code(ParentalStatus, value("PRNTSTAT")),
                pregnant=PREGNANCY.get(value("PREGNANT"), ""),
            )
        )
        self.new[Assessment].append(assessment)
        for rank, name in enumerate(("DRUG1", "DRUG2", "DRUG3"), start=1):
            if value(name) == NA:
                continue
            self.new[AssessmentSubstance].append(
                self.make(
                    AssessmentSubstance,
                    assessment_id=assessment.pk,
                    rank=rank,
                    substance_id=self.code(core.Substance, value(name)),
                    route_id=self.code(core.Route, value("ROUTE")) if rank == 1 else None,
                    age_first_use=number("DRUG1AGE") if rank == 1 else None,
                )
            )
        return assessment

    def _allocation(self, episode: Episode, row, discharged):
        username = row[INDEX["XKEYWORKER"]]
        if username == NA:
            return
        keyworker = self.staff[username]
        team_id = self.delivery_team_of.get(keyworker.pk) or (
            self.teams[TeamKind.DELIVERY].pk if self.teams[TeamKind.DELIVERY] else None
        )
        if team_id is None:
            raise _RowProblem(
                Problem(
                    self.first_line[episode.episode_id],
                    "XKEYWORKER",
                    "There is no active delivery team for the keyworker's allocation: create one, then import again.",
                )
            )
        self.new[Allocation].append(
            self.make(
                Allocation,
                episode_id=episode.pk,
                assessor=self.transferred,
                keyworker=keyworker,
                team_id=team_id,
                allocated_on=episode.opened_on,
                ended_on=discharged,
                allocated_by=self.transferred,
                reason="transfer of care",
            )
        )

    def _plan(self, episode: Episode, row):
        signed = _day(row[INDEX["XRAPSIGNED"]])
        if signed is None:
            return
        plan = self.ids(self.make(RecoveryPlan, episode_id=episode.pk))
        self.new[RecoveryPlan].append(plan)
        # Signed by the inactive "transferred records" account: who may sign governs work done here, not history.
        version = self.ids(
            self.make(
                PlanVersion,
                plan_id=plan.pk,
                number=1,
                status=VersionStatus.SIGNED,
                author=self.transferred,
                signed_by=self.transferred,
                signed_on=signed,
            )
        )
        self.new[PlanVersion].append(version)
        reviewed = _day(row[INDEX["XRAPREVIEW"]])
        if reviewed:
            self.new[PlanReview].append(
                self.make(
                    PlanReview,
                    plan_id=plan.pk,
                    reviewed_on=reviewed,
                    reviewed_version_id=version.pk,
                    by=self.transferred,
                )
            )

    def _modality(self, episode: Episode, row):
        value = lambda name: row[INDEX[name]]  # noqa: E731
        modality_type = self.code(core.ModalityType, value("MODAL"))
        intervention = self.interventions.get(modality_type)
        if intervention is None:
            raise _RowProblem(
                Problem(
                    self.first_line[episode.episode_id],
                    "MODAL",
                    f"No intervention is offered under modality type {value('MODAL')}: add one in the reference data.",
                )
            )
        modality = self.ids(
            self.make(
                Modality,
                episode_id=episode.pk,
                modality_type_id=modality_type,
                setting_id=self.code(core.ModalitySetting, value("MODSET")),
                intervention_id=intervention,
                referred_on=_day(value("REFMODDT")),
                first_offered_on=_day(value("FAOMODDT")),
                started_on=_day(value("MODST")),
                ended_on=_day(value("MODEND")),
                exit_status_id=self.code(core.ModalityExitStatus, value("MODEXIT")),
                end_reason=CLOSED_WITHOUT_START if value("MODST") == NA and value("MODEND") != NA else "",
                referred_by=self.transferred,
                external_id=value("MODID"),
            )
        )
        self.new[Modality].append(modality)
        if value("MODAL") == PHARMACOLOGICAL:
            self.clocked_people.add(episode.person_id)
        reviewed = _day(value("SUBMODDT"))
        if reviewed:
            self.new[ModalityReview].append(
                self.make(ModalityReview, modality_id=modality.pk, reviewed_on=reviewed, by=self.transferred)
            )

    def _top(self, episode: Episode, row, assessment):
        value = lambda name: row[INDEX[name]]  # noqa: E731
        stage = value("TRSTAGE")
        top = self.make(
            Top,
            episode_id=episode.pk,
            stage_id=self.code(core.TreatmentStage, stage),
            top_date=_day(value("TOPDATE")),
            recorded_by=self.transferred,
            external_id=value("TOPID"),
            assessment_id=assessment.pk if assessment is not None and stage == START else None,
        )
        fields = top.__dict__
        for at, prefix, weeks in _TOP_WEEKLY_FIELDS:
            total = row[at]
            fields[prefix], split = _TOP_WEEKS.get(total) or _TOP_WEEKS[str(int(total))]
            fields.update(zip(weeks, split, strict=True))
        for at, prefix in _TOP_RATINGS:
            fields[prefix] = int(row[at])
        for at, prefix in _TOP_YES_NO:
            fields[prefix] = row[at] == "Y"
        self.new[Top].append(top)

    def _hepatitis(self, person: Person, row, episode, on: date):
        value = lambda name: row[INDEX[name]]  # noqa: E731
        status, doses = value("HEPBSTAT"), value("HEPBVAC")
        course = lambda offer: self.ids(  # noqa: E731
            self.make(
                HepBCourse,
                person_id=person.pk,
                episode_id=episode.pk if episode else None,
                offer=offer,
                offered_on=on,
                outcome_on=None if offer == HepBOffer.OFFERED else on,
                recorded_by=self.transferred,
            )
        )
        if doses != NA:
            # Doses belong to an accepted course; a later answer (HEPBSTAT B, C or E) is a second course after it.
            accepted = course(HepBOffer.ACCEPTED)
            if doses == "C":
                accepted.course_complete, accepted.completed_on = True, on
            self.new[HepBCourse].append(accepted)
            for number in range(1, (3 if doses == "C" else int(doses)) + 1):
                self.new[HepBDose].append(self.make(HepBDose, course_id=accepted.pk, dose_number=number, given_on=on))
        if status != "D" and not (doses != NA and status == "A"):
            self.new[HepBCourse].append(course(HEP_B_OFFER[status]))
        status, tested = value("HEPCSTAT"), value("HEPCTSTD") == "Y"
        if status == "D":
            return

        def test(**fields):
            return self.make(
                BbvTest,
                person_id=person.pk,
                episode_id=episode.pk if episode else None,
                kind=BbvTestKind.HEP_C_ANTIBODY,
                offered_on=on,
                recorded_by=self.transferred,
                **fields,
            )

        if tested and status != "A":
            # Tested once, then a later offer answered otherwise: the latest answer is HEPCSTAT.
            self.new[BbvTest].append(self.ids(test(accepted=True, answered_on=on, tested_on=on)))
        if status == NA:
            self.new[BbvTest].append(self.ids(test(accepted=None)))
        else:
            accepted = status == "A"
            self.new[BbvTest].append(
                self.ids(test(accepted=accepted, answered_on=on, tested_on=on if accepted and tested else None))
            )


class _Table:
    """What a new row of a model starts with and which columns it writes, worked out once per import."""

    def __init__(self, model):
        self.model = model
        self.meta = model._meta
        fields = [column for column in self.meta.concrete_fields if not column.generated]
        self.relations = {column.name: column.attname for column in fields if column.is_relation}
        self.columns = [column.attname for column in fields]
        self.row = attrgetter(*self.columns)
        self.columns_no_id = [name for name in self.columns if name != "id"]
        self.row_no_id = attrgetter(*self.columns_no_id)
        now, today = timezone.now(), timezone.localdate()
        self.defaults = {}
        for column in fields:
            if column.has_db_default():
                continue  # given on every record (a referral's EPISODID), or the row cannot be read: a loud error
            if getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False):
                # What `pre_save` would stamp on insert, once for the whole import.
                self.defaults[column.attname] = now if isinstance(column, DateTimeField) else today
            else:
                # As a new instance starts: its default, else None or "".
                self.defaults[column.attname] = column.get_default()
        self.defaults["id"] = None
        self.defaults["_meta"] = self.meta


class _Record:
    """One row to write: its columns as attributes (attnames), read by `_Table.row`; made by `_Writer.make`."""

    @property
    def pk(self):
        return self.id

    @pk.setter
    def pk(self, value):
        self.id = value

    def __str__(self) -> str:
        if self._meta.model is Person:
            return f"{self.given_name} {self.family_name}"
        return f"{self._meta.verbose_name} {getattr(self, 'episode_id', None) or self.id}"


class _RowProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.reason)
        self.problem = problem


# Identifiers of this system's own shape, whose number its sequences must not hand out again after an import.
OWN_CLIENT_ID = re.compile(r"^C([0-9]{1,15})$")
OWN_EPISODE_ID = re.compile(r"^E([0-9]{1,15})$")
DIGITS = re.compile(r"^[0-9]{1,15}$")


def _numbering_continues_after(parsed: ParsedFile):
    """6b: records created afterwards get this system's identifiers, so its numbering moves past any imported
    identifier of its own shape (a client ID is `C` + the person's id; a MODID or TOPID is the record's id)."""
    checker = parsed.checker
    highest = {
        "people": _highest(OWN_CLIENT_ID, checker.people),
        "episodes": _highest(OWN_EPISODE_ID, checker.episodes),
        "modalities": _highest(DIGITS, checker.modality_ids),
        "tops": _highest(DIGITS, checker.top_ids),
    }
    sequences = {
        "people": f"pg_get_serial_sequence('{Person._meta.db_table}', 'id')",
        "episodes": "'referrals_episode_number'",
        "modalities": f"pg_get_serial_sequence('{Modality._meta.db_table}', 'id')",
        "tops": f"pg_get_serial_sequence('{Top._meta.db_table}', 'id')",
    }
    with connection.cursor() as cursor:
        for kind, number in highest.items():
            if number:
                # The sequence expressions are built above from model table names, never from input.
                sequence = sequences[kind]
                cursor.execute(
                    f"SELECT setval({sequence}, greatest(%s, (SELECT last_value FROM pg_sequences "  # nosec B608
                    f"WHERE (schemaname || '.' || sequencename)::regclass = {sequence}::regclass)))",
                    [number],
                )


def _highest(pattern: re.Pattern, identifiers) -> int:
    numbers = [int(match.group(match.re.groups)) for value in identifiers if (match := pattern.match(value))]
    return max(numbers, default=0)
