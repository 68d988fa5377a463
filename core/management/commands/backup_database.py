from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand

from core import audit
from core.backup import database_backup


class Command(BaseCommand):
    help = "Dump the whole database with pg_dump (custom format) for `restore_database` to load."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", type=Path, default=Path("backups") / f"recovery-record-{date.today():%Y-%m-%d}.dump"
        )

    def handle(self, *args, out: Path, **options):
        database_backup(out=out)
        audit.record("export", object_type="database backup", details={"file": str(out), "bytes": out.stat().st_size})
        self.stdout.write(
            f"Backup written to {out} ({out.stat().st_size:,} bytes). It holds health records: encrypt it."
        )
