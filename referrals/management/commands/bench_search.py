"""Time the header's search on this database, as the page runs it: the capped count and the first page of 25
with each result's latest episode, for a data admin (everyone), an assessor (a team) and a keyworker.

Picks a recorded person and searches for them the ways staff do: a misspelt surname, given name and surname,
a date of birth, a name with a date of birth, the client ID, the NHS number and the episode ID. Prints the
median and slowest of `--runs`, then the EXPLAIN ANALYZE of the misspelt surname for the assessor.
"""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection

from core.models import User
from core.pagination import capped_count
from referrals.management.commands.bench_duplicate_check import respelt
from referrals.models import Person, Referral
from referrals.search import search_people, with_latest_referral
from referrals.views_search import SEARCH_PAGE_SIZE


def first_page(user, text):
    people = search_people(user, text)
    count, _capped = capped_count(people)
    return count, list(with_latest_referral(people, user)[:SEARCH_PAGE_SIZE])


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=10)
        parser.add_argument("--users", default="data.admin,assessor.arm,keyworker")

    def handle(self, *args, runs, users, **options):
        total = Person.objects.filter(merged_into__isnull=True).count()
        referral = Referral.objects.exclude(person__nhs_number="").select_related("person").order_by("id")
        referral = referral[total // 3 : total // 3 + 1].get()
        person = referral.person
        queries = {
            "misspelt surname": respelt(person.family_name),
            "given name and surname": f"{person.given_name} {person.family_name}",
            "date of birth": f"{person.date_of_birth:%d/%m/%Y}",
            "misspelt surname and date of birth": f"{respelt(person.family_name)} {person.date_of_birth:%d/%m/%Y}",
            "client ID": person.client_id,
            "NHS number": f"{person.nhs_number[:3]} {person.nhs_number[3:6]} {person.nhs_number[6:]}",
            "episode ID": referral.episode_id,
        }
        self.stdout.write(f"{total} current people; searching for {person.client_id} ({person.family_name})")
        for username in users.split(","):
            user = User.objects.get(username=username)
            self.stdout.write(f"{username}:")
            for label, text in queries.items():
                first_page(user, text)  # warm, as a service in use is
                timings = []
                for _ in range(runs):
                    started = time.perf_counter()
                    count, rows = first_page(user, text)
                    timings.append((time.perf_counter() - started) * 1000)
                found = any(row.pk == person.pk for row in rows)
                self.stdout.write(
                    f"- {label} ({text!r}): {count} found, the person on page 1: {found}; "
                    f"median {statistics.median(timings):.1f} ms, slowest {max(timings):.1f} ms, {runs} runs"
                )
        self.explain(User.objects.get(username=users.split(",")[1]), respelt(person.family_name))

    def explain(self, user, text):
        rows = with_latest_referral(search_people(user, text), user)[:SEARCH_PAGE_SIZE]
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            self.stdout.write("\n".join(row[0] for row in cursor.fetchall()))
