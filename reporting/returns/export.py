"""Writes the monthly NDTMS return and the transfer-of-care file (domain.md 6 and 6b).

The referrals are read through one server-side cursor in the file's row order; each chunk of them gets its other
fields from one query per field family (`fields`), and its rows go straight to `csv.writer`, so memory stays flat
whatever the size and the number of queries grows with the chunks, never with the rows. Everything is read in
one repeatable-read snapshot, so a file written while others work is still one consistent picture.
"""

import csv
import hashlib
import io
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from django.conf import settings
from django.db import connection, transaction

from referrals.models import Referral
from reporting.periods import Period
from reporting.returns import fields
from reporting.returns.columns import (
    LOCAL_FIELDS,
    MODALITY_FIELDS,
    NA,
    PERSON_EPISODE_FIELDS,
    RETURN_COLUMNS,
    TOP_FIELDS,
    TRANSFER_COLUMNS,
    Dialect,
    file_name,
)

CHUNK_SIZE = 10000

_ASSESSMENT_FIELD_COUNT = 14  # DRUG1 to DUALDIAG
_NO_MODALITY = [NA] * len(MODALITY_FIELDS)
_NO_TOP = [NA] * len(TOP_FIELDS)
_EPISODE_ROW_NA_AFTER_KEYS = [NA] * (len(PERSON_EPISODE_FIELDS) - 3 + len(MODALITY_FIELDS))
_NO_LOCAL = [NA] * len(LOCAL_FIELDS)
_WITHHELD_REST = [NA] * (len(RETURN_COLUMNS) - 4)


@dataclass(frozen=True)
class ExportSpec:
    """What to write: the return for `period` (as at its last day), or the transfer file as at `as_of`."""

    transfer: bool
    as_of: date
    start: date | None = None
    agency: str = field(default_factory=lambda: settings.AGENCY_CODE)

    @classmethod
    def monthly(cls, period: Period) -> "ExportSpec":
        return cls(transfer=False, as_of=period.end, start=period.start)

    @classmethod
    def transfer_as_of(cls, as_of: date) -> "ExportSpec":
        return cls(transfer=True, as_of=as_of)

    @property
    def columns(self) -> tuple[str, ...]:
        return TRANSFER_COLUMNS if self.transfer else RETURN_COLUMNS

    @property
    def file_name(self) -> str:
        if self.transfer:
            return f"{self.agency}-TRANSFER-{self.as_of:%Y%m%d}.csv"
        return file_name(self.agency, self.start, self.as_of)


@dataclass
class ExportResult:
    file_name: str
    checksum: str
    episode_rows: int
    top_rows: int
    size: int
    # The referral each data line came from (line 2 is the first): problems link back to the record to fix.
    line_referrals: array

    @property
    def rows(self) -> int:
        return self.episode_rows + self.top_rows


class _Sink:
    """Where the lines go: encoded, hashed and counted on their way to a binary stream, a batch at a time."""

    def __init__(self, stream):
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, text: str):
        data = text.encode("utf-8")
        self.digest.update(data)
        self.size += len(data)
        if self.stream is not None:
            self.stream.write(data)


class _LineWriter:
    """`csv.writer` in the file's dialect, with a shortcut for the usual row that holds no double quote: every
    value quoted, joined by commas, `\n` at the end is then exactly what csv.writer writes (a test holds them
    equal), at a fifth of the cost. A value with a quote in it goes through csv.writer, which doubles it."""

    BATCH = 1000

    def __init__(self, sink: _Sink):
        self.sink = sink
        self.lines: list[str] = []
        self.buffer = io.StringIO()
        self.csv = csv.writer(self.buffer, dialect=Dialect)

    def writerow(self, row):
        joined = '","'.join(row)
        if joined.count('"') == 2 * (len(row) - 1):
            self.lines.append(f'"{joined}"\n')
        else:
            self.csv.writerow(row)
            self.lines.append(self.buffer.getvalue())
            self.buffer.seek(0)
            self.buffer.truncate()
        if len(self.lines) >= self.BATCH:
            self.flush()

    def flush(self):
        self.sink.write("".join(self.lines))
        self.lines.clear()


def referrals_for(spec: ExportSpec, queryset=None):
    """The referrals the file holds (6b), starting from `queryset` (the caller's `visible_to(user)`)."""
    queryset = Referral.objects.all() if queryset is None else queryset
    if spec.transfer:
        return fields.transfer_referrals(queryset, as_of=spec.as_of)
    return fields.return_referrals(queryset, start=spec.start, end=spec.as_of)


def iter_rows(spec: ExportSpec, queryset=None) -> Iterator[tuple[int, bool, list[str]]]:
    """(referral id, is a TOP row, the row's values in column order), in the file's row order (6b)."""
    rows = fields.referral_rows(referrals_for(spec, queryset), as_of=spec.as_of).iterator(chunk_size=CHUNK_SIZE)
    sent_withheld = _Withheld()
    while chunk := list(islice(rows, CHUNK_SIZE)):
        yield from _chunk_rows(spec, chunk, sent_withheld)


class _Withheld:
    """The last person sent without consent: their rows are contiguous (ordered by CLIENTID), sent once."""

    person_id = None


def _chunk_rows(spec: ExportSpec, chunk: list[tuple], withheld: _Withheld):
    as_of = spec.as_of
    episodes = {row[2]: row for row in chunk if row[2] is not None}
    episode_ids = list(episodes)
    person_ids = sorted({row[1] for row in chunk})
    assessments = fields.assessment_fields(episode_ids, as_of=as_of)
    plans = fields.plan_fields(episode_ids, as_of=as_of)
    bbv = fields.bbv_fields(person_ids, as_of=as_of)
    modalities = fields.modality_rows(episode_ids, as_of=as_of)
    tops = fields.top_rows(episode_ids, as_of=as_of)
    if spec.transfer:
        contacts = fields.first_contacts([row[0] for row in chunk], as_of=as_of)
        keyworkers = fields.keyworkers({pk: row[3] for pk, row in episodes.items()}, as_of=as_of)
        orders = fields.community_orders({pk: (row[1], row[4]) for pk, row in episodes.items()}, as_of=as_of)
        joint = fields.joint_working(episode_ids, as_of=as_of)
    no_assessment = (NA,) * _ASSESSMENT_FIELD_COUNT
    no_plan: dict[str, str] = {}
    for row in chunk:
        referral_id, person_id, episode_id, _discharged_on, _received_on, status, triaged_on, agreed, asked_on = row[:9]
        consent = fields.consent(agreed, asked_on, as_of)
        if not spec.transfer and consent != "Y":
            # Anything but a recorded yes by E is no consent: NDTMS gets AGNCY, CLIENTID and CONSENT, once per
            # person (an episode or TOP row with no key would say nothing more).
            if withheld.person_id != person_id:
                withheld.person_id = person_id
                yield referral_id, False, [spec.agency, row[9], NA, consent, *_WITHHELD_REST]
            continue
        assessment = assessments.get(episode_id)
        plan = plans.get(episode_id, no_plan)
        head = [
            spec.agency,
            row[9],
            row[10],
            consent,
            *row[11:22],
            plan.get("CPLANDT", NA),
            *(no_assessment if assessment is None else assessment[:_ASSESSMENT_FIELD_COUNT]),
            *bbv[person_id],
            row[22],
            row[23],
        ]
        if not spec.transfer:
            local = ()
        elif episode_id:
            order = orders.get(episode_id, (NA, NA))
            local = (
                contacts.get(referral_id, NA),
                keyworkers.get(episode_id, NA),
                NA if assessment is None else assessment[_ASSESSMENT_FIELD_COUNT],
                plan.get("XRAPSIGNED", NA),
                plan.get("XRAPREVIEW", NA),
                *order,
                "Y" if episode_id in joint else "N",
                NA,
                NA,
            )
        else:
            closed_on, outcome = fields.referral_closure(status, triaged_on, as_of)
            local = (contacts.get(referral_id, NA), NA, NA, NA, NA, NA, NA, NA, closed_on, outcome)
        for modality in modalities.get(episode_id) or (_NO_MODALITY,):
            yield referral_id, False, [*head, *modality, *_NO_TOP, *local]
        if episode_id in tops:
            keys = head[:3]
            top_local = _NO_LOCAL if spec.transfer else ()
            for top in tops[episode_id]:
                yield referral_id, True, [*keys, *_EPISODE_ROW_NA_AFTER_KEYS, *top, *top_local]


def write_file(
    spec: ExportSpec,
    stream,
    *,
    queryset=None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
    checker=None,
) -> ExportResult:
    """Write the file to the binary `stream` (None: only count and hash it). `progress(referrals written)` is
    called every `progress_every` referrals, for a progress bar (`count_referrals` is the whole). `checker` (a
    `validate.RowChecker`) is given every row as it is written, with its line number, so the import's rules
    judge exactly the file that was written."""
    sink = _Sink(stream)
    writer = _LineWriter(sink)
    writer.writerow(spec.columns)
    episode_rows = top_rows = referrals = 0
    last_referral = None
    line_referrals = array("q")
    snapshot = not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                # One snapshot for every chunk's queries: rows written while the file runs are all in or all out.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for referral_id, is_top, row in iter_rows(spec, queryset):
            writer.writerow(row)
            line_referrals.append(referral_id)
            if checker is not None:
                _check(checker, spec, len(line_referrals) + 1, row)
            if is_top:
                top_rows += 1
            else:
                episode_rows += 1
            if referral_id != last_referral:
                last_referral = referral_id
                referrals += 1
                if progress is not None and referrals % progress_every == 0:
                    progress(referrals)
        writer.flush()
    return ExportResult(
        file_name=spec.file_name,
        checksum=sink.digest.hexdigest(),
        episode_rows=episode_rows,
        top_rows=top_rows,
        size=sink.size,
        line_referrals=line_referrals,
    )


def _check(checker, spec: ExportSpec, line: int, row: list[str]) -> None:
    if spec.transfer:
        checker.add(line, row)
    elif row[3] == "Y":
        # The checker reads rows in transfer-file column order, of which the return's columns are the start.
        checker.add(line, (*row, *_NO_LOCAL))
    # A person sent without consent has three fields and nothing the rules could compare.


def count_referrals(spec: ExportSpec, queryset=None) -> int:
    """How many referrals the file walks: what a progress bar measures against (one query)."""
    return referrals_for(spec, queryset).count()
