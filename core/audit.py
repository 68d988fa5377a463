"""The one way to write an audit row. Views call `audit_view(request, obj)`; services call `record`."""

import json

from django.db import connection, models, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone

from core import request_context
from core.bulk import copy_insert, copy_statement
from core.choices import AuditAction
from core.models import AuditEvent


def _event(action: str, obj, *, actor, details: dict | None, object_type: str) -> AuditEvent:
    context = request_context.get()
    client_request = {"client_request_id": context.client_request_id} if context.client_request_id else {}
    actor = actor if actor is not None else context.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent(
        actor=actor,
        actor_username=getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        request_id=context.request_id,
        ip_address=context.ip_address,
        path=context.path,
        details={**(details or {}), **client_request},
    )


# Rows chained per short transaction: the chain's lock is never held for long, even after a large import.
SEAL_BATCH = 5000


def seal(*, wait: bool = False) -> int:
    """Chain every committed, unchained audit row onto the hash chain; returns how many. Each batch runs in its
    own short transaction, so the chain's lock is never held for the length of a request or an import. Without
    `wait` (after a request) a sealer already running is left to it and the next one: a request never queues
    behind an import's rows. `verify_audit` waits."""
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT core_auditevent_seal(%s, %s)", [SEAL_BATCH, wait])
            sealed = cursor.fetchone()[0]
        total += sealed
        if sealed < SEAL_BATCH:
            return total


def _seal_after_commit() -> None:
    # One sealing per transaction is enough: it chains every row the transaction wrote.
    if not any(callback is seal for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(seal, robust=True)


def _insert_and_seal(event: AuditEvent) -> None:
    """Write one row and seal it in one round trip: the INSERT and `core_auditevent_seal` sent together run as
    one implicit transaction, so the row is chained as it commits, with the same function, lock and order as
    `seal` (the row, its own transaction's, is among the unchained rows the function sees). A read page in
    autocommit paid four round trips and two commits a row: INSERT, then BEGIN, the seal and COMMIT."""
    fields = [field for field in AuditEvent._meta.local_concrete_fields if not field.primary_key]
    query = InsertQuery(AuditEvent)
    query.insert_values(fields, [event])
    [(insert, params)] = query.get_compiler(connection=connection).as_sql()
    # psycopg2 answers only a query string's last statement: the row's id comes from the session's sequence.
    seal_it = "SELECT currval(pg_get_serial_sequence('core_auditevent', 'id')), core_auditevent_seal(%s, false)"
    with connection.cursor() as cursor:
        cursor.execute(f"{insert}; {seal_it}", [*params, SEAL_BATCH])
        event.pk, sealed = cursor.fetchone()
    event._state.adding, event._state.db = False, connection.alias
    if sealed == SEAL_BATCH:  # a backlog (a bulk load's rows): the rest in batches, as after any commit
        seal()


def record(action: str, obj=None, *, actor=None, details: dict | None = None, object_type: str = "") -> AuditEvent:
    event = _event(action, obj, actor=actor, details=details, object_type=object_type)
    if connection.get_autocommit() and not connection.in_atomic_block:
        _insert_and_seal(event)
    else:
        event.save()
        _seal_after_commit()
    request_context.get().note_audited(event)
    return event


def record_many(action: str, objects, *, actor=None, details: dict | None = None) -> list[AuditEvent]:
    """One row per object, as `record` writes them, in one COPY: for bulk loads such as the demo data."""
    events = [_event(action, obj, actor=actor, details=details, object_type="") for obj in objects]
    copy_insert(events)
    _seal_after_commit()
    return events


# A bulk load's audit rows wait in this temporary table (gone with the transaction) and go into the log already
# chained when the load is done (`append_staged`): chaining them after the commit (`seal`) rewrote every row, an
# UPDATE through all the log's indexes that added about 25 s to an import of 100,000 rows.
STAGED = "core_auditevent_staged"
# One sealer at a time: the lock `core_auditevent_seal` takes. The staging table is `STAGED`.
_APPEND_STAGED = """
DO $$
DECLARE
    last_position bigint;
    last_hash text;
    e core_auditevent;
    chained core_auditevent[] := '{}';
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('core_auditevent_chain'));
    SELECT chain_position, row_hash INTO last_position, last_hash
        FROM core_auditevent WHERE chain_position IS NOT NULL ORDER BY chain_position DESC LIMIT 1;
    last_position := coalesce(last_position, 0);
    last_hash := coalesce(last_hash, '');
    FOR e IN SELECT * FROM pg_temp.core_auditevent_staged ORDER BY id LOOP
        last_position := last_position + 1;
        e.chain_position := last_position;
        e.previous_hash := last_hash;
        last_hash := core_auditevent_hash(last_hash, e);
        e.row_hash := last_hash;
        chained := chained || e;
        IF cardinality(chained) = 5000 THEN
            INSERT INTO core_auditevent SELECT * FROM unnest(chained);
            chained := '{}';
        END IF;
    END LOOP;
    INSERT INTO core_auditevent SELECT * FROM unnest(chained);
    TRUNCATE pg_temp.core_auditevent_staged;
END;
$$
"""


def start_staging() -> None:
    """A staging table for this transaction's bulk audit rows (`staged_rows`), if it has none yet."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"pg_temp.{STAGED}"])
        if cursor.fetchone()[0] is None:
            # Ids from the log's own sequence, so each row keeps its id when it moves into the log.
            cursor.execute(f"CREATE TEMPORARY TABLE {STAGED} (LIKE core_auditevent) ON COMMIT DROP")
            cursor.execute(
                f"ALTER TABLE {STAGED} ALTER id SET DEFAULT nextval(pg_get_serial_sequence('core_auditevent', 'id'))"
            )


def staged_rows(action: str, objects, *, model, actor=None, details: dict | None = None):
    """The COPY (`core.bulk.copy_statement`) of one audit row per record of `model` (plain records: an import of a
    whole caseload) into the staging table (`start_staging`): the rows `record_many` writes, the same who, when
    and where on each, built once, with each record's id and text. The caller runs it, then `append_staged`
    before it commits; rows rolled back were never in the log."""
    event = _event(action, None, actor=actor, details=details, object_type=model._meta.label)
    names = ["at", "actor_id", "actor_username", "action", "object_type", "request_id", "ip_address", "path"]
    shared = (timezone.now(), *(getattr(event, name) for name in names[1:]))
    encoder = AuditEvent._meta.get_field("details").encoder
    shared += (json.dumps(event.details, cls=encoder),)
    shared += ("", "")  # previous_hash, row_hash: set as the rows are chained
    rows = [(*shared, str(obj.pk), str(obj)[:200]) for obj in objects]
    columns = [*names, "details", "previous_hash", "row_hash", "object_id", "object_repr"]
    return copy_statement(AuditEvent, columns, rows, table=STAGED)


def append_staged() -> None:
    """Chain the transaction's staged rows onto the log and move them into it: one INSERT of finished rows
    instead of an INSERT and, after the commit, an UPDATE of each. Takes the chain's lock until the commit, so
    call it last, once everything that could take long is done: a request's sealing meanwhile leaves its rows
    to the next sealer (it never waits), `verify_audit` waits."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"pg_temp.{STAGED}"])
        if cursor.fetchone()[0] is not None:
            cursor.execute(_APPEND_STAGED)


def audit_view(request, obj, **details):
    """Record that the signed-in user read an identifiable record (page or API)."""
    return record(AuditAction.VIEW, obj, actor=request.user, details=details)


def _row_id(row, model):
    """A shown row's record id. Pages show model instances, `values()` dicts, ids, or rows (dataclasses,
    tuples) holding the instance; a row holding only another model's instance is named `label:id`."""
    if isinstance(row, int | str):
        return row
    if isinstance(row, models.Model):
        return row.pk if isinstance(row, model) else f"{row._meta.label}:{row.pk}"
    if isinstance(row, dict):
        if "pk" in row or "id" in row:
            return row.get("pk", row.get("id"))
        values = row.values()
    elif isinstance(row, tuple | list):
        values = row
    else:
        values = vars(row).values() if hasattr(row, "__dict__") else ()
    found = [value for value in values if isinstance(value, models.Model)]
    for value in found:
        if isinstance(value, model):
            return value.pk
    return _row_id(found[0], model) if found else None


def shown_ids(rows, model) -> list:
    """The ids of the records a page showed, in the order shown."""
    return [_row_id(row, model) for row in rows]


def audit_list_view(request, model, rows, **details):
    """Record that a list of identifiable records was shown: one row per page, naming every record on it, so
    "who saw this person" includes the lists the person appeared in."""
    if isinstance(rows, int):
        raise TypeError("audit_list_view takes the rows the page shows (their ids are recorded), not a count")
    ids = shown_ids(rows, model)
    return record(
        AuditAction.VIEW,
        actor=request.user,
        object_type=model._meta.label,
        details={"count": len(ids), "ids": ids, **details},
    )


def audit_search(request, model, query: str, rows, **details):
    """Record a search: the words searched for and every record the page of results showed (a search is
    how someone finds a record they have no reason to open, so it is kept apart from list views)."""
    ids = shown_ids(rows, model)
    return record(
        AuditAction.SEARCH,
        actor=request.user,
        object_type=model._meta.label,
        details={"search": query, "count": len(ids), "ids": ids, **details},
    )
