"""The embedded PostgreSQL used when no DATABASE_URL is given (a fresh machine needs only Python).

The server is left running between commands (cleanup_mode=None) so that `make run`, `make test`
and `manage.py` share one cluster under `.data/` instead of paying a start-up each time.
"""

from pathlib import Path


def embedded_database_url(base_dir: Path) -> str:
    import pgserver

    data_dir = base_dir / ".data"
    data_dir.mkdir(exist_ok=True)
    server = pgserver.get_server(data_dir / "pg", cleanup_mode=None)
    return server.get_uri()
