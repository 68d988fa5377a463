"""Logical backups with PostgreSQL's own tools: `pg_dump --format=custom` and `pg_restore`.

The tools are the server's: the machine's on PATH when `DATABASE_URL` names a server, the ones the embedded
PostgreSQL ships with otherwise (a fresh machine has no other). A restore goes only into an empty database, so
nothing of a damaged database survives beside the backup.
"""

import os
import shutil
import subprocess
from pathlib import Path

from django.db import connection

from core.errors import DomainError


def _tool(name: str) -> str:
    if not os.environ.get("DATABASE_URL"):
        import pgserver

        return str(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)
    found = shutil.which(name)
    if not found:
        raise DomainError(f"{name} was not found on PATH: install the PostgreSQL client tools of the server's version.")
    return found


def _connection_arguments() -> tuple[list[str], dict[str, str]]:
    """libpq options for the default database, with the password in the environment, never on a command line."""
    database = connection.settings_dict
    arguments = ["--dbname", database["NAME"], "--username", database.get("USER") or "postgres"]
    if database.get("HOST"):
        arguments += ["--host", database["HOST"]]
    if database.get("PORT"):
        arguments += ["--port", str(database["PORT"])]
    environment = {**os.environ}
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = database["PASSWORD"]
    return arguments, environment


def database_backup(*, out: Path) -> Path:
    """Write a custom-format dump of the whole database to `out` (created or replaced)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    arguments, environment = _connection_arguments()
    # bandit: a fixed executable and arguments, no shell; the file name is the operator's own.
    subprocess.run([_tool("pg_dump"), "--format=custom", "--file", str(out), *arguments], env=environment, check=True)
    return out


def user_table_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return cursor.fetchone()[0]


def database_restore(*, dump: Path) -> None:
    """Restore `dump` into the configured database, which must hold no tables yet, in one transaction."""
    if not dump.is_file():
        raise DomainError(f"No backup file at {dump}: give the path of a file made by `make backup`.")
    if tables := user_table_count():
        raise DomainError(
            f"The database already holds {tables} tables: restore only into an empty database "
            "(for the embedded one, `make clean-data` first), so nothing of the old one survives beside the backup."
        )
    connection.close()
    arguments, environment = _connection_arguments()
    subprocess.run(
        [_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction", *arguments, str(dump)],
        env=environment,
        check=True,
    )
