"""The audit log's hash chain: item 8 of issue 15 (docs/architecture.md, "The audit log")."""

import itertools
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from core import audit
from core.chain import verify_chain
from core.choices import AuditAction, Role
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _as_owner_with_the_trigger_disabled(sql, params):
    with connection.cursor() as cursor:
        # The actor's deferred foreign key check would otherwise still be pending on the table.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def _events(staff, n=5):
    user = staff(Role.KEYWORKER)
    return [audit.record(AuditAction.VIEW, user, details={"n": n}) for n in range(n)]


def test_each_row_holds_the_hash_of_the_row_before_once_sealed(staff):
    events = _events(staff)
    assert audit.seal() >= len(events)
    rows = list(AuditEvent.objects.order_by("chain_position").values("chain_position", "previous_hash", "row_hash"))
    assert [row["chain_position"] for row in rows] == list(range(1, len(rows) + 1))
    for before, after in itertools.pairwise(rows):
        assert after["previous_hash"] == before["row_hash"]
        assert len(after["row_hash"]) == 64


def test_verify_audit_says_the_chain_is_intact_with_the_row_count(staff, capsys):
    _events(staff)
    call_command("verify_audit")
    assert f"chain intact, {AuditEvent.objects.count()} rows" in capsys.readouterr().out


def test_verify_audit_reports_a_row_changed_by_the_table_owner_with_the_trigger_disabled(staff):
    events = _events(staff)
    audit.seal()
    _as_owner_with_the_trigger_disabled(
        "UPDATE core_auditevent SET actor_username = 'someone else' WHERE id = %s", [events[2].pk]
    )
    report = verify_chain()
    assert report.problems == [
        f"row id {events[2].pk} (position {AuditEvent.objects.get(pk=events[2].pk).chain_position}) "
        "was changed after it was chained"
    ]
    with pytest.raises(CommandError, match="audit chain broken: 1 problems"):
        call_command("verify_audit")


def test_verify_audit_reports_a_deleted_row_as_a_gap(staff):
    events = _events(staff)
    audit.seal()
    position = AuditEvent.objects.get(pk=events[1].pk).chain_position
    _as_owner_with_the_trigger_disabled("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    report = verify_chain()
    assert report.problems == [f"gap: positions {position} to {position} are missing (before row id {events[2].pk})"]
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_a_chained_row_cannot_be_rechained_and_an_unchained_row_can_change_only_its_chain_columns(staff):
    first, _second = _events(staff, 2)
    audit.seal()
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET row_hash = 'x' WHERE id = %s", [first.pk])
    third = audit.record(AuditAction.VIEW, first.actor)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET chain_position = 999, action = 'change' WHERE id = %s", [third.pk])


def test_rows_written_by_copy_are_chained_too(staff):
    user = staff(Role.KEYWORKER)
    audit.record_many(AuditAction.CREATE, [user] * 50)
    audit.seal()
    assert not AuditEvent.objects.filter(chain_position__isnull=True).exists()
    assert verify_chain().intact


def test_an_audit_row_is_sealed_when_its_transaction_commits(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        audit.record(AuditAction.VIEW, staff(Role.KEYWORKER))
        audit.record(AuditAction.VIEW, staff(Role.KEYWORKER))
    assert len(callbacks) == 1
    assert not AuditEvent.objects.filter(chain_position__isnull=True).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sealers_never_fork_the_chain(staff):
    user = staff(Role.KEYWORKER)
    errors = []

    def write_and_seal():
        try:
            for _ in range(20):
                audit.record(AuditAction.VIEW, user)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write_and_seal) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify_chain()
    assert report.intact
    assert report.rows == AuditEvent.objects.count() >= 80


def test_sealing_goes_in_short_batches_until_every_row_is_chained(staff, monkeypatch):
    monkeypatch.setattr(audit, "SEAL_BATCH", 2)
    audit.record_many(AuditAction.CREATE, [staff(Role.KEYWORKER)] * 7)
    assert audit.seal(wait=True) >= 7
    assert not AuditEvent.objects.filter(chain_position__isnull=True).exists()
    assert verify_chain().intact


def test_the_scheduled_sealing_job_chains_rows_a_request_left_unsealed(staff):
    """A request's sealer gives way to another holding the lock; the rows it leaves wait for the beat job
    (core.schedule), not for the next write."""
    from core.schedule import BEAT_SCHEDULE
    from core.tasks import seal_audit

    events = _events(staff, 3)  # in the test's transaction: no commit, so no request sealing ran
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in events], chain_position__isnull=True).count() == 3
    assert seal_audit.delay().get() >= 3
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in events], chain_position__isnull=True).count() == 0
    assert verify_chain(seal_first=False).intact
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} == {"core.seal_audit"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_written_outside_a_transaction_is_chained_as_it_commits_and_never_waits_for_the_lock(
    staff, django_assert_num_queries
):
    """A read page runs in autocommit: its row and the sealing go in one round trip (one commit), and while
    another sealer holds the chain's lock (an import's last step) the row commits unchained for the next one."""
    user = staff(Role.KEYWORKER)
    with django_assert_num_queries(1):
        chained = audit.record(AuditAction.VIEW, user, details={"n": 1})
    assert AuditEvent.objects.get(pk=chained.pk).chain_position is not None
    assert AuditEvent.objects.get(pk=chained.pk).object_id == str(user.pk)

    holding, release = threading.Event(), threading.Event()

    def hold_the_chain_lock():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('core_auditevent_chain'))")
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_chain_lock)
    holder.start()
    assert holding.wait(10)
    left = audit.record(AuditAction.VIEW, user, details={"n": 2})
    assert AuditEvent.objects.get(pk=left.pk).chain_position is None
    release.set()
    holder.join()
    assert audit.seal(wait=True) == 1
    report = verify_chain(seal_first=False)
    assert report.intact
    assert report.rows == AuditEvent.objects.count()
