"""Server time and query count of the pages and API lists each role works from, signed in as that role.

Every case runs through Django's test client in this process against the configured database: the time is the
server's own (URL routing, middleware, queries, templates), without a network or a browser. A list also reports
the rows it drew (the longest table body, or an API page's `results`), which must never pass its page size.
"""

import json
import logging
import re
import statistics
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from core.choices import Role
from core.route_walk import url_patterns

LIST, DETAIL, API, DASHBOARD = "list", "detail", "api", "dashboard"
# Targets at 1,000,000 people (issue 16), median server time in ms.
TARGET_MS = {LIST: 100, API: 100, DASHBOARD: 100, DETAIL: 50}
# No list page or API page draws more rows than this (the largest page size in use).
MAX_ROWS = 50
# A page slower than this (seconds) is timed once: at a million people a slow list would take the run hours.
SLOW_S = 5
# Search is looked for under these names; the bench measures it once one exists.
SEARCH_URL_NAMES = ("referrals:person-search", "search")


@dataclass(frozen=True)
class Case:
    name: str
    role: str
    url: str  # a URL name, or a path for the API; may take {person} / {episode} / {family_name}
    kind: str
    args: tuple = ()

    def path(self, subjects) -> str | None:
        values = {"person": subjects.person_id, "episode": subjects.episode_id}
        if self.url.startswith("/"):
            return self.url.format(family_name=subjects.family_name)
        if any(values[name] is None for name in self.args):
            return None
        try:
            return reverse(self.url, args=[values[name] for name in self.args])
        except NoReverseMatch:
            return None


PAGES = [
    Case("My caseload", Role.KEYWORKER, "referrals:my-caseload", LIST),
    Case("My tasks", Role.KEYWORKER, "referrals:my-tasks", LIST),
    Case("At risk (keyworker)", Role.KEYWORKER, "reporting:at-risk", LIST),
    Case("Re-engagement (keyworker)", Role.KEYWORKER, "referrals:reengagement-list", LIST),
    Case("Person", Role.KEYWORKER, "referrals:person-detail", DETAIL, ("person",)),
    Case("Episode", Role.KEYWORKER, "referrals:episode-detail", DETAIL, ("episode",)),
    Case("Plan", Role.KEYWORKER, "recovery_plans:plan-detail", DETAIL, ("episode",)),
    Case("Allocation board", Role.TEAM_MANAGER, "referrals:allocation-board", LIST),
    Case("Referral queue", Role.TEAM_MANAGER, "referrals:referral-queue", LIST),
    Case("Modality waits", Role.TEAM_MANAGER, "recovery_plans:modality-clocks", LIST),
    Case("Re-engagement (manager)", Role.TEAM_MANAGER, "referrals:reengagement-list", LIST),
    Case("Prescribing waits", Role.TEAM_MANAGER, "prescribing:waits", LIST),
    Case("Team KPIs", Role.TEAM_MANAGER, "reporting:team-kpis", LIST),
    Case("Plans to sign off (assessor)", Role.ASSESSOR, "recovery_plans:plan-queue", LIST),
    Case("Referral queue (assessor)", Role.ASSESSOR, "referrals:referral-queue", LIST),
    Case("Clinic", Role.PRESCRIBER, "prescribing:clinic", LIST),
    Case("BBV doses due", Role.HARM_REDUCTION_WORKER, "harm_reduction:doses-due", LIST),
    Case("Outreach", Role.HARM_REDUCTION_WORKER, "harm_reduction:outreach", LIST),
    Case("Data quality", Role.DATA_ADMIN, "reporting:data-quality", LIST),
    Case("Commissioner dashboard", Role.COMMISSIONER, "reporting:dashboard", DASHBOARD),
]

# API routes that are not lists of records: the schema and its docs, the caller's own account, POST-only actions.
NOT_API_LISTS = {"/api/v1/schema/", "/api/v1/docs/", "/api/v1/me/", "/api/v1/break-glass/"}
# Who reads an API list: the first of these the API answers 200 (the keyworker where allowed: the common case).
API_ROLES = (Role.KEYWORKER, Role.TEAM_MANAGER, Role.COMMISSIONER, Role.DATA_ADMIN)
# Each API list is also read as these wherever allowed: their teams hold a large share of the service, the widest
# scope a list is filtered by (the target holds "whatever the role").
TEAM_ROLES = (Role.TEAM_MANAGER, Role.ASSESSOR)


def search_case() -> Case | None:
    for name in SEARCH_URL_NAMES:
        try:
            return Case("Search", Role.KEYWORKER, reverse(name) + "?q={family_name}", LIST)
        except NoReverseMatch:
            continue
    return None


def api_list_paths() -> list[str]:
    paths = set()
    for template, _ in url_patterns():
        if re.fullmatch(r"/api/v1/[a-z0-9-]+/", template) and template not in NOT_API_LISTS:
            try:
                resolve(template)
            except Resolver404:
                continue
            paths.add(template)
    return sorted(paths)


def rows_drawn(response, kind) -> int | None:
    """Rows of the longest table body on a page, or of an API page; None for a page that is not a list."""
    if kind == API:
        body = json.loads(response.content or b"null")
        if isinstance(body, dict) and isinstance(body.get("results"), list):
            return len(body["results"])
        return len(body) if isinstance(body, list) else None
    if kind != LIST:
        return None
    html = response.content.decode(errors="replace")
    bodies = re.findall(r"<tbody[^>]*>(.*?)</tbody>", html, flags=re.DOTALL)
    return max((len(re.findall(r"<tr[\s>]", body)) for body in bodies), default=0)


def paginated(response, kind) -> bool | None:
    """An API list answers a page (`results` with `next`), never a bare array; pages are judged by their rows."""
    if kind != API:
        return None
    body = json.loads(response.content or b"null")
    return isinstance(body, dict) and "results" in body and "next" in body


class _AllQueries:
    """Counts queries on the primary and, when one is configured, the read replica."""

    def __enter__(self):
        aliases = ["default", *([settings.READ_REPLICA] if settings.READ_REPLICA else [])]
        for alias in aliases:
            # Django keeps the last 9,000 queries of a connection; counting by position fails past that.
            connections[alias].queries_log.clear()
        self.contexts = [CaptureQueriesContext(connections[alias]) for alias in aliases]
        for context in self.contexts:
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts:
            context.__exit__(*exc)

    def __len__(self):
        return sum(len(context) for context in self.contexts)


def measure(client, path, kind, *, repeats: int) -> dict:
    """One warm-up request, then `repeats` timed ones; the query count and rows are the last request's. A page
    whose warm-up took longer than SLOW_S is not repeated: its one time is reported (`timed` 1)."""
    with _AllQueries() as captured:
        started = time.perf_counter()
        response = client.get(path)
        warm_up = (time.perf_counter() - started) * 1000
    if warm_up > SLOW_S * 1000:
        repeats = 0
    times = [] if repeats else [warm_up]
    queries = len(captured)
    for _ in range(repeats):
        with _AllQueries() as captured:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    ordered = sorted(times)
    return {
        "status": response.status_code,
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
        "queries": queries,
        "rows": rows_drawn(response, kind) if response.status_code == 200 else None,
        "paginated": paginated(response, kind) if response.status_code == 200 else None,
        "bytes": len(response.content),
        "timed": len(times),
    }


def _chosen(only: str | None, *texts) -> bool:
    """Whether a case is among `only`: texts separated by commas, any of which its name or path contains."""
    text = " ".join(texts).lower()
    return not only or any(word.strip().lower() in text for word in only.split(","))


def _answers(clients, role, path) -> bool:
    return role in clients and clients[role].get(path).status_code == 200


def cases(subjects, clients, only: str | None = None) -> list[tuple[Case, str]]:
    """Every case with its path: the pages, search if there is one, and each API list as the first role allowed
    and as each of TEAM_ROLES allowed (named "API <path> (<role>)"); with `only`, just those whose name or path
    contains one of its comma-separated texts (an API list is probed only if its path matches)."""
    chosen = [*PAGES]
    search = search_case()
    if search is not None:
        chosen.append(search)
    with_paths = [(case, case.path(subjects)) for case in chosen if case.role in clients]
    for path in api_list_paths():
        if not _chosen(only, f"API {path}"):
            continue
        first = next((role for role in API_ROLES if _answers(clients, role, path)), None)
        if first is not None:
            with_paths.append((Case(f"API {path}", first, path, API), path))
        for role in TEAM_ROLES:
            if role != first and _answers(clients, role, path):
                with_paths.append((Case(f"API {path} ({Role(role).label.lower()})", role, path, API), path))
    return [(case, path) for case, path in with_paths if path is not None and _chosen(only, case.name, path)]


def run(subjects, clients, *, repeats: int, progress=None, only: str | None = None) -> list[dict]:
    """Time each case; with `only`, just those whose name or path contains it (case-insensitive)."""
    # Probing which role may read each API list logs every refusal; the bench reports statuses itself. The level
    # is put back afterwards: the smoke run shares its process with tests that read refusals from this logger.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        results = []
        for case, path in cases(subjects, clients, only):
            figures = measure(clients[case.role], path, case.kind, repeats=repeats)
            row = {"name": case.name, "role": case.role, "path": path, "kind": case.kind, **figures}
            row["target_ms"] = TARGET_MS[case.kind]
            row["bounded"] = row["rows"] is None or row["rows"] <= MAX_ROWS
            results.append(row)
            if progress:
                progress(row)
    finally:
        request_log.setLevel(level)
    return results
