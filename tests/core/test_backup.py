"""`make backup` and `make restore`: a dump restored into an empty database has every row it had."""

import pytest
from django.core.management import call_command
from django.db import connection

from core import audit
from core.backup import database_backup, database_restore
from core.choices import Role
from core.errors import DomainError
from core.factories import make_staff
from core.models import AuditEvent


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _audit_rows():
    return list(AuditEvent.objects.order_by("id").values_list("id", "action", "object_type", "details"))


@pytest.fixture
def scratch_database():
    """An empty database beside the test database; the connection points at it inside the `with`."""
    name = f"{connection.settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    original = connection.settings_dict["NAME"]

    class Switch:
        def __enter__(self):
            connection.close()
            connection.settings_dict["NAME"] = name

        def __exit__(self, *exc):
            connection.close()
            connection.settings_dict["NAME"] = original

    yield Switch()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restored_into_an_empty_database_has_every_row_and_the_same_audit_trail(tmp_path, scratch_database):
    keyworker = make_staff(Role.KEYWORKER, username="kw.backup")
    audit.record("view", keyworker, actor=keyworker, details={"why": "backup test"})
    dump = database_backup(out=tmp_path / "backup.dump")
    counts, audit_rows = _row_counts(), _audit_rows()

    with scratch_database:
        database_restore(dump=dump)
        assert _row_counts() == counts
        assert _audit_rows() == audit_rows
    assert counts["core_auditevent"] >= 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_database_that_already_has_tables(tmp_path):
    dump = database_backup(out=tmp_path / "backup.dump")
    with pytest.raises(DomainError, match="restore only into an empty database"):
        database_restore(dump=dump)


@pytest.mark.django_db
def test_restore_names_a_missing_file(tmp_path):
    with pytest.raises(DomainError, match="No backup file"):
        database_restore(dump=tmp_path / "missing.dump")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_backup_command_audits_the_export(tmp_path):
    call_command("backup_database", out=tmp_path / "b.dump")
    assert AuditEvent.objects.filter(action="export", object_type="database backup").exists()
