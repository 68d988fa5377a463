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

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from core import route_declarations
from core.choices import Role, TeamKind
from core.dates import long_date

IN_SCOPE = 700_001
OUT_OF_SCOPE = 700_002
ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *Role.values]
ID_CONVERTERS = {"id", "int", "path"}

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
    statuses: dict = field(default_factory=dict)  # (role, "in"|"out") -> status of a GET
    unsafe_statuses: dict = field(default_factory=dict)  # (role, "in"|"out", method) -> status


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
    Out of scope: another person in another team. Every kind of record gets the fixed primary keys: the
    clinical apps make theirs in `<app>/walk_data.py` (core imports none of them)."""
    from core.factories import TeamFactory, make_staff
    from core.registry import app_modules

    team = TeamFactory(name="Walk team", kind=TeamKind.DELIVERY)
    other_team = TeamFactory(name="Walk other team", kind=TeamKind.DELIVERY)
    users = {
        role: make_staff(role, team=team, username=f"walk.{role}", first_name="Walkstaff", last_name=role.title())
        for role in Role.values
    }
    people, treatment_detail = {}, []
    for pk, walk_team in ((IN_SCOPE, team), (OUT_OF_SCOPE, other_team)):
        for module in app_modules("walk_data"):
            made = module.records(pk=pk, team=walk_team, users=users, in_scope=pk == IN_SCOPE)
            if "person" in made:
                people[pk] = made["person"]
            treatment_detail += made.get("treatment_detail", [])
    return users, people, treatment_detail


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


# Tables a request may write whatever its answer: the audit of the attempt, the session, sign-in throttling.
# A write to any other table by an out-of-scope, refused or anonymous request is a problem.
WRITES_ALLOWED_ANYWHERE = ("core_auditevent", "django_session", "axes_", "otp_static_staticdevice")
WRITE_STATEMENT = re.compile(r"^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", re.IGNORECASE)


class _WriteRecorder:
    """Every table a request's SQL inserts into, updates or deletes from (connection.execute_wrapper)."""

    def __init__(self):
        self.tables = set()

    def __call__(self, execute, sql, params, many, context):
        found = WRITE_STATEMENT.match(sql)
        if found and not found.group(1).startswith(WRITES_ALLOWED_ANYWHERE):
            self.tables.add(found.group(1))
        return execute(sql, params, many, context)


def _send(client, method: str, url: str):
    """One request in a savepoint rolled back after it, keeping the client's cookies (a sign-out or a reset
    must not sign the role out of the rest of the walk). Returns (response, tables written)."""
    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    recorder = _WriteRecorder()
    with transaction.atomic(), connection.execute_wrapper(recorder):
        if method == "GET":
            response = client.get(url)
        elif url.startswith("/api/"):
            response = client.generic(method, url, "{}", content_type="application/json")
        else:
            response = client.generic(method, url, "", content_type="application/x-www-form-urlencoded")
        transaction.set_rollback(True)
    for key, value in cookies.items():
        client.cookies[key] = value
    return response, recorder.tables


def _text(response) -> str:
    if response.status_code != 200:
        return ""
    body = b"".join(response) if response.streaming else response.content
    return body.decode("utf-8", "replace")


def walk() -> tuple[list[Route], list[str]]:
    """Every route for every role, in and out of scope: a GET, then each write method the route takes (or a
    POST when it takes none), inside a transaction rolled back at the end: (routes, problems)."""
    problems = []
    table = routes()
    with transaction.atomic():
        users, people, treatment_detail = _data_set()
        clients = {ANONYMOUS: Client(raise_request_exception=False)}
        for role, user in users.items():
            clients[role] = _signed_in(user)
        keyworker = users[Role.KEYWORKER]
        # Who the keyworker is belongs to the treatment record: a referrer sees the referral, not the episode.
        # Court orders, breach reports, carers and task titles are treatment detail, which neither a referrer
        # nor a harm reduction worker reads (referrals.querysets.reads_treatment_detail).
        treatment = {"keyworker": [keyworker.get_full_name(), keyworker.username], "detail": treatment_detail}
        in_values = identifiable_values(people[IN_SCOPE])
        out_values = identifiable_values(people[OUT_OF_SCOPE])
        for route in table:
            func = route_declarations.view_for(fill(route.path, IN_SCOPE))
            taken = route_declarations.methods(func)
            for role, client in clients.items():
                user = users.get(role) or AnonymousUser()
                for where, pk in (("in", IN_SCOPE), ("out", OUT_OF_SCOPE)) if route.has_id else (("in", IN_SCOPE),):
                    url = fill(route.path, pk)
                    kwargs = resolve(url).kwargs
                    for method in ["GET", *route_declarations.unsafe_methods(func)]:
                        response, written = _send(client, method, url)
                        status = response.status_code
                        if method == "GET":
                            route.statuses[(role, where)] = status
                        else:
                            route.unsafe_statuses[(role, where, method)] = status
                        found = _check(route, role, where, method, url, status, written, taken)
                        refused = route_declarations.refused_by_permissions(func, user, method, kwargs)
                        if refused and status != 403:
                            found.append(f"{role} {method} {url}: {status}, but its permissions refuse the role")
                        if written and refused:
                            found.append(f"{role} {method} {url}: refused by its permissions, yet wrote {written}")
                        if method == "GET":
                            found += _leaks(role, url, _text(response), in_values, out_values, treatment)
                        problems += found
        transaction.set_rollback(True)
    return table, problems


def _check(route, role, where, method, url, status, written, taken) -> list[str]:
    found = []
    if status >= 500:
        found.append(f"{role} {method} {url}: {status}")
    public = route.path in PUBLIC_ROUTES
    if role == ANONYMOUS and 200 <= status < 300 and not public:
        found.append(f"anonymous {method} {url}: {status} without signing in")
    # A data admin's scope is the whole service: "out" is in scope for them.
    if written and ((where == "out" and role != Role.DATA_ADMIN) or (role == ANONYMOUS and not public)):
        found.append(f"{role} {method} {url}: wrote {sorted(written)} {'out of scope' if where == 'out' else ''}")
    if where == "out" and method != "GET" and 200 <= status < 300 and role != Role.DATA_ADMIN and not public:
        found.append(f"{role} {method} {url}: {status} out of scope")
    if taken is not None and method not in taken and role != ANONYMOUS and 200 <= status < 300:
        found.append(f"{role} {method} {url}: {status} for a method the view does not take")
    return found


def _leaks(role, url, text, in_values, out_values, treatment) -> list[str]:
    found = []
    if not text:
        return found
    if role == Role.COMMISSIONER:
        leaked = [value for value in in_values + out_values if value and value in text]
        if leaked:
            found.append(f"commissioner GET {url}: identifiable {leaked}")
    unseen = {
        Role.REFERRER: treatment["keyworker"] + treatment["detail"],
        Role.HARM_REDUCTION_WORKER: treatment["detail"],
    }
    if role in unseen:
        leaked = [value for value in unseen[role] if value and value in text]
        if leaked:
            found.append(f"{role} GET {url}: treatment record shown {leaked}")
    if role not in {Role.DATA_ADMIN, Role.HARM_REDUCTION_WORKER}:
        leaked = [value for value in out_values if value and value in text]
        if leaked:
            found.append(f"{role} GET {url}: out-of-scope person shown {leaked}")
    return found


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
    lines += [
        "",
        "## Counts",
        "",
        f"{len(table)} routes, {counts['requests']} requests per walk: {counts['gets']} GETs and "
        f"{counts['writes']} writes (each write method a route takes, or a POST when it takes none, with an "
        "empty body; the write statuses are not tabled above).",
        "",
    ]
    lines += [
        f"- {role}: {counts[role]} routes answered a GET 200 with an in-scope id; "
        f"{counts[role, 'written']} writes answered 2xx in scope and {counts[role, 'written out']} out of scope, "
        f"{counts[role, 'refused']} refused (401, 403, 404 or 405)"
        for role in ROLES
    ]
    return "\n".join(lines) + "\n"


def summary(table: list[Route]) -> dict:
    gets = sum(len(route.statuses) for route in table)
    writes = sum(len(route.unsafe_statuses) for route in table)
    counts = {"requests": gets + writes, "gets": gets, "writes": writes}
    for role in ROLES:
        counts[role] = sum(1 for route in table if route.statuses.get((role, "in")) == 200)
        statuses = [status for route in table for (who, _, _), status in route.unsafe_statuses.items() if who == role]
        in_scope = [
            status
            for route in table
            for (who, where, _), status in route.unsafe_statuses.items()
            if who == role and where == "in"
        ]
        counts[role, "written"] = sum(1 for status in in_scope if 200 <= status < 300)
        counts[role, "written out"] = sum(1 for status in statuses if 200 <= status < 300) - counts[role, "written"]
        counts[role, "refused"] = sum(1 for status in statuses if status in {401, 403, 404, 405})
    return counts
