"""The application's database role: reads and writes rows, owns nothing (docs/deployment.md, "Database roles").

Owning no table is what makes the audit log hold against the application's own credentials: only a table's
owner (or a superuser) may TRUNCATE it without the privilege, ALTER it, disable its triggers, and only a
superuser may set session_replication_role (which skips triggers).
"""

from django.db import connection, transaction
from psycopg2 import sql

ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
# The chain columns are the one thing the application may set on an audit row (sealing, core.audit.seal).
AUDIT_CHAIN_COLUMNS = ("chain_position", "previous_hash", "row_hash")


def grant_app_role(role: str, password: str | None = None) -> None:
    """Create (or bring up to date) `role` with row privileges on every table, now and future ones created by
    the connected owner, and nothing else. Run as the tables' owner, after migrate."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        owner, database = cursor.fetchone()
        if role == owner:
            raise ValueError(f"The application role must not be the tables' owner ({owner}); name another role.")
        name = sql.Identifier(role)
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        verb = "ALTER" if cursor.fetchone() else "CREATE"
        attributes = sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")
        if password:
            attributes = sql.SQL("{} PASSWORD {}").format(attributes, sql.Literal(password))
        statements = [
            sql.SQL(verb + " ROLE {} {}").format(name, attributes),
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), name),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
            sql.SQL(f"GRANT {ROW_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {{}}").format(name),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name),
            sql.SQL(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {ROW_PRIVILEGES} ON TABLES TO {{}}").format(name),
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}").format(name),
            # The audit log: append and seal only (its trigger also refuses any other change, from anyone).
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON core_auditevent FROM {}").format(name),
            sql.SQL("GRANT UPDATE ({}) ON core_auditevent TO {}").format(
                sql.SQL(", ").join(map(sql.Identifier, AUDIT_CHAIN_COLUMNS)), name
            ),
        ]
        for statement in statements:
            cursor.execute(statement)
