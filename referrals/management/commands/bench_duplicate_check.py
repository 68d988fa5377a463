"""Time the duplicate check on this database: an exact match and each near-match kind.

Picks a recorded person, types their details the way a reception worker gets them wrong (a surname
spelt differently, a date of birth one digit off, day and month swapped) and runs the service the
page and the API call. Prints the timings, then the EXPLAIN ANALYZE of one check.
"""

import statistics
import time
from datetime import date

from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import F

from referrals.models import Person
from referrals.services.people import person_find_duplicates

SPELLINGS = (("i", "y"), ("y", "i"), ("ss", "s"), ("ll", "l"), ("e", "a"), ("a", "e"), ("o", "ou"))


def respelt(name: str) -> str:
    for old, new in SPELLINGS:
        if old in name[1:]:
            return name[0] + name[1:].replace(old, new, 1)
    return name + "e"


def one_digit_off(born: date) -> date:
    """The year's last digit mistyped: 1985 entered as 1986 (or 1988 for 1989)."""
    return born.replace(year=born.year + 1 if born.year % 10 < 9 else born.year - 1)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20)

    def handle(self, *args, runs, **options):
        current = Person.objects.filter(merged_into__isnull=True)
        total = current.count()
        # A day of birth that can swap with the month, so every kind is tried on the same person.
        swappable = current.filter(date_of_birth__day__lte=12).exclude(date_of_birth__day=F("date_of_birth__month"))
        person = swappable.order_by("id")[total // 4 : total // 4 + 1].get()
        born, respelt_name = person.date_of_birth, respelt(person.family_name)
        kinds = {
            "exact name and date of birth": (person.family_name, born),
            "surname spelt differently, same date of birth": (respelt_name, born),
            "surname spelt differently, date of birth one digit off": (respelt_name, one_digit_off(born)),
            "surname spelt differently, day and month swapped": (respelt_name, date(born.year, born.day, born.month)),
        }
        self.stdout.write(f"{total} current people; looking for {person.client_id}, born {born:%Y-%m-%d}")
        for label, (family_name, typed) in kinds.items():
            query = {"given_name": person.given_name, "family_name": family_name, "date_of_birth": typed}
            query["sex"] = person.sex_id
            person_find_duplicates(**query)  # warm, as a service in use is
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                matches = person_find_duplicates(**query)
                timings.append((time.perf_counter() - started) * 1000)
            found = next((m for m in matches if m.person.pk == person.pk), None)
            self.stdout.write(
                f"- {label} ({family_name!r}, {typed:%Y-%m-%d}): found {found is not None}, "
                f"{found.reasons if found else ''}, {len(matches)} match(es); "
                f"median {statistics.median(timings):.1f} ms, slowest {max(timings):.1f} ms, {runs} runs"
            )
        self.explain(person)

    def explain(self, person):
        captured = []

        def capture(execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            person_find_duplicates(
                given_name=person.given_name,
                family_name=respelt(person.family_name),
                date_of_birth=person.date_of_birth,
                sex=person.sex_id,
            )
        sql, params = captured[-1]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            self.stdout.write("\n".join(row[0] for row in cursor.fetchall()))
