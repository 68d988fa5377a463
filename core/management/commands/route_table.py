"""Write the role-by-route access table (core.route_walk) to a Markdown page."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import route_walk


class Command(BaseCommand):
    help = "Walk every route for every role (in a transaction rolled back at the end) and write the status table."

    def add_arguments(self, parser):
        parser.add_argument("--out", default="docs/route-access.md", help="Where to write the Markdown table.")

    def handle(self, *args, out, **options):
        table, problems = route_walk.walk()
        Path(out).write_text(route_walk.markdown(table))
        counts = route_walk.summary(table)
        self.stdout.write(f"{len(table)} routes, {counts['requests']} requests: written to {out}")
        if route_walk.unexpected(problems):
            raise CommandError("The walk found problems:\n" + "\n".join(route_walk.unexpected(problems)))
