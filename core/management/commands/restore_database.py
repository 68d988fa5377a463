from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import database_restore
from core.errors import DomainError


class Command(BaseCommand):
    help = "Load a backup made by `backup_database` into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path)

    def handle(self, *args, dump: Path, **options):
        try:
            database_restore(dump=dump)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Restored {dump}.")
