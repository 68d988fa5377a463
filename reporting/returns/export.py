"""Writes the monthly NDTMS return and the transfer-of-care file (domain.md 6 and 6b).

PostgreSQL writes the file: `fields.file_query` is the whole file as one query, which `COPY (...) TO STDOUT WITH
(FORMAT csv, FORCE_QUOTE *)` turns into exactly the lines the format asks for (every value double-quoted, a quote
doubled, `\n` line ends). Each line arrives on its own and goes straight to the stream, so memory stays flat
whatever the size. Everything is read in one repeatable-read snapshot, so a file written while others work is
still one consistent picture. Each line comes with two leading values that are not written: whether it is a TOP
row, and the referral it came from (so a problem found by the import's rules links to the record to fix).
"""

import csv
import hashlib
import io
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection, transaction

from referrals.models import Referral
from reporting.periods import Period
from reporting.returns import fields
from reporting.returns.columns import LOCAL_FIELDS, NA, RETURN_COLUMNS, TRANSFER_COLUMNS, Dialect, file_name

_NO_LOCAL = (NA,) * len(LOCAL_FIELDS)


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
    """Where COPY's lines go, one a call: the two leading values are read off, the rest is hashed, counted, written
    to the binary stream and (when asked) given to the import's rules."""

    def __init__(self, spec: ExportSpec, stream, *, checker, progress, progress_every: int):
        self.spec, self.stream, self.checker = spec, stream, checker
        self.progress, self.progress_every = progress, progress_every
        self.digest = hashlib.sha256()
        self.size = self.episode_rows = self.top_rows = self.referrals = 0
        self.line_referrals = array("q")

    def header(self, columns) -> None:
        text = io.StringIO()
        csv.writer(text, dialect=Dialect).writerow(columns)
        self._out(text.getvalue().encode())

    def _out(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        if self.stream is not None:
            self.stream.write(data)

    def write(self, data) -> None:
        if isinstance(data, str):
            data = data.encode()
        # `"E","123",` then the line: the kind is one letter and the referral id digits, so neither holds a quote.
        end = data.index(b'"', 5)
        referral_id = int(data[5:end])
        line = data[end + 2 :]
        self._out(line)
        if data[1:2] == b"T":
            self.top_rows += 1
        else:
            self.episode_rows += 1
        if not self.line_referrals or self.line_referrals[-1] != referral_id:
            self.referrals += 1
            if self.progress is not None and self.referrals % self.progress_every == 0:
                self.progress(self.referrals)
        self.line_referrals.append(referral_id)
        if self.checker is not None:
            self._check(len(self.line_referrals) + 1, next(csv.reader([line.decode()], dialect=Dialect)))

    def _check(self, line: int, row: list[str]) -> None:
        if self.spec.transfer:
            self.checker.add(line, row)
        elif row[3] == "Y":
            # The checker reads rows in transfer-file column order, of which the return's columns are the start.
            self.checker.add(line, (*row, *_NO_LOCAL))
        # A person sent without consent has three fields and nothing the rules could compare.


def referrals_for(spec: ExportSpec, queryset=None):
    """The referrals the file holds (6b), starting from `queryset` (the caller's `visible_to(user)`)."""
    queryset = Referral.objects.all() if queryset is None else queryset
    if spec.transfer:
        return fields.transfer_referrals(queryset, as_of=spec.as_of)
    return fields.return_referrals(queryset, start=spec.start, end=spec.as_of)


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
    sink = _Sink(spec, stream, checker=checker, progress=progress, progress_every=progress_every)
    sink.header(spec.columns)
    sql, params = fields.file_query(
        referrals_for(spec, queryset), as_of=spec.as_of, transfer=spec.transfer, agency=spec.agency
    )
    snapshot = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if snapshot:
            # One snapshot for the whole file: rows written while it runs are all in or all out.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # The file's rows are sorted once, in memory rather than in temporary files (for this transaction only).
        cursor.execute("SET LOCAL work_mem = '128MB'")
        # COPY takes no parameters: they are bound into the query text by the driver's own quoting.
        query = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)", sink)
    return ExportResult(
        file_name=spec.file_name,
        checksum=sink.digest.hexdigest(),
        episode_rows=sink.episode_rows,
        top_rows=sink.top_rows,
        size=sink.size,
        line_referrals=sink.line_referrals,
    )


def count_referrals(spec: ExportSpec, queryset=None) -> int:
    """How many referrals the file walks: what a progress bar measures against (one query)."""
    return referrals_for(spec, queryset).count()
