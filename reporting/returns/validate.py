"""The rules a return or transfer-of-care file must keep (domain.md sections 6 and 6b), shared by the import
(which refuses a file that breaks any of them) and the export (which runs them on its own rows before download).

Every problem is reported, each with its line number, field and reason: a data admin fixes a file in one go.
Date-order rules come from the services the pages use (one rule, one place); rules that govern doing
something now (not in the future, who may sign, dose intervals) do not apply to history (6b).

Use `read_file(stream)` for a file (header and UTF-8 checks, then every row), or `RowChecker` for rows an
export is writing: `checker.add(line, row)` for each, then `checker.finish()`.
"""

import codecs
import csv
import re
import string
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter

from django.contrib.auth import get_user_model

from assessment import services as assessment_rules
from assessment.models import AccommodationNeed, ChildrenLivingWith, DualDiagnosis, EmploymentStatus, ParentalStatus
from core import models as core
from core.errors import DomainError
from recovery_plans.services import modalities as modality_rules
from recovery_plans.services import reviews as plan_review_rules
from referrals.choices import OrderKind, ReferralStatus
from referrals.services import episodes as episode_rules
from referrals.services import intake as intake_rules
from reporting.returns.columns import (
    IDENTIFIER_MAX_LENGTH,
    LOCAL_FIELDS,
    MODALITY_FIELDS,
    NA,
    PERSON_EPISODE_FIELDS,
    TOP_FIELDS,
    TOP_ROW_KEYS,
    TRANSFER_COLUMNS,
    Dialect,
)

# Rows are held as tuples in this order whatever the file's column order (6b: columns are read by name).
COLUMNS = TRANSFER_COLUMNS
INDEX = {name: position for position, name in enumerate(COLUMNS)}

# 6b: the person's facts as at the day the file is written, so the same on every row of one person.
PERSON_FIELDS = (
    "CONSENT",
    "FINITIAL",
    "SINITIAL",
    "DOB",
    "SEX",
    "ETHNIC",
    "PC",
    "LA",
    "GPPTCE",
    "HEPBSTAT",
    "HEPBVAC",
    "HEPCSTAT",
    "HEPCTSTD",
)
EPISODE_FIELDS = tuple(
    name for name in (*PERSON_EPISODE_FIELDS, *LOCAL_FIELDS) if name not in PERSON_FIELDS and name not in TOP_ROW_KEYS
)
_PERSON_VALUES = itemgetter(*(INDEX[name] for name in PERSON_FIELDS))
# The columns a TOP row leaves NA.
_NOT_ON_TOP = tuple(name for name in COLUMNS if name not in {*TOP_ROW_KEYS, *TOP_FIELDS})
_NOT_ON_TOP_VALUES = itemgetter(*(INDEX[name] for name in _NOT_ON_TOP))
_EPISODE_VALUES = itemgetter(*(INDEX[name] for name in EPISODE_FIELDS))
# What a completed comprehensive assessment on XCOMPASSESS holds (6b).
ASSESSMENT_FIELDS = (
    "DRUG1",
    "DRUG2",
    "DRUG3",
    "DRUG1AGE",
    "ROUTE",
    "INJSTAT",
    "ALCDDAYS",
    "ALCUNITS",
    "CHILDWTH",
    "PRNTSTAT",
    "PREGNANT",
    "ACCMNEED",
    "EMPSTAT",
    "DUALDIAG",
)
# Fields that belong to an episode, so must be NA on a referral that never entered treatment (TRIAGED NA).
NEEDS_EPISODE = (
    "CPLANDT",
    *ASSESSMENT_FIELDS,
    "DISD",
    "DISRSN",
    *MODALITY_FIELDS,
    "XKEYWORKER",
    "XCOMPASSESS",
    "XRAPSIGNED",
    "XRAPREVIEW",
    "XCJORDER",
    "XCJORDERDT",
)
IDENTIFIER_FIELDS = ("CLIENTID", "EPISODID", "MODID", "TOPID")
# XREFOUTCOME: the status of a referral closed without an episode, the one map the export and import read too.
CLOSURE_OUTCOME = {
    "BI": ReferralStatus.BRIEF_INTERVENTION,
    "SP": ReferralStatus.SIGNPOSTED_TIER_1_2,
    "NC": ReferralStatus.CLOSED_NO_CONTACT,
    "DE": ReferralStatus.CLOSED_DECLINED,
}
REQUIRED_ON_EPISODE_ROWS = ("AGNCY", "CLIENTID", "EPISODID", "FINITIAL", "SINITIAL", "DOB", "SEX", "REFLD")
REQUIRED_ON_EPISODE_ROWS += ("RFLS",)
REQUIRED_WITH_MODALITY = ("MODAL", "MODSET", "REFMODDT")

DATE_FIELDS = (
    "DOB",
    "REFLD",
    "TRIAGED",
    "CPLANDT",
    "DISD",
    "REFMODDT",
    "FAOMODDT",
    "MODST",
    "MODEND",
    "SUBMODDT",
    "TOPDATE",
    "XFIRSTCONTACT",
    "XCOMPASSESS",
    "XRAPSIGNED",
    "XRAPREVIEW",
    "XCJORDERDT",
    "XREFCLOSED",
)
# Code lists that are reference data (domain.md 4a): checked against the tables, never a constant here.
REFERENCE_LISTS = {
    "SEX": core.Sex,
    "ETHNIC": core.Ethnicity,
    "RFLS": core.ReferralSource,
    "DRUG1": core.Substance,
    "DRUG2": core.Substance,
    "DRUG3": core.Substance,
    "ROUTE": core.Route,
    "INJSTAT": core.InjectingStatus,
    "CHILDWTH": ChildrenLivingWith,
    "PRNTSTAT": ParentalStatus,
    "ACCMNEED": AccommodationNeed,
    "EMPSTAT": EmploymentStatus,
    "DUALDIAG": DualDiagnosis,
    "HEPBSTAT": core.HepatitisBStatus,
    "HEPBVAC": core.HepatitisBVaccination,
    "HEPCSTAT": core.HepatitisCStatus,
    "DISRSN": core.DischargeReason,
    "MODAL": core.ModalityType,
    "MODSET": core.ModalitySetting,
    "MODEXIT": core.ModalityExitStatus,
    "TRSTAGE": core.TreatmentStage,
}
YES_NO = ("Y", "N")
# The codes 6b gave that have no table.
FIXED_LISTS = {
    "CONSENT": YES_NO,
    "PREGNANT": ("Y", "N", "Z"),
    "HEPCTSTD": YES_NO,
    "SHARING": YES_NO,
    "ASSAULT": YES_NO,
    "ACUTHPBM": YES_NO,
    "HRISK": YES_NO,
    "XCJORDER": tuple(OrderKind.values),
    "XJOINTWORK": YES_NO,
    "XREFOUTCOME": ("BI", "SP", "NC", "DE"),
}
TOP_DAY_FIELDS = (
    "ALCUSE",
    "OPIUSE",
    "CRAUSE",
    "COCAUSE",
    "AMPHUSE",
    "CANNUSE",
    "OTDRGUSE",
    "IVDRGUSE",
    "SHOTHEFT",
    "DRGSELL",
    "OTHTHEFT",
    "PWORK",
    "EDUCAT",
)
TOP_RATING_FIELDS = ("PSYHSTAT", "PHSTAT", "QUALLIFE")
# (lowest, highest) of each whole-number field.
NUMBER_RANGES = {
    "DRUG1AGE": (0, 120),
    "ALCDDAYS": (0, 28),
    "ALCUNITS": (0, 999),
    **{name: (0, 28) for name in TOP_DAY_FIELDS},
    **{name: (0, 20) for name in TOP_RATING_FIELDS},
}
TEXT_LENGTHS = {"LA": 9, "GPPTCE": 10, "XKEYWORKER": 150}
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
INITIAL = re.compile(r"^[A-Z]$")
# A modality rule's field, as the file names it.
MODALITY_RULE_FIELDS = {
    "referred_on": "REFMODDT",
    "first_offered_on": "FAOMODDT",
    "started_on": "MODST",
    "ended_on": "MODEND",
    "reviewed_on": "SUBMODDT",
    "exit_status": "MODEXIT",
}


# How `RowChecker.add` knows a column's value good at a glance (see `RowChecker._acceptance`).
_ANY, _DATE, _OTHER = object(), object(), object()


@dataclass(frozen=True, order=True)
class Problem:
    line: int
    field: str
    reason: str
    client_id: str = ""
    episode_id: str = ""

    def __str__(self) -> str:
        return f"Line {self.line}, {self.field}: {self.reason}"

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "field": self.field,
            "reason": self.reason,
            "client_id": self.client_id,
            "episode_id": self.episode_id,
        }


@dataclass
class ParsedFile:
    """A whole file read and checked: every problem, and what `read_rows` needs to read its rows again."""

    problems: list[Problem] = field(default_factory=list)
    columns: tuple = ()
    missing_local: tuple = ()
    checker: "RowChecker | None" = None
    # For reading the rows again (`read_rows`): the cells in `COLUMNS` order, each person's last line, and every
    # XKEYWORKER named.
    pick: Callable | None = None
    last_line: dict[str, int] = field(default_factory=dict)
    keyworkers: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.problems


class CodeLists:
    """The known codes of every coded field and the staff usernames, read once per file."""

    def __init__(self):
        self.codes = {
            name: set(model.objects.values_list("code", flat=True)) for name, model in REFERENCE_LISTS.items()
        }
        self.codes.update({name: set(values) for name, values in FIXED_LISTS.items()})
        self.usernames = set(get_user_model().objects.values_list("username", flat=True))


def parse_date(value: str) -> date | None:
    """A real `YYYY-MM-DD` date, else None."""
    if not ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@dataclass
class _Episode:
    client_id: str
    line: int
    values: tuple
    triaged: date | None = None
    discharged: date | None = None
    empty_modality_line: int | None = None
    modality_lines: list[int] = field(default_factory=list)
    tops: list[tuple[int, str, date | None, str, str]] = field(default_factory=list)


class RowChecker:
    """Checks rows one at a time, keeping per person and per episode only what the cross-row rules need.

    `importing`: the file is going into this system, so identifiers are checked against what it holds and an
    unknown XKEYWORKER is refused unless `create_staff`. `local_fields`: the X columns are present (a transfer
    file, always when importing); an NDTMS return has none, and rows of a person without consent carry only
    AGNCY, CLIENTID and CONSENT.
    """

    def __init__(self, *, importing: bool = False, create_staff: bool = False, local_fields: bool = True, lists=None):
        self.importing = importing
        self.create_staff = create_staff
        self.local_fields = local_fields or importing
        self.lists = lists or CodeLists()
        self.problems: list[Problem] = []
        self.agency: tuple[str, int] | None = None
        self.people: dict[str, tuple[int, tuple]] = {}
        self.episodes: dict[str, _Episode] = {}
        # identifier -> (line, EPISODID)
        self.modality_ids: dict[str, tuple[int, str]] = {}
        self.top_ids: dict[str, tuple[int, str]] = {}
        self.unknown_keyworkers: dict[str, int] = {}
        self.row_count = 0
        self._accept = self._acceptance()
        self._dates: dict[str, date] = {}

    def _problem(self, line: int, name: str, reason: str, row=None) -> None:
        client_id = row[INDEX["CLIENTID"]] if row is not None else ""
        episode_id = row[INDEX["EPISODID"]] if row is not None else ""
        self.problems.append(Problem(line, name, reason, client_id, episode_id))

    # One row ---------------------------------------------------------------------------------------------

    def add(self, line: int, row: Sequence[str]) -> None:
        """`row` in `COLUMNS` order."""
        self.row_count += 1
        dates = {}
        known_dates = self._dates
        for value, name, accept in zip(row, COLUMNS, self._accept, strict=True):
            if value == NA or accept is _ANY:
                continue
            if accept is _DATE:
                day = known_dates.get(value)
                if day is None:
                    day = parse_date(value)
                    if day is None:
                        self._value_ok(line, name, value, row)  # says why
                        continue
                    known_dates[value] = day
                dates[name] = day
            elif accept is _OTHER or value not in accept:
                # Not one of the values known good at a glance: the full check, which reports a problem.
                self._value_ok(line, name, value, row)
        self._agency(line, row)
        if not self.local_fields and row[INDEX["CONSENT"]] == "N":
            return  # An NDTMS row without consent: three fields, nothing else to compare.
        if row[INDEX["TOPID"]] != NA:
            self._top_row(line, row, dates)
        else:
            self._episode_row(line, row, dates)

    def _acceptance(self) -> list:
        """Per column, in `COLUMNS` order, how a value is known good at a glance (one lookup): the set of every
        good value (codes, whole numbers in range, initials), `_DATE` (dates, each distinct text parsed once),
        `_ANY` (no rule), or `_OTHER` (identifiers, postcodes, text: `_value_ok`)."""
        accept = []
        for name in COLUMNS:
            if name in IDENTIFIER_FIELDS or name == "PC" or name in TEXT_LENGTHS:
                accept.append(_OTHER)
            elif name in DATE_FIELDS:
                accept.append(_DATE)
            elif name in self.lists.codes:
                accept.append(frozenset(self.lists.codes[name]))
            elif name in NUMBER_RANGES:
                low, high = NUMBER_RANGES[name]
                accept.append(frozenset(str(number) for number in range(low, high + 1)))
            elif name in ("FINITIAL", "SINITIAL"):
                accept.append(frozenset(string.ascii_uppercase))
            else:
                accept.append(_ANY)
        return accept

    def _value_ok(self, line: int, name: str, value: str, row) -> bool:
        if name in IDENTIFIER_FIELDS:
            if len(value) > IDENTIFIER_MAX_LENGTH or not value.isprintable() or not value.strip():
                self._problem(
                    line,
                    name,
                    f"'{value[:40]}' is not an identifier: use printable text of at most {IDENTIFIER_MAX_LENGTH} "
                    f"characters (this one has {len(value)}).",
                    row,
                )
                return False
            return True
        if name in DATE_FIELDS:
            if parse_date(value) is None:
                self._problem(
                    line,
                    name,
                    f"'{value}' is not a date: write a real date as YYYY-MM-DD (for example 2025-04-01), or NA.",
                    row,
                )
                return False
            return True
        known = self.lists.codes.get(name)
        if known is not None:
            if value not in known:
                listed = ", ".join(sorted(known))
                self._problem(line, name, f"'{value}' is not a known code. Use one of: {listed}; or NA.", row)
                return False
            return True
        if name in NUMBER_RANGES:
            low, high = NUMBER_RANGES[name]
            if not value.isdigit() or not low <= int(value) <= high:
                self._problem(line, name, f"'{value}' is not a whole number from {low} to {high}.", row)
                return False
            return True
        if name in ("FINITIAL", "SINITIAL"):
            if not INITIAL.match(value):
                self._problem(line, name, f"'{value}' is not an initial: write one capital letter A to Z.", row)
                return False
            return True
        if name == "PC":
            if not POSTCODE.match(value):
                self._problem(
                    line, name, f"'{value}' is not a full postcode: upper case with one space (SO14 7LY).", row
                )
                return False
            return True
        limit = TEXT_LENGTHS.get(name)
        if limit is not None and (len(value) > limit or not value.isprintable()):
            self._problem(line, name, f"'{value[:40]}' is longer than {limit} characters.", row)
            return False
        return True

    def _agency(self, line: int, row) -> None:
        # 6b: AGNCY is the old provider's: read, checked to be the same on every row, not kept.
        agency = row[INDEX["AGNCY"]]
        if agency == NA:
            self._problem(line, "AGNCY", "The agency code is missing: every row names the provider's agency.", row)
        elif self.agency is None:
            self.agency = (agency, line)
        elif agency != self.agency[0]:
            self._problem(
                line,
                "AGNCY",
                f"'{agency}' differs from '{self.agency[0]}' on line {self.agency[1]}: one file comes from one agency.",
                row,
            )

    def _require(self, line: int, row, names) -> bool:
        missing = [name for name in names if row[INDEX[name]] == NA]
        for name in missing:
            self._problem(line, name, f"{name} is required on this row: NA is not allowed here.", row)
        return not missing

    def _top_row(self, line: int, row, dates) -> None:
        self._require(line, row, ("CLIENTID", "EPISODID", "TOPDATE", "TRSTAGE", *TOP_FIELDS[3:]))
        if _NOT_ON_TOP_VALUES(row).count(NA) != len(_NOT_ON_TOP):  # one C call for the usual row, all NA
            reason = "A TOP row (TOPID set) carries only AGNCY, CLIENTID, EPISODID and the TOP fields: write NA here."
            for name in _NOT_ON_TOP:
                if row[INDEX[name]] != NA:
                    self._problem(line, name, reason, row)
        top_id = row[INDEX["TOPID"]]
        self._unique(self.top_ids, top_id, line, "TOPID", "TOP", row)
        episode_id = row[INDEX["EPISODID"]]
        self.episodes.setdefault(episode_id, _Episode(row[INDEX["CLIENTID"]], 0, ())).tops.append(
            (line, top_id, dates.get("TOPDATE"), row[INDEX["TRSTAGE"]], row[INDEX["CLIENTID"]])
        )

    def _unique(self, seen: dict, value: str, line: int, name: str, what: str, row) -> None:
        if value in seen:
            self._problem(
                line, name, f"{what} '{value}' is already on line {seen[value][0]}: identifiers are unique.", row
            )
        else:
            seen[value] = (line, row[INDEX["EPISODID"]])

    def _episode_row(self, line: int, row, dates) -> None:
        complete = self._require(line, row, REQUIRED_ON_EPISODE_ROWS)
        if not complete and NA in (row[INDEX["CLIENTID"]], row[INDEX["EPISODID"]]):
            return
        value = row.__getitem__
        client_id, episode_id = value(INDEX["CLIENTID"]), value(INDEX["EPISODID"])
        self._same_for_person(line, row, client_id)
        episode = self._same_for_episode(line, row, client_id, episode_id, dates)
        self._dates_in_order(line, row, dates)
        self._episode_rules(line, row, dates)
        if value(INDEX["MODID"]) == NA:
            if any(value(INDEX[name]) != NA for name in MODALITY_FIELDS):
                self._problem(line, "MODID", "This row has modality fields but no MODID: give the modality's ID.", row)
            if episode.empty_modality_line is not None or episode.modality_lines:
                self._problem(
                    line,
                    "MODID",
                    "An episode has one row without a modality only when it has no modality: "
                    f"see line {episode.empty_modality_line or episode.modality_lines[0]}.",
                    row,
                )
            episode.empty_modality_line = episode.empty_modality_line or line
        else:
            if episode.empty_modality_line is not None:
                self._problem(
                    line,
                    "MODID",
                    f"Line {episode.empty_modality_line} says this episode has no modality, but this row has one.",
                    row,
                )
            episode.modality_lines.append(line)
            self._unique(self.modality_ids, value(INDEX["MODID"]), line, "MODID", "Modality", row)
            self._modality_rules(line, row, dates)
        keyworker = value(INDEX["XKEYWORKER"])
        if keyworker != NA and keyworker not in self.lists.usernames:
            if not self.create_staff:
                self._problem(
                    line,
                    "XKEYWORKER",
                    f"No account is called '{keyworker}'. Create it first, or import with --create-staff "
                    '("create staff accounts") to make it an inactive keyworker.',
                    row,
                )
            self.unknown_keyworkers.setdefault(keyworker, line)

    def _same_for_person(self, line: int, row, client_id: str) -> None:
        values = _PERSON_VALUES(row)
        first = self.people.get(client_id)
        if first is None:
            self.people[client_id] = (line, values)
            return
        first_line, first_values = first
        for name, was, now in zip(PERSON_FIELDS, first_values, values, strict=True):
            if was != now:
                self._problem(
                    line,
                    name,
                    f"Rows of client {client_id} disagree: line {first_line} says '{was}', this row says '{now}'. "
                    "A person's facts are the same on every row.",
                    row,
                )

    def _same_for_episode(self, line, row, client_id, episode_id, dates) -> _Episode:
        values = _EPISODE_VALUES(row)
        episode = self.episodes.get(episode_id)
        if episode is None or not episode.values:
            tops = episode.tops if episode is not None else []
            episode = _Episode(client_id, line, values, dates.get("TRIAGED"), dates.get("DISD"), tops=tops)
            self.episodes[episode_id] = episode
            return episode
        if episode.client_id != client_id:
            self._problem(
                line,
                "EPISODID",
                f"Episode {episode_id} belongs to client {episode.client_id} on line {episode.line}, "
                f"not to {client_id}: an episode ID is unique.",
                row,
            )
        for name, was, now in zip(EPISODE_FIELDS, episode.values, values, strict=True):
            if was != now:
                self._problem(
                    line,
                    name,
                    f"Rows of episode {episode_id} disagree: line {episode.line} says '{was}', this row says '{now}'.",
                    row,
                )
        return episode

    def _rule(self, line: int, row, name: str, check, **dates) -> None:
        """Run a service's date rule; its message, at this row's field."""
        try:
            check(**dates)
        except DomainError as error:
            self._problem(line, name, error.message, row)

    def _dates_in_order(self, line: int, row, dates) -> None:
        """referral <= contact <= triage <= assessment (6b), by the rules the pages use."""
        received, contact, triaged = dates.get("REFLD"), dates.get("XFIRSTCONTACT"), dates.get("TRIAGED")
        if received and contact:
            self._rule(
                line, row, "XFIRSTCONTACT", intake_rules.check_contact_date, received_on=received, made_on=contact
            )
        if received and triaged:
            self._rule(line, row, "TRIAGED", intake_rules.check_triage_date, received_on=received, triaged_on=triaged)
        if contact and triaged and contact > triaged:
            # The pages keep this order by status (triage needs a first contact); history has only the dates.
            self._problem(line, "XFIRSTCONTACT", "The first contact cannot be after triage (TRIAGED).", row)
        assessed = dates.get("XCOMPASSESS")
        if triaged and assessed:
            self._rule(
                line,
                row,
                "XCOMPASSESS",
                assessment_rules.check_completion_date,
                opened_on=triaged,
                completed_on=assessed,
            )
        discharged = dates.get("DISD")
        if triaged and discharged:
            self._rule(
                line, row, "DISD", episode_rules.check_discharge_date, opened_on=triaged, discharged_on=discharged
            )
        signed, reviewed = dates.get("XRAPSIGNED"), dates.get("XRAPREVIEW")
        if signed and reviewed:
            self._rule(
                line, row, "XRAPREVIEW", plan_review_rules.check_review_date, signed_on=signed, reviewed_on=reviewed
            )
        closed, outcome = dates.get("XREFCLOSED"), CLOSURE_OUTCOME.get(row[INDEX["XREFOUTCOME"]])
        if received and closed and outcome:
            try:
                intake_rules.check_closure(
                    received_on=received, closed_on=closed, outcome=outcome, first_contact=contact
                )
            except DomainError as error:
                self._problem(line, "XREFCLOSED" if error.field == "closed_on" else "XREFOUTCOME", error.message, row)
        if received and (born := dates.get("DOB")):
            try:
                intake_rules.service_for(date_of_birth=born, on=received)
            except DomainError as error:
                self._problem(line, "DOB", error.message, row)

    def _episode_rules(self, line: int, row, dates) -> None:
        value = lambda name: row[INDEX[name]]  # noqa: E731
        given = lambda name: row[INDEX[name]] != NA  # noqa: E731
        if not given("TRIAGED"):
            extra = [name for name in NEEDS_EPISODE if given(name)]
            for name in extra:
                self._problem(
                    line,
                    name,
                    f"TRIAGED is NA, so this referral never entered treatment and has no episode: {name} must be NA.",
                    row,
                )
            if value("XJOINTWORK") == "Y":
                self._problem(line, "XJOINTWORK", "A referral without an episode (TRIAGED NA) has no joint work.", row)
        elif given("XREFCLOSED") or given("XREFOUTCOME"):
            self._problem(
                line,
                "XREFCLOSED",
                "XREFCLOSED and XREFOUTCOME close a referral that never entered treatment: write NA, since "
                "TRIAGED is set.",
                row,
            )
        if given("XREFCLOSED") != given("XREFOUTCOME"):
            self._problem(line, "XREFOUTCOME", "XREFCLOSED and XREFOUTCOME go together: give both or neither.", row)
        if given("DISD") != given("DISRSN"):
            self._problem(
                line, "DISRSN", "A discharge has a date (DISD) and a reason (DISRSN): give both or neither.", row
            )
        if given("XCJORDER") != given("XCJORDERDT"):
            self._problem(line, "XCJORDERDT", "A community order has a kind (XCJORDER) and a date (XCJORDERDT).", row)
        if self.local_fields:
            if value("CPLANDT") != value("XRAPSIGNED"):
                self._problem(
                    line,
                    "CPLANDT",
                    f"CPLANDT '{value('CPLANDT')}' differs from XRAPSIGNED '{value('XRAPSIGNED')}': both are the date "
                    "the first plan was signed off (6b).",
                    row,
                )
            if given("XRAPREVIEW") and not given("XRAPSIGNED"):
                self._problem(line, "XRAPREVIEW", "A plan review needs a signed plan (XRAPSIGNED).", row)
            if not given("XCOMPASSESS") and (recorded := [name for name in ASSESSMENT_FIELDS if given(name)]):
                self._problem(
                    line,
                    "XCOMPASSESS",
                    f"{', '.join(recorded)} come from a completed comprehensive assessment, but XCOMPASSESS (its "
                    "date) is NA: give the date, or write NA in those fields.",
                    row,
                )
        substances = [value(name) for name in ("DRUG1", "DRUG2", "DRUG3")]
        for rank, substance in enumerate(substances[1:], start=2):
            if substance != NA and substance in substances[: rank - 1]:
                # As the assessment form refuses it: DRUG1-3 are three different problem substances.
                self._problem(line, f"DRUG{rank}", f"{substance} is already recorded in an earlier rank.", row)
        if (given("ROUTE") or given("DRUG1AGE")) and not given("DRUG1"):
            self._problem(line, "DRUG1", "ROUTE and DRUG1AGE describe the main substance: give DRUG1.", row)
        if given("HEPBVAC") and value("HEPBSTAT") in ("D", NA):
            # Doses come from an accepted course; a later answer (B, C, E) can follow it, no answer cannot.
            self._problem(
                line, "HEPBVAC", "Vaccine doses (HEPBVAC) need a course offered and answered (HEPBSTAT).", row
            )
        if value("HEPCTSTD") == "Y" and value("HEPCSTAT") in ("D", NA):
            self._problem(
                line, "HEPCTSTD", "Tested for hepatitis C (HEPCTSTD Y) needs a test answered (HEPCSTAT A or B).", row
            )

    def _modality_rules(self, line: int, row, dates) -> None:
        self._require(line, row, REQUIRED_WITH_MODALITY)
        given = lambda name: row[INDEX[name]] != NA  # noqa: E731
        referred, offered, started, ended, reviewed = (
            dates.get(name) for name in ("REFMODDT", "FAOMODDT", "MODST", "MODEND", "SUBMODDT")
        )
        triaged, discharged = dates.get("TRIAGED"), dates.get("DISD")
        checks = []
        if triaged and referred:
            checks.append((modality_rules.check_referral_date, {"opened_on": triaged, "referred_on": referred}))
        if referred and offered:
            checks.append(
                (
                    modality_rules.check_first_offer_date,
                    {"referred_on": referred, "started_on": started, "offered_on": offered},
                )
            )
        if referred and started:
            checks.append(
                (
                    modality_rules.check_start_date,
                    {"referred_on": referred, "first_offered_on": offered, "started_on": started},
                )
            )
        if ended and started:
            checks.append((modality_rules.check_end_date, {"started_on": started, "ended_on": ended}))
        elif ended and referred:
            # Closed without a start (declined, never attended): withdrawn or unplanned, on or after the referral.
            arguments = {"referred_on": referred, "first_offered_on": offered, "ended_on": ended}
            checks.append(
                (modality_rules.check_closed_without_start, {**arguments, "exit_code": row[INDEX["MODEXIT"]]})
            )
        if reviewed:
            checks.append(
                (modality_rules.check_review_date, {"started_on": started, "ended_on": ended, "reviewed_on": reviewed})
            )
        for check, arguments in checks:
            try:
                check(**arguments)
            except DomainError as error:
                self._problem(line, MODALITY_RULE_FIELDS.get(error.field, "MODID"), error.message, row)
        if given("MODEND") != given("MODEXIT"):
            self._problem(
                line, "MODEXIT", "A modality that ended has an exit status: give MODEND and MODEXIT together.", row
            )
        if discharged and ended and ended > discharged:
            self._problem(line, "MODEND", "The modality cannot end after the episode was discharged (DISD).", row)

    # The whole file --------------------------------------------------------------------------------------

    def finish(self) -> list[Problem]:
        open_episodes: dict[str, list[str]] = {}
        for episode_id, episode in self.episodes.items():
            if not episode.values:
                for line, top_id, _day, _stage, _client in episode.tops:
                    self._problem(
                        line,
                        "EPISODID",
                        f"TOP {top_id} names episode {episode_id}, which has no episode row in this file.",
                    )
                continue
            if episode.triaged and episode.discharged is None:
                open_episodes.setdefault(episode.client_id, []).append(episode_id)
            self._top_rules(episode_id, episode)
        for client_id, episode_ids in open_episodes.items():
            if len(episode_ids) > 1:
                line = self.episodes[episode_ids[1]].line
                self.problems.append(
                    Problem(
                        line,
                        "DISD",
                        f"Client {client_id} has {len(episode_ids)} open episodes ({', '.join(episode_ids)}): a "
                        "person has at most one open episode.",
                        client_id,
                        episode_ids[1],
                    )
                )
        if self.importing:
            self._against_database()
        self.problems.sort()
        return self.problems

    def _top_rules(self, episode_id: str, episode: _Episode) -> None:
        starts = 0
        for line, top_id, day, stage, client_id in episode.tops:
            where = {"client_id": client_id, "episode_id": episode_id}
            if client_id != episode.client_id:
                self.problems.append(
                    Problem(
                        line,
                        "CLIENTID",
                        f"Episode {episode_id} belongs to client {episode.client_id} (line {episode.line}), not to "
                        f"{client_id}.",
                        **where,
                    )
                )
            if top_id and episode.triaged is None:
                self.problems.append(
                    Problem(
                        line, "TOPID", "A TOP belongs to an episode in treatment: its episode has TRIAGED NA.", **where
                    )
                )
                continue
            if day is not None and stage in self.lists.codes["TRSTAGE"]:
                try:
                    assessment_rules.check_top_date(
                        opened_on=episode.triaged, discharged_on=episode.discharged, stage_code=stage, top_date=day
                    )
                except DomainError as error:
                    self.problems.append(Problem(line, "TOPDATE", error.message, **where))
            if stage == assessment_rules.START:
                starts += 1
                if starts > 1:
                    self.problems.append(
                        Problem(line, "TRSTAGE", "This episode already has a start TOP (TRSTAGE S).", **where)
                    )

    def _against_database(self) -> None:
        """Identifiers already held here must name the same records (6b: unique in their kind)."""
        from reporting.returns.identities import clashes

        for problem in clashes(self):
            self.problems.append(problem)


def read_file(stream, *, importing: bool = True, create_staff: bool = False) -> ParsedFile:
    """Read and check a whole file from a binary stream. No row is kept: a file of any size is checked in the
    memory of what the cross-row rules need, and the import reads the rows again (`read_rows`) to write them."""
    parsed = ParsedFile()
    text = _DecodedLines(stream)
    reader = csv.reader(text, dialect=Dialect)
    try:
        header = next(reader, None)
    except (NotUtf8, csv.Error) as error:
        parsed.problems.append(_unreadable(text.line, error))
        return parsed
    if header is None or header == [] or header == [""]:
        parsed.problems.append(Problem(1, "file", "The file is empty: upload a file with a header row and rows."))
        return parsed
    positions = _header(header, parsed.problems)
    if parsed.problems:
        return parsed
    parsed.columns = tuple(header)
    checker = RowChecker(importing=importing, create_staff=create_staff, local_fields=True)
    missing = tuple(name for name in COLUMNS if name not in positions)
    width = len(header)
    # A missing X column reads as NA: the value appended after the row's own.
    pick = itemgetter(*(positions.get(name, width) for name in COLUMNS))
    last_line, keyworkers = parsed.last_line, parsed.keyworkers
    client, keyworker = INDEX["CLIENTID"], INDEX["XKEYWORKER"]
    share = {NA: NA}.setdefault
    try:
        for cells in reader:
            line = reader.line_num
            if not cells:
                continue
            if len(cells) != width:
                parsed.problems.append(
                    Problem(line, "file", f"This row has {len(cells)} values; the header has {width} columns.")
                )
                continue
            if missing:
                cells.append(NA)
            values = pick(cells)
            # One string object per distinct value: what the checker keeps of each person and episode shares them.
            row = tuple(map(share, values, values))
            checker.add(line, row)
            last_line[row[client]] = line
            keyworkers.add(row[keyworker])
    except (NotUtf8, csv.Error) as error:
        parsed.problems.extend(checker.problems)
        parsed.problems.append(_unreadable(text.line, error))
        return parsed
    if checker.row_count == 0:
        parsed.problems.append(Problem(2, "file", "The file has a header but no rows: there is nothing to import."))
        return parsed
    parsed.problems.extend(checker.finish())
    keyworkers.discard(NA)
    parsed.missing_local = missing
    parsed.pick = pick
    parsed.checker = checker
    return parsed


def read_rows(stream, parsed: ParsedFile) -> Iterator[tuple[int, tuple]]:
    """The rows of a file that `read_file` passed, read again from the start: (line, row in `COLUMNS` order)."""
    stream.seek(0)
    reader = csv.reader(_DecodedLines(stream), dialect=Dialect)
    next(reader)
    for cells in reader:
        if cells:
            if parsed.missing_local:
                cells.append(NA)
            yield reader.line_num, parsed.pick(cells)


def _header(header: list[str], problems: list[Problem]) -> dict[str, int]:
    positions: dict[str, int] = {}
    known = set(COLUMNS)
    for at, name in enumerate(header):
        if name not in known:
            reason = (
                f"'{name}' is not a column of the interchange format: remove it or correct its name "
                "(upper case, as domain.md section 6 lists them)."
            )
            problems.append(Problem(1, name or f"column {at + 1}", reason))
        elif name in positions:
            problems.append(Problem(1, name, f"The column {name} appears twice."))
        else:
            positions[name] = at
    for name in COLUMNS:
        if name not in positions and not name.startswith("X"):
            problems.append(Problem(1, name, f"The column {name} is missing: every non-X column is required."))
    return positions


def _unreadable(line: int, error: Exception) -> Problem:
    if isinstance(error, NotUtf8):
        return Problem(
            error.line,
            "file",
            "The file is not UTF-8 text (a byte here is not UTF-8): save it as UTF-8 and upload it again.",
        )
    return Problem(line, "file", f"This line is not CSV as the format writes it ({error}): quote every value.")


class NotUtf8(Exception):
    def __init__(self, line: int):
        super().__init__(f"not UTF-8 at line {line}")
        self.line = line


class _DecodedLines:
    """Lines of UTF-8 text from a binary stream, read in chunks: a file of any size is never held whole. A byte
    that is not UTF-8 raises NotUtf8 with the line it is on. A byte-order mark (Excel writes one) is dropped."""

    def __init__(self, stream, chunk: int = 1 << 20):
        self.stream, self.chunk = stream, chunk
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
        self.returned = 0
        self._lines: deque[str] = deque()
        self._partial = ""
        self._done = False

    @property
    def line(self) -> int:
        return self.returned + 1

    def __iter__(self):
        return self

    def __next__(self) -> str:
        while not self._lines:
            if self._done:
                raise StopIteration
            data = self.stream.read(self.chunk)
            final = not data
            try:
                text = self.decoder.decode(data, final=final)
            except UnicodeDecodeError as error:
                before = self.returned + len(self._lines) + self._partial.count("\n")
                raise NotUtf8(before + data[: max(error.start, 0)].count(b"\n") + 1) from error
            self._done = final
            parts = (self._partial + text).split("\n")
            self._partial = parts.pop()
            self._lines.extend(part + "\n" for part in parts)
            if final and self._partial:
                self._lines.append(self._partial)
                self._partial = ""
        self.returned += 1
        return self._lines.popleft()


def check_rows(
    rows: Iterable[tuple[int, Sequence[str]]], *, columns: Sequence[str] = TRANSFER_COLUMNS
) -> list[Problem]:
    """The export's entry point: its rows (line number, values in `columns` order) judged by the import's rules.
    A return file (no X columns) is judged without the X rules, and its rows without consent are left alone."""
    local_fields = "XCOMPASSESS" in columns
    checker = RowChecker(local_fields=local_fields)
    order = [columns.index(name) if name in columns else None for name in COLUMNS]
    for line, values in rows:
        checker.add(line, tuple(NA if at is None else values[at] for at in order))
    return checker.finish()
