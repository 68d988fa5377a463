"""The application's database role owns no table, so it cannot get round the audit log (issue 15, item 8).

Run on the machine's PostgreSQL: a real second connection, signed in as the role `grant_app_role` made.
"""

import secrets

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core import audit
from core.choices import AuditAction

REFUSED = [
    "TRUNCATE core_auditevent",
    "ALTER TABLE core_auditevent ADD COLUMN note text",
    "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
    "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
    "SET session_replication_role = replica",
    "UPDATE core_auditevent SET action = 'view'",
    "DELETE FROM core_auditevent",
    "DROP TABLE core_auditevent",
]


@pytest.fixture
def app_connection():
    role, password = f"app_{secrets.token_hex(4)}", secrets.token_hex(16)
    call_command("grant_app_role", role=role)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER ROLE {role} PASSWORD %s", [password])
    settings = connection.settings_dict
    app = psycopg2.connect(
        dbname=settings["NAME"], user=role, password=password, host=settings["HOST"], port=settings["PORT"] or 5432
    )
    yield app
    app.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_app_role_is_refused_what_would_get_round_the_audit_log_but_reads_writes_and_seals_it(app_connection):
    # One test, not one per statement: each database test here empties and reloads the whole database.
    audit.record(AuditAction.CHANGE, object_type="test")
    refusals = {}
    for statement in REFUSED:
        with app_connection.cursor() as cursor:
            try:
                cursor.execute(statement)
            except psycopg2.Error as error:
                refusals[statement] = error.pgcode
        app_connection.rollback()
    # Insufficient privilege, or (UPDATE of a sealed row) the append-only trigger.
    assert {statement: code in {"42501", "P0001"} for statement, code in refusals.items()} == dict.fromkeys(
        REFUSED, True
    )
    with app_connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (at, actor_username, action, object_type, object_id, object_repr,"
            " request_id, path, details, previous_hash, row_hash)"
            " VALUES (now(), 'app', 'view', 't', '1', '', '', '', '{}', '', '')"
        )
        cursor.execute("SELECT core_auditevent_seal()")
        cursor.execute("SELECT count(*) FROM core_auditevent WHERE chain_position IS NULL")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
    app_connection.commit()


@pytest.mark.django_db
def test_the_app_role_cannot_be_the_owner():
    with pytest.raises(CommandError, match="must not be the tables' owner"):
        call_command("grant_app_role", role=connection.settings_dict["USER"])
