import os

import dj_database_url
from django.core.management.base import BaseCommand, CommandError

from core.db_roles import grant_app_role


class Command(BaseCommand):
    help = (
        "Create or update the application's database role (from DATABASE_URL) with row privileges only. "
        "Run after migrate, connected as the tables' owner (DATABASE_MIGRATE_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", help="The role's name (default: the user in DATABASE_URL).")

    def handle(self, *args, role=None, **options):
        app = dj_database_url.parse(os.environ["DATABASE_URL"]) if os.environ.get("DATABASE_URL") else {}
        role = role or app.get("USER")
        if not role:
            raise CommandError("Name the role with --role or in DATABASE_URL.")
        try:
            grant_app_role(role, app.get("PASSWORD") if app.get("USER") == role else None)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Role {role} may read and write rows; it owns no table.")
