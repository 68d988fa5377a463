"""Loading many generated rows quickly (the demo data): PostgreSQL COPY from model instances.

`bulk_create` spends most of its time preparing each value through the field API and the server parsing a
long INSERT; COPY takes the rows as text. Only for rows built in code that are already valid: no field
validation runs here (the database's constraints and triggers still do), and no signals are sent, as with
`bulk_create`.
"""

import csv
import datetime
import io
import json
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal

from django.db import connection, models
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone


def reserve_ids(model, count: int) -> list[int]:
    """Primary keys taken from the table's sequence up front, so rows can refer to each other (and IDs
    derived from them, such as client IDs) before anything is inserted."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _text(value) -> str:
    """A value in COPY's text format."""
    # Plain strings and integers are most of the values, so they are tried first and by exact type.
    kind = type(value)
    if kind is str:
        return _escape(value)
    if kind is int:
        return str(value)
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | float | Decimal | str):
        # TextChoices members are str, and str() of one is its value.
        return _escape(str(value))
    raise TypeError(f"copy_insert cannot write a {type(value).__name__}; use bulk_create for this model")


def _converter(field):
    if isinstance(field, models.JSONField):
        return lambda value: r"\N" if value is None else _escape(json.dumps(value, cls=field.encoder))
    return _text


def copy_insert(objects: list[models.Model], *, model=None) -> list[models.Model]:
    """Insert `objects` (all of one model) with COPY. Objects without a primary key get one from the
    table's sequence first, so afterwards they have `pk` set, as `bulk_create` leaves them."""
    if not objects:
        return objects
    model = model or type(objects[0])
    meta = model._meta
    missing = [obj for obj in objects if obj.pk is None]
    for obj, pk in zip(missing, reserve_ids(model, len(missing)), strict=True):
        obj.pk = pk
    fields = [field for field in meta.concrete_fields if not field.generated]
    # A column left to its database default (db_default) is left out of the COPY, and read back after it, as
    # bulk_create would return it; every object must leave it to the database, or none.
    from_database = []
    for field in fields:
        if not field.has_db_default():
            continue
        left = sum(isinstance(getattr(obj, field.attname), DatabaseDefault) for obj in objects)
        if left not in (0, len(objects)):
            raise TypeError(f"copy_insert needs {field.name} given for every object or for none")
        if left:
            from_database.append(field)
    fields = [field for field in fields if field not in from_database]
    # What `pre_save` would stamp on insert (auto_now, auto_now_add), once for the whole load.
    stamps = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            is_datetime = isinstance(field, models.DateTimeField)
            stamps[field.attname] = timezone.now() if is_datetime else timezone.localdate()
    converters = [(field.attname, _converter(field)) for field in fields]
    rows = io.StringIO()
    for obj in objects:
        for attname, stamp in stamps.items():
            setattr(obj, attname, stamp)
        rows.write("\t".join(convert(getattr(obj, attname)) for attname, convert in converters))
        rows.write("\n")
    rows.seek(0)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN", rows)
        if from_database:
            # Identifiers are the model's own, quoted; the ids are a bound parameter.
            cursor.execute(
                "SELECT {}, {} FROM {} WHERE {} = ANY(%s)".format(  # nosec B608
                    connection.ops.quote_name(meta.pk.column),
                    ", ".join(connection.ops.quote_name(field.column) for field in from_database),
                    connection.ops.quote_name(meta.db_table),
                    connection.ops.quote_name(meta.pk.column),
                ),
                [[obj.pk for obj in objects]],
            )
            by_pk = {obj.pk: obj for obj in objects}
            for pk, *values in cursor.fetchall():
                for field, value in zip(from_database, values, strict=True):
                    setattr(by_pk[pk], field.attname, value)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


def copy_rows(model, attnames: list[str], rows, *, table: str | None = None) -> None:
    """Insert `rows` (tuples of plain values in `attnames` order) into `model`'s table (or `table`, one with
    its columns) with COPY in CSV format.

    For loads where `copy_insert`'s per-value conversion is the cost (a whole caseload): `csv.writer` (C) turns
    a whole batch into text, quoting every value that is not a number, so each column is converted by its type
    without a Python call per value (str, date and datetime as their ISO text, bool as True/False, TextChoices as
    their value). None goes as a quoted empty value that `FORCE_NULL` reads as NULL on the nullable columns, so
    on a nullable text column an empty string is stored as NULL. JSON columns take the JSON text, dumped by the
    caller. auto_now fields are not stamped here: give them."""
    statement = copy_statement(model, attnames, rows, table=table)
    if statement is not None:
        sql, data = statement
        with connection.cursor() as cursor:
            # Read whole: sent in one call, the load does not take the GIL back 8 kB at a time from a thread
            # building the next chunk (core.scale.built_ahead).
            cursor.copy_expert(sql, data, size=len(data.getvalue()))


def copy_statement(model, attnames: list[str], rows, *, table: str | None = None) -> tuple[str, io.StringIO] | None:
    """The COPY that `copy_rows` runs and its data, for a caller that runs it later (None: no rows)."""
    meta = model._meta
    fields = {field.attname: field for field in meta.concrete_fields}
    columns = [fields[attname] for attname in attnames]
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
    if not buffer.tell():
        return None
    buffer.seek(0)
    quote = connection.ops.quote_name
    options = "FORMAT csv"
    nullable = [quote(field.column) for field in columns if field.null]
    if nullable:
        options += f", FORCE_NULL ({', '.join(nullable)})"
    names = ", ".join(quote(field.column) for field in columns)
    return f"COPY {quote(table or meta.db_table)} ({names}) FROM STDIN WITH ({options})", buffer


class CopyBehind:
    """Runs batches of COPY statements (`copy_statement`) on a thread of its own, on the same connection and so in
    the same transaction, while the caller builds the next batch: the database's work on one batch (indexes,
    foreign keys, change history) overlaps Python's on the next, on another core. One batch at a time: `submit`
    waits for the one before. psycopg2 serialises the connection, so a query the caller makes meanwhile waits
    for the batch in hand. Leaving the `with` block waits for the last batch; what the database refused is
    raised there (before an error of the caller's, which a refused batch causes: its transaction is aborted)."""

    def __init__(self):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy-behind")
        self._running: Future | None = None

    def __enter__(self):
        return self

    def submit(self, statements) -> None:
        self.wait()
        # Django's connection object belongs to the caller's thread; its psycopg2 connection can be shared.
        self._running = self._thread.submit(
            self._copy, connection.wrap_database_errors, connection.connection, list(statements)
        )

    @staticmethod
    def _copy(database_errors, database, statements) -> None:
        with database_errors, database.cursor() as cursor:
            for sql, data in statements:
                cursor.copy_expert(sql, data)

    def wait(self) -> None:
        running, self._running = self._running, None
        if running is not None:
            running.result()

    def __exit__(self, kind, error, traceback):
        try:
            self.wait()
        finally:
            self._thread.shutdown()
        return False
