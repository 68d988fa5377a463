"""Synthetic data at national scale (`seed_scale`): staff in proportion and ten years of history, streamed.

People are made and written a chunk at a time (one transaction each, by COPY), so memory stays flat whatever
the size: only the staffing state (a few thousand ids) lives across chunks. Each app adds its own rows to a
chunk through its `scale.build(chunk)` (found by name, as `seed_demo` finds `demo.seed`), lowest app first,
so the referrals app's people and episodes are there when recovery plans and assessment add theirs.

Staff are made as the caseloads fill: a keyworker holds 30-60 open episodes, a delivery team 6-12 keyworkers
and its manager; an area (ARM and ESAP assessment teams, prescribing, harm reduction) serves six delivery
teams. Area 0 is the demo's own teams and sign-ins (`core.demo.STAFF`), so the printed logins hold caseloads.
"""

import queue
import random
import sys
import threading
import time
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, connections, models, transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from faker import Faker

from core import audit
from core.bulk import copy_rows, reserve_ids
from core.choices import Gender, Role, TeamKind
from core.demo import DEMO_PASSWORD, seed_staff
from core.demo import TEAMS as DEMO_TEAMS
from core.models import Team, User
from core.registry import app_modules
from core.two_factor import DEMO_DEVICE

CHUNK_PEOPLE = 5000
CASELOAD = (30, 60)
KEYWORKERS_PER_TEAM = (6, 12)
DELIVERY_TEAMS_PER_AREA = 6
ASSESSORS_PER_AREA = 3
PRESCRIBERS_PER_AREA = 2
NAME_POOL = 600


class Weighted:
    """A weighted choice made fast: cumulative weights once, then one random number and a bisection per pick
    (`random.choices` adds the weights up on every call)."""

    def __init__(self, population, weights):
        self.population, self.cumulative = list(population), list(accumulate(weights))
        self.total = self.cumulative[-1]

    @classmethod
    def of(cls, table: dict) -> "Weighted":
        return cls(table, table.values())

    def pick(self, rng: random.Random):
        return self.population[bisect(self.cumulative, rng.random() * self.total)]


def between(rng: random.Random, low: int, high: int) -> int:
    """`rng.randint(low, high)` at a third of the cost."""
    return low + int(rng.random() * (high - low + 1))


class Table:
    """Rows of one model for one chunk, as tuples in `columns` order. Every other NOT NULL column takes its
    model default (the same for every row, added when written); the primary key and database defaults are
    left to the database unless named."""

    def __init__(self, model, columns: list[str]):
        self.model, self.columns, self.rows = model, columns, []
        now = timezone.now()
        self.fixed_columns, fixed = [], []
        for field_ in model._meta.concrete_fields:
            if field_.attname in columns or field_.primary_key or field_.generated or field_.has_db_default():
                continue
            if getattr(field_, "auto_now", False) or getattr(field_, "auto_now_add", False):
                value = now
            elif field_.has_default():
                value = field_.get_default()
            elif field_.null:
                continue
            elif isinstance(field_, models.CharField | models.TextField) and field_.blank:
                value = ""
            else:
                raise TypeError(f"{model.__name__}.{field_.attname} has no default: give it in the columns")
            self.fixed_columns.append(field_.attname)
            fixed.append(value)
        self.fixed = tuple(fixed)

    def add(self, *values) -> None:
        self.rows.append(values)

    def write(self) -> None:
        fixed = self.fixed
        copy_rows(self.model, [*self.columns, *self.fixed_columns], (row + fixed for row in self.rows))


@dataclass
class Area:
    """A local service: where a person is referred (ARM or ESAP by age) and treated (a delivery team)."""

    number: int
    arm: int
    esap: int
    prescribing: int
    harm_reduction: int
    manager: int
    assessors: list[int]
    esap_assessor: int
    prescribers: list[int]
    harm_reduction_worker: int
    local_authority: str
    keyworkers: list[tuple[int, int]] = field(default_factory=list)
    delivery_teams: int = 0


@dataclass
class DeliveryTeam:
    id: int
    area: Area
    manager: int
    size: int  # keyworkers it will have
    tag: str  # in its name and its staff's usernames
    waiting: list[int] = field(default_factory=list)  # existing keyworkers (the demo's) still to take a turn
    keyworkers: int = 0


@dataclass
class Keyworker:
    id: int
    team: DeliveryTeam
    capacity: int
    holds: int = 0


class Staffing:
    """Who takes the next open episode, making staff as caseloads fill. Deterministic from its own stream."""

    def __init__(self, rng: random.Random, names: "NamePool", demo: dict[str, User]):
        self.rng, self.names = rng, names
        self.password = make_password(DEMO_PASSWORD)
        self.groups = {role: Group.objects.get(name=Role(role).label).pk for role in Role.values}
        self.chunk: Chunk | None = None
        self.area_count = 0
        self.areas: list[Area] = []
        self.current: Keyworker | None = None
        # Who is who, for the audit rows' actor_username.
        self.usernames: dict[int, str] = {user.pk: user.username for user in demo.values()}
        self._demo_area(demo)

    # -- the rotation --

    def _worker(self) -> "Keyworker":
        # Staff are made on first use, inside a chunk (they are written with it).
        if self.current is None:
            self._advance()
        return self.current

    @property
    def area(self) -> Area:
        """The area of the keyworker whose turn it is: where the next person is referred and treated."""
        return self._worker().team.area

    def take(self) -> "Keyworker":
        """The keyworker for one more open episode; the next one's turn once this caseload is full."""
        worker = self._worker()
        worker.holds += 1
        if worker.holds >= worker.capacity:
            self._advance()
        return worker

    def past_keyworker(self, area: Area) -> tuple[int, int]:
        """Who held a discharged episode, and their team: any of the area's keyworkers (a past episode counts
        in no current caseload)."""
        return self.rng.choice(area.keyworkers)

    def _advance(self) -> None:
        """The next keyworker: made one at a time, so only the newest can hold fewer than 30, and a new team
        (with its manager) once the current one has its 6-12."""
        team = self.current.team if self.current else None
        if team is None or team.keyworkers >= team.size:
            team = self._new_team()
        if team.waiting:
            pk = team.waiting.pop(0)
        else:
            (pk,) = self._users(Role.KEYWORKER, [team.id], [f"keyworker.{team.tag}.{team.keyworkers + 1:02d}"])
        team.keyworkers += 1
        team.area.keyworkers.append((pk, team.id))
        self.current = Keyworker(pk, team, self.rng.randint(*CASELOAD))

    # -- making staff --

    def _demo_area(self, demo: dict[str, User]) -> None:
        teams = {team.name: team for team in Team.objects.filter(name__in=[name for name, _ in DEMO_TEAMS])}
        area = Area(
            number=0,
            arm=teams["ARM"].pk,
            esap=teams["ESAP"].pk,
            prescribing=teams["Prescribing"].pk,
            harm_reduction=teams["Harm reduction"].pk,
            manager=demo["manager"].pk,
            assessors=[demo["assessor.arm"].pk, demo["assessor.arm2"].pk],
            esap_assessor=demo["assessor.esap"].pk,
            prescribers=[demo["prescriber"].pk],
            harm_reduction_worker=demo["harm.reduction"].pk,
            local_authority=LOCAL_AUTHORITIES[0],
        )
        self.areas.append(area)
        self.area_count = 1
        # The demo keyworkers take the first caseloads, in the demo's delivery teams (filled up with new staff).
        north = [demo[name].pk for name in ("keyworker", "keyworker.m", "keyworker.esap")]
        self._demo_teams = [
            ("000-N", teams["Delivery North"].pk, north),
            ("000-S", teams["Delivery South"].pk, [demo["keyworker.south"].pk]),
        ]

    def _new_team(self) -> "DeliveryTeam":
        size = self.rng.randint(*KEYWORKERS_PER_TEAM)
        if self._demo_teams:
            tag, team_id, waiting = self._demo_teams.pop(0)
            area = self.areas[0]
            team = DeliveryTeam(team_id, area, area.manager, size, tag, waiting)
        else:
            area = self.areas[-1]
            if area.delivery_teams >= DELIVERY_TEAMS_PER_AREA:
                area = self._new_area()
            tag = f"{area.number:03d}-{area.delivery_teams + 1}"
            team_id = self._team(f"Delivery {tag}", TeamKind.DELIVERY)
            (manager,) = self._users(Role.TEAM_MANAGER, [team_id], [f"manager.{tag}"])
            team = DeliveryTeam(team_id, area, manager, size, tag)
        area.delivery_teams += 1
        return team

    def _new_area(self) -> Area:
        number = self.area_count
        self.area_count += 1
        tag = f"{number:03d}"
        arm = self._team(f"ARM {tag}", TeamKind.ARM)
        esap = self._team(f"ESAP {tag}", TeamKind.ESAP)
        prescribing = self._team(f"Prescribing {tag}", TeamKind.PRESCRIBING)
        harm_reduction = self._team(f"Harm reduction {tag}", TeamKind.HARM_REDUCTION)
        (manager,) = self._users(Role.TEAM_MANAGER, [arm, esap], [f"manager.{tag}"])
        assessors = self._users(Role.ASSESSOR, [arm], _numbered(f"assessor.{tag}", ASSESSORS_PER_AREA))
        (esap_assessor,) = self._users(Role.ASSESSOR, [esap], [f"assessor.esap.{tag}"])
        prescribers = self._users(Role.PRESCRIBER, [prescribing], _numbered(f"prescriber.{tag}", PRESCRIBERS_PER_AREA))
        (harm_reduction_worker,) = self._users(Role.HARM_REDUCTION_WORKER, [harm_reduction], [f"harm.reduction.{tag}"])
        area = Area(
            number=number,
            arm=arm,
            esap=esap,
            prescribing=prescribing,
            harm_reduction=harm_reduction,
            manager=manager,
            assessors=assessors,
            esap_assessor=esap_assessor,
            prescribers=prescribers,
            harm_reduction_worker=harm_reduction_worker,
            local_authority=LOCAL_AUTHORITIES[number % len(LOCAL_AUTHORITIES)],
        )
        self.areas.append(area)
        return area

    def _team(self, name: str, kind: str) -> int:
        (pk,) = reserve_ids(Team, 1)
        code = name.upper().replace(" ", "-")[:20]
        self.chunk.table(Team, ["id", "name", "code", "kind", "active"]).add(pk, name, code, kind, True)
        return pk

    def _users(self, role: str, team_ids: list[int], usernames: list[str]) -> list[int]:
        """Sign-ins with the demo password, enrolled in the demo two-factor device like the demo staff."""
        ids = reserve_ids(User, len(usernames))
        users = self.chunk.table(
            User,
            ["id", "username", "password", "first_name", "last_name", "email", "gender", "is_active", "date_joined"],
        )
        groups = self.chunk.table(User.groups.through, ["user_id", "group_id"])
        members = self.chunk.table(Team.members.through, ["team_id", "user_id"])
        devices = self.chunk.table(StaticDevice, ["user_id", "name", "confirmed"])
        now = timezone.now()
        for username, pk in zip(usernames, ids, strict=True):
            self.usernames[pk] = username
            female = self.rng.random() < 0.7  # most of the treatment workforce
            first = self.rng.choice(self.names.female if female else self.names.male)
            last = self.rng.choice(self.names.family)
            gender = Gender.FEMALE if female else Gender.MALE
            users.add(pk, username, self.password, first, last, f"{username}@example.org", gender, True, now)
            groups.add(pk, self.groups[role])
            for team_id in team_ids:
                members.add(team_id, pk)
            devices.add(pk, DEMO_DEVICE, True)
        return ids


def _numbered(prefix: str, count: int) -> list[str]:
    return [f"{prefix}.{number:02d}" for number in range(1, count + 1)]


# ONS codes of English local authorities (unitary, metropolitan and London boroughs): areas take them in turn.
LOCAL_AUTHORITIES = (
    [f"E06{n:06d}" for n in range(1, 67)]
    + [f"E08{n:06d}" for n in range(1, 38)]
    + [f"E09{n:06d}" for n in range(1, 34)]
)


class NamePool:
    """Faker's names and addresses drawn once into lists: a choice from a list costs far less than Faker per row."""

    def __init__(self, seed: int):
        faker = Faker("en_GB")
        faker.seed_instance(seed)
        self.female = [faker.first_name_female() for _ in range(NAME_POOL)]
        self.male = [faker.first_name_male() for _ in range(NAME_POOL)]
        self.family = [faker.last_name() for _ in range(NAME_POOL)]
        self.streets = [faker.street_address() for _ in range(NAME_POOL)]
        self.postcodes = [faker.postcode() for _ in range(NAME_POOL)]
        self.phones = [faker.phone_number()[:30] for _ in range(NAME_POOL)]


@dataclass
class ScaleContext:
    seed: int
    people: int
    today: date
    rng: random.Random
    names: NamePool
    staff: dict[str, User]
    staffing: Staffing
    # Reference rows (codes to ids) each app's builder looks up once, on first use.
    cache: dict = field(default_factory=dict)

    def lookup(self, key, make):
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


class ScaleEpisode(NamedTuple):
    """What the later apps' builders need of an episode the referrals app made."""

    id: int
    person_id: int
    opened_on: date
    discharged_on: date | None
    outcome: str | None  # of the discharge reason: successful, unsuccessful, neutral
    group: str  # presenting group: opiate, alcohol, non_opiate, non_opiate_alcohol
    area: Area
    keyworker_id: int | None
    assessor_id: int
    substances: list[int]  # presenting, in rank order
    delivery_team_id: int | None
    female: bool
    team_id: int  # the ARM or ESAP team that opened it


@dataclass
class Chunk:
    """One batch of people and everything about them, across apps; written together in one transaction."""

    context: ScaleContext
    people: int
    tables: dict = field(default_factory=dict)
    episodes: list[ScaleEpisode] = field(default_factory=list)
    # What one app's builder leaves for a later one's (the assessment app's completion days, for plan reviews).
    shared: dict = field(default_factory=dict)

    def table(self, model, columns: list[str]) -> Table:
        key = (model, tuple(columns))
        if key not in self.tables:
            self.tables[key] = Table(model, columns)
        return self.tables[key]

    @property
    def rows(self) -> int:
        return sum(len(table.rows) for table in self.tables.values())

    def write(self) -> None:
        # In the order the tables were first used: staff, then each person's rows as their app made them
        # (foreign keys are checked at commit, but the episode's trigger reads its referral).
        for table in self.tables.values():
            if table.rows:
                table.write()


def context_for(*, people: int, seed: int, today: date) -> ScaleContext:
    staff = seed_staff()
    names = NamePool(seed)
    rng = random.Random(seed)
    staffing = Staffing(random.Random(seed + 1), names, staff)
    return ScaleContext(seed, people, today, rng, names, staff, staffing)


def chunks(context: ScaleContext, *, chunk_people: int = CHUNK_PEOPLE) -> Iterator[Chunk]:
    """The population a chunk at a time; each chunk is built (not written) before it is yielded."""
    builders = [module.build for module in app_modules("scale") if hasattr(module, "build")]
    made = 0
    while made < context.people:
        chunk = Chunk(context, min(chunk_people, context.people - made))
        context.staffing.chunk = chunk
        for build in builders:
            build(chunk)
        made += chunk.people
        yield chunk


class Progress:
    """One line on stderr per phase, redrawn in place: done, total, rate and time left."""

    def __init__(self, phase: str, total: int, stream=None):
        self.phase, self.total, self.stream = phase, total, stream or sys.stderr
        self.started = time.perf_counter()
        self.done = 0

    def advance(self, count: int, extra: str = "") -> None:
        self.done += count
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed else 0.0
        left = (self.total - self.done) / rate if rate else 0.0
        width = 30
        filled = int(width * self.done / self.total) if self.total else width
        self.stream.write(
            f"\r{self.phase:<8} [{'#' * filled}{'.' * (width - filled)}] {self.done:,}/{self.total:,} "
            f"{rate:,.0f}/s {elapsed:,.0f} s elapsed, {left:,.0f} s left {extra}"
        )
        self.stream.flush()

    def finish(self) -> float:
        elapsed = time.perf_counter() - self.started
        self.stream.write(f"\r{self.phase:<8} done: {self.done:,} in {elapsed:,.1f} s{' ' * 40}\n")
        self.stream.flush()
        return elapsed


def seed_scale(
    *, people: int, seed: int, today: date, chunk_people: int = CHUNK_PEOPLE, trusted: bool = False, stream=None
) -> dict:
    """Make and write `people` people in chunks, then ANALYZE. Returns the counts written.

    `trusted` writes with the database's triggers off (`session_replication_role = replica`, a superuser's
    setting): no foreign key checks and no history events for the load, several times faster. Check and unique
    constraints still hold. The tests load the same rows with every trigger on, which is what makes it safe."""
    with transaction.atomic():
        context = context_for(people=people, seed=seed, today=today)
    progress = Progress("people", people, stream)
    rows = 0
    with transaction.atomic():
        dropped = drop_secondary_indexes()
    try:
        for chunk in built_ahead(chunks(context, chunk_people=chunk_people)):
            with transaction.atomic():
                if trusted:
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL session_replication_role = replica")
                chunk.write()
            # The chunk's audit rows onto the hash chain, in short transactions of their own as after any request.
            audit.seal(wait=True)
            rows += chunk.rows
            progress.advance(chunk.people, f"({rows:,} rows)")
        progress.finish()
    finally:
        rebuild_indexes(dropped, stream)
    # Values an app derives from the loaded rows by its own rule (prescribing's stored due dates): once the load is
    # in place and indexed, as the rule's subqueries read by index.
    for finish in [module.after_load for module in app_modules("scale") if hasattr(module, "after_load")]:
        with transaction.atomic():
            if trusted:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            finish()
    analyze(stream)
    staffing = context.staffing
    return {"people": people, "rows": rows, "areas": staffing.area_count}


def drop_secondary_indexes() -> list[tuple[str, str]]:
    """Drop the plain indexes (not unique, not partial) of the tables the load fills, which are empty before it;
    returns (name, definition) of each, for `rebuild_indexes`. Built once from sorted rows after the load, an
    index costs far less than kept up to date row by row through it (the trigram and JSON indexes most of all).
    Unique indexes stay, so the constraints hold throughout; partial ones are small and the load reads one (the
    audit chain's unsealed rows). Tables with rows (reference data, the demo staff) keep theirs: the builder
    thread reads them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT t.relname, i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relnamespace = current_schema()::regnamespace AND t.relkind = 'r'
                AND NOT x.indisunique AND NOT x.indisprimary AND x.indpred IS NULL
            ORDER BY t.relname, i.relname"""
        )
        indexes = cursor.fetchall()
        empty = {}
        for table, _, _ in indexes:
            if table not in empty:
                cursor.execute(
                    f"SELECT NOT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})"  # nosec B608: a catalogue name, quoted
                )
                empty[table] = cursor.fetchone()[0]
        dropped = [(name, definition) for table, name, definition in indexes if empty[table]]
        for name, _ in dropped:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return dropped


def rebuild_indexes(dropped: list[tuple[str, str]], stream=None) -> None:
    progress = Progress("indexes", len(dropped), stream)
    for _, definition in dropped:
        with transaction.atomic(), connection.cursor() as cursor:
            # A load with its triggers on, inside a caller's transaction (the tests), leaves foreign key checks
            # deferred to its commit, and PostgreSQL builds no index on a table with checks pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(definition)  # PostgreSQL's own text of an index it held (pg_get_indexdef)
        progress.advance(1)
    progress.finish()


def built_ahead(generator: Iterator[Chunk]) -> Iterator[Chunk]:
    """The chunks of `generator`, each built in a thread of its own while the one before is written: building is
    Python's work and writing PostgreSQL's, so on two cores they overlap (the COPY waits on the server without
    holding the GIL). One chunk waits ready at most, so memory holds three at most. The builder's queries (ids
    from sequences, reference rows) go through the thread's own connection; every row is written by the caller."""
    ready: queue.Queue = queue.Queue(maxsize=1)

    def build() -> None:
        try:
            for chunk in generator:
                ready.put(chunk)
            ready.put(None)
        except BaseException as error:  # handed to the caller, which raises it
            ready.put(error)
        finally:
            connections.close_all()

    threading.Thread(target=build, name="seed_scale builder", daemon=True).start()
    while (item := ready.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item


def analyze(stream=None) -> None:
    """Fresh planner statistics: after a bulk load the planner would otherwise guess (issue 16: the duplicate
    check chose a sequential scan until ANALYZE ran)."""
    progress = Progress("analyze", 1, stream)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    progress.advance(1)
    progress.finish()
