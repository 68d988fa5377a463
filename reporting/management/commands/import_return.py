"""`python manage.py import_return FILE [--create-staff] [--dry-run]`: a transfer-of-care file, all or nothing."""

import json

from django.core.management.base import BaseCommand, CommandError

from reporting.returns.importer import import_file


class Command(BaseCommand):
    help = "Import a transfer-of-care file (domain.md 6 and 6b): every row goes in, or none does."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The transfer-of-care CSV file.")
        parser.add_argument(
            "--create-staff",
            action="store_true",
            help="Make an inactive keyworker account for each XKEYWORKER that names no account.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would be created, and write nothing.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the report as JSON.")

    def handle(self, *args, file, create_staff, dry_run, as_json=False, **options):
        try:
            stream = open(file, "rb")  # noqa: SIM115 (closed below, after the import)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        with stream:
            report = import_file(stream, create_staff=create_staff, dry_run=dry_run)
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self.stdout.write(render(report))
        if report.refused:
            raise CommandError(f"{file} was refused: {len(report.problems)} problem(s), nothing was imported.")


def render(report) -> str:
    lines = [f"{report.rows} rows read (sha256 {report.checksum})."]
    if report.refused:
        lines += [f"Line {p['line']}, {p['field']}: {p['reason']}" for p in report.problems]
        return "\n".join(lines)
    verb = "Would create" if report.dry_run else "Created"
    lines.append(f"{verb}:")
    lines += [f"  {count:>8}  {name}" for name, count in report.created.items() if count]
    lines.append(f"People already here (matched by CLIENTID): {report.people_matched}.")
    lines.append(f"Episodes already here (left as they are): {report.episodes_already_held}.")
    for duplicate in report.possible_duplicates:
        lines.append(
            f"Possible duplicate, flagged for a data admin to merge: {duplicate['client_id']} and "
            f"{duplicate['matches']}."
        )
    if report.staff_created:
        lines.append("Inactive keyworker accounts created: " + ", ".join(report.staff_created) + ".")
    if report.dry_run:
        lines.append("Dry run: nothing was written.")
    return "\n".join(lines)
