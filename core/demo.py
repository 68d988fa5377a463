"""Demo staff and teams: one sign-in per role, printed by `seed_demo`."""

import random
from dataclasses import dataclass
from datetime import date

import factory
from django.contrib.auth.hashers import make_password
from faker import Faker

from core.choices import Gender, Role, TeamKind
from core.factories import TeamFactory, make_staff
from core.models import Team, User
from core.two_factor import mark_demo_enrolled

DEMO_PASSWORD = "demo-password-2026"

TEAMS = [
    ("ARM", TeamKind.ARM),
    ("ESAP", TeamKind.ESAP),
    ("Delivery North", TeamKind.DELIVERY),
    ("Delivery South", TeamKind.DELIVERY),
    ("Prescribing", TeamKind.PRESCRIBING),
    ("Harm reduction", TeamKind.HARM_REDUCTION),
]

# username, role, teams, gender, extra fields
STAFF = [
    ("referrer", Role.REFERRER, ["ARM", "ESAP"], Gender.FEMALE, {}),
    ("assessor.arm", Role.ASSESSOR, ["ARM", "Delivery North", "Delivery South"], Gender.FEMALE, {}),
    ("assessor.arm2", Role.ASSESSOR, ["ARM", "Delivery North", "Delivery South"], Gender.MALE, {}),
    ("assessor.esap", Role.ASSESSOR, ["ESAP"], Gender.MALE, {}),
    ("keyworker", Role.KEYWORKER, ["Delivery North"], Gender.FEMALE, {}),
    ("keyworker.m", Role.KEYWORKER, ["Delivery North"], Gender.MALE, {}),
    ("keyworker.south", Role.KEYWORKER, ["Delivery South"], Gender.FEMALE, {}),
    ("keyworker.esap", Role.KEYWORKER, ["ESAP"], Gender.MALE, {}),
    ("prescriber", Role.PRESCRIBER, ["Prescribing"], Gender.MALE, {}),
    ("harm.reduction", Role.HARM_REDUCTION_WORKER, ["Harm reduction"], Gender.FEMALE, {}),
    ("manager", Role.TEAM_MANAGER, ["ARM", "ESAP", "Delivery North", "Delivery South"], Gender.MALE, {}),
    ("commissioner", Role.COMMISSIONER, [], Gender.FEMALE, {}),
    ("data.admin", Role.DATA_ADMIN, [], Gender.MALE, {"is_staff": True}),
]


def seed_staff() -> dict[str, User]:
    """Idempotent: runs on every `seed_demo`, so the printed logins always work."""
    teams = {name: TeamFactory(name=name, kind=kind) for name, kind in TEAMS}
    # One hash for every demo sign-in: hashing is slow on purpose (about half a second each), and these
    # accounts share one published password anyway.
    password = factory.Transformer.Force(make_password(DEMO_PASSWORD))
    # Names from their own fixed seed, so the demo staff are the same people on every machine, and match
    # the gender a person may ask for in a worker.
    names = Faker("en_GB")
    names.seed_instance(2026)
    users = {}
    for username, role, team_names, gender, extra in STAFF:
        first_name = names.first_name_female() if gender == Gender.FEMALE else names.first_name_male()
        user = make_staff(
            role,
            username=username,
            gender=gender,
            password=password,
            first_name=first_name,
            last_name=names.last_name(),
            **extra,
        )
        for name in team_names:
            teams[name].members.add(user)
        mark_demo_enrolled(user)
        users[username] = user
    return users


def demo_teams() -> dict[str, Team]:
    return {team.name: team for team in Team.objects.all()}


@dataclass
class DemoContext:
    """What every app's `demo.seed(context)` receives. Each app gets its own random streams, seeded
    from `seed` and its name, so one app's demo data never shifts when another's changes."""

    seed: int
    people: int
    rng: random.Random
    faker: Faker
    staff: dict[str, User]
    teams: dict[str, Team]
    today: date


def context_for(app_label: str, *, seed: int, people: int, staff: dict[str, User], today: date) -> DemoContext:
    app_seed = seed * 1000 + sum(app_label.encode())
    faker = Faker("en_GB")
    faker.seed_instance(app_seed)
    return DemoContext(seed, people, random.Random(app_seed), faker, staff, demo_teams(), today)
