"""Walk every URL pattern (pages and API) for every role with an id inside and outside scope.

Routes come from the URL configuration (`get_resolver().url_patterns`, recursively), so a new route is walked
without editing anything. Each role and anonymous GETs each route twice: with every id in the path set to a
record the role may see, and to one of the same kind it may not. The data set gives the in-scope records of
every kind the same primary key (IN_SCOPE) and the out-of-scope ones another (OUT_OF_SCOPE), so one number
fits whatever model a route looks up. `python manage.py route_table` writes the result to docs/route-access.md
and tests/security/test_route_walk.py checks the rules and that the committed table is current.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from core.choices import Role, TeamKind
from core.dates import long_date

IN_SCOPE = 700_001
OUT_OF_SCOPE = 700_002
ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *Role.values]
ID_CONVERTERS = {"int", "path"}

# Routes a role without access may still reach, each with its reason. Anything else answered 200 to an
# anonymous visitor, or 200 with an out-of-scope id, fails the walk.
PUBLIC_ROUTES = {
    "/sign-in/": "the sign-in page",
    "/admin/login/": "the admin's sign-in page (it signs in through the same two factors)",
    "/healthz/": "the load balancer's health check; says nothing about records",
    "/api/v1/schema/": "the OpenAPI description: routes and fields, no records",
    "/api/v1/docs/": "the API's documentation page, drawn from the schema: no records",
}


# Problems the walk finds that belong to work still open elsewhere, each with its reason; the test fails on any
# other. Remove an entry when its fix lands (the walk then passes without it).
KNOWN_GAPS: dict[str, str] = {}


@dataclass
class Route:
    path: str
    name: str
    has_id: bool
    statuses: dict = field(default_factory=dict)  # (role, "in"|"out") -> status


def _join(prefix: str, pattern) -> str | None:
    if isinstance(pattern, RoutePattern):
        return prefix + str(pattern)
    if isinstance(pattern, RegexPattern):
        regex = pattern.regex.pattern
        if re.search(r"[(\[\\]|\(\?P", regex):
            return None  # a regex with groups (admin's app list) has no single URL to fill in
        return prefix + regex.lstrip("^").rstrip("$").replace("\\", "")
    return None


def url_patterns(patterns=None, prefix="/", name_prefix=""):
    """(path template, name) for every endpoint, the same as the resolver would match."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        path = _join(prefix, entry.pattern)
        if path is None:
            continue
        if isinstance(entry, URLResolver):
            namespace = f"{name_prefix}{entry.namespace}:" if entry.namespace else name_prefix
            yield from url_patterns(entry.url_patterns, path, namespace)
        elif isinstance(entry, URLPattern):
            yield path, f"{name_prefix}{entry.name or ''}"


def fill(template: str, pk: int) -> str:
    def value(match):
        converter = match.group(1) or "str"
        return str(pk) if converter in ID_CONVERTERS else "x"

    return re.sub(r"<(?:(\w+):)?\w+>", value, template)


def routes() -> list[Route]:
    seen = {}
    for template, name in url_patterns():
        if "<format>" in template or "\\.(?P<format>" in template or template.endswith(".<format>"):
            continue
        if template.startswith("/static/") or template.startswith("/media/"):
            continue
        seen.setdefault(template, Route(template, name, "<" in template))
    return sorted(seen.values(), key=lambda route: route.path)


def _data_set():
    """In scope: a person referred by the referrer, allocated to the keyworker in the team of every role.
    Out of scope: another person in another team. Every kind of record gets the fixed primary keys."""
    from core.factories import TeamFactory, make_staff
    from referrals.factories import AllocationFactory, EpisodeFactory, PersonFactory, ReferralFactory

    team = TeamFactory(name="Walk team", kind=TeamKind.DELIVERY)
    other_team = TeamFactory(name="Walk other team", kind=TeamKind.DELIVERY)
    users = {
        role: make_staff(role, team=team, username=f"walk.{role}", first_name="Walkstaff", last_name=role.title())
        for role in Role.values
    }
    people = {}
    for pk, walk_team, keyworker in ((IN_SCOPE, team, users[Role.KEYWORKER]), (OUT_OF_SCOPE, other_team, None)):
        person = PersonFactory(
            pk=pk,
            given_name=f"Walkgiven{pk}",
            family_name=f"Walkfamily{pk}",
            date_of_birth=date(1970, 3, 4 if pk == IN_SCOPE else 5),
            nhs_number="9434765919" if pk == IN_SCOPE else "9434765870",
            address=f"{pk} Walk Street",
            postcode="ZZ9 9ZZ" if pk == IN_SCOPE else "ZZ8 8ZZ",
            client_id=f"WALK{pk}",
        )
        referrer = users[Role.REFERRER] if pk == IN_SCOPE else None
        referral = ReferralFactory(pk=pk, person=person, team=walk_team, created_by=referrer)
        episode = EpisodeFactory(pk=pk, referral=referral)
        allocation_kwargs = {"keyworker": keyworker} if keyworker else {}
        AllocationFactory(pk=pk, episode=episode, team=walk_team, **allocation_kwargs)
        people[pk] = person
    return users, people


def _signed_in(user) -> Client:
    """A session past both factors, as after a real sign-in with an enrolled device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    client = Client(raise_request_exception=False)
    client.force_login(user)
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Route walk", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def identifiable_values(person) -> list[str]:
    return [
        person.given_name,
        person.family_name,
        long_date(person.date_of_birth),
        person.date_of_birth.isoformat(),
        person.nhs_number,
        person.address,
        person.postcode,
        person.client_id,
    ]


def walk() -> tuple[list[Route], list[str]]:
    """Every route for every role, inside a transaction rolled back at the end: (routes, problems)."""
    problems = []
    table = routes()
    with transaction.atomic():
        users, people = _data_set()
        clients = {ANONYMOUS: Client(raise_request_exception=False)}
        for role, user in users.items():
            clients[role] = _signed_in(user)
        keyworker = users[Role.KEYWORKER]
        # Who the keyworker is belongs to the treatment record: a referrer sees the referral, not the episode.
        treatment_values = [keyworker.get_full_name(), keyworker.username]
        in_values = identifiable_values(people[IN_SCOPE])
        out_values = identifiable_values(people[OUT_OF_SCOPE])
        for route in table:
            for role, client in clients.items():
                for where, pk in (("in", IN_SCOPE), ("out", OUT_OF_SCOPE)) if route.has_id else (("in", IN_SCOPE),):
                    url = fill(route.path, pk)
                    with transaction.atomic():
                        response = client.get(url)
                        transaction.set_rollback(True)
                    status = response.status_code
                    route.statuses[(role, where)] = status
                    body = b"".join(response) if response.streaming else response.content
                    text = body.decode("utf-8", "replace") if status == 200 else ""
                    if status >= 500:
                        problems.append(f"{role} GET {url}: {status}")
                    if role == ANONYMOUS and status == 200 and route.path not in PUBLIC_ROUTES:
                        problems.append(f"anonymous GET {url}: 200 without signing in")
                    if role == Role.COMMISSIONER:
                        leaked = [value for value in in_values + out_values if value and value in text]
                        if leaked:
                            problems.append(f"commissioner GET {url}: identifiable {leaked}")
                    if role == Role.REFERRER:
                        leaked = [value for value in treatment_values if value and value in text]
                        if leaked:
                            problems.append(f"referrer GET {url}: treatment record shown {leaked}")
                    if role not in {Role.DATA_ADMIN, Role.HARM_REDUCTION_WORKER}:
                        leaked = [value for value in out_values if value and value in text]
                        if leaked:
                            problems.append(f"{role} GET {url}: out-of-scope person shown {leaked}")
        transaction.set_rollback(True)
    return table, problems


def unexpected(problems: list[str]) -> list[str]:
    """The problems not in KNOWN_GAPS."""
    return [problem for problem in problems if not problem.startswith(tuple(KNOWN_GAPS))]


def markdown(table: list[Route]) -> str:
    header = ["Route", *ROLES]
    lines = [
        "# Route access by role",
        "",
        "Written by `python manage.py route_table --out docs/route-access.md` from the URL configuration; "
        "`tests/security/test_route_walk.py` fails when this page is out of date. Each cell is the status of a "
        "GET with every id in the path set to a record in the role's scope, then (after `/`) to one outside it. "
        "302 is a redirect (to sign-in for anonymous), 403 refused, 404 not found or out of scope, 405 a route "
        "that takes no GET.",
        "",
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
    ]
    for route in table:
        cells = [f"`{route.path}`"]
        for role in ROLES:
            cell = str(route.statuses.get((role, "in"), ""))
            if route.has_id:
                cell += f" / {route.statuses.get((role, 'out'), '')}"
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    counts = summary(table)
    lines += ["", "## Counts", "", f"{len(table)} routes, {counts['requests']} requests per walk.", ""]
    lines += [f"- {role}: {counts[role]} routes answered 200 with an in-scope id" for role in ROLES]
    return "\n".join(lines) + "\n"


def summary(table: list[Route]) -> dict:
    counts = {"requests": sum(len(route.statuses) for route in table)}
    for role in ROLES:
        counts[role] = sum(1 for route in table if route.statuses.get((role, "in")) == 200)
    return counts
