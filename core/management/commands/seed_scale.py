import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.demo import DEMO_PASSWORD, STAFF
from core.models import DemoSeedRun
from core.registry import app_modules
from core.scale import CHUNK_PEOPLE, seed_scale

RUN_LABEL = "scale"


class Command(BaseCommand):
    help = (
        "Load synthetic people at national scale (ten years of history, staff in proportion) by COPY, a chunk of "
        "people at a time, then ANALYZE, then the current quarter's KPI snapshots as the nightly job stores them. "
        "Into an empty, migrated database; the demo sign-ins are made too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=100_000, help="How many people (default 100,000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument(
            "--checked",
            action="store_true",
            help="Keep the database's triggers on (foreign key checks, history events): slower, and needs no "
            "superuser. Without it the load runs as `session_replication_role = replica`.",
        )
        parser.add_argument(
            "--chunk", type=int, default=CHUNK_PEOPLE, help=f"People per transaction (default {CHUNK_PEOPLE:,})."
        )

    def handle(self, *args, people, seed, chunk, checked, **options):
        if settings.PRODUCTION:
            raise CommandError("Synthetic data is never loaded into a production system (APP_ENV=production).")
        if people < 1 or chunk < 1:
            raise CommandError("--people and --chunk take a whole number from 1.")
        if DemoSeedRun.objects.filter(app_label=RUN_LABEL).exists():
            raise CommandError("Scale data is already loaded here: seed a fresh database (createdb, then migrate).")
        started = time.perf_counter()
        counts = seed_scale(
            people=people, seed=seed, today=timezone.localdate(), chunk_people=chunk, trusted=not checked
        )
        with transaction.atomic():
            DemoSeedRun.objects.create(app_label=RUN_LABEL, seed=seed, people=people)
        # What an app derives from the whole load once it is in (reporting: the quarter's KPI snapshots).
        for module in app_modules("scale"):
            if hasattr(module, "after_seed"):
                module.after_seed(timezone.localdate())
        self.stdout.write(
            f"{counts['people']:,} people, {counts['rows']:,} rows, {counts['areas']:,} areas "
            f"in {time.perf_counter() - started:,.1f} s"
        )
        self.stdout.write(self.style.SUCCESS("\nSign in at http://127.0.0.1:8000 with any of these:"))
        for username, role, *_ in STAFF:
            self.stdout.write(f"  {role.label:<24} {username:<18} password: {DEMO_PASSWORD}")
        self.stdout.write(
            "  Every generated worker too (keyworker.001-1.01, manager.001-1, assessor.001.01, ...), same password."
        )
