import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.demo import DEMO_PASSWORD, STAFF, context_for, seed_staff
from core.models import DemoSeedRun
from core.registry import app_modules
from core.scale import analyze


class Command(BaseCommand):
    help = "Create demo staff (one sign-in per role) and synthetic people. Running it again adds nothing."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=300, help="How many synthetic people (default 300).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed gives the same data.")

    def handle(self, *args, people, seed, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded into a production system (APP_ENV=production).")
        staff = seed_staff()
        today = timezone.localdate()
        for module in app_modules("demo"):
            app_label = module.__name__.split(".")[0]
            if not hasattr(module, "seed"):
                continue
            if DemoSeedRun.objects.filter(app_label=app_label).exists():
                self.stdout.write(f"{app_label}: demo data already loaded")
                continue
            started = time.perf_counter()
            with transaction.atomic():
                module.seed(context_for(app_label, seed=seed, people=people, staff=staff, today=today))
                DemoSeedRun.objects.create(app_label=app_label, seed=seed, people=people)
            # Timed per app so a slow demo is found by name (issue 2: 10,000 people in under a minute).
            self.stdout.write(f"{app_label}: demo data loaded in {time.perf_counter() - started:.1f} s")
        # Fresh planner statistics for what was just loaded (the duplicate check's plan needed them, issue 16).
        analyze(self.stderr)
        self.stdout.write(self.style.SUCCESS("\nSign in at http://127.0.0.1:8000 with any of these:"))
        for username, role, *_ in STAFF:
            self.stdout.write(f"  {role.label:<24} {username:<18} password: {DEMO_PASSWORD}")
