"""Issue 15: every route, every role, an id inside and outside scope (core.route_walk), in one walk per run."""

import os
import time
from pathlib import Path

from core import route_walk

DOCS = Path(__file__).resolve().parents[2] / "docs" / "route-access.md"


def test_routes_come_from_the_url_configuration_pages_and_api():
    paths = {route.path for route in route_walk.routes()}
    assert len(paths) > 100
    assert any(path.startswith("/api/v1/") for path in paths)
    assert any(path.startswith("/admin/") for path in paths)
    assert route_walk.fill("/referrals/people/<id:pk>/", route_walk.IN_SCOPE) == "/referrals/people/700001/"


def test_walking_every_route_as_every_role_in_and_out_of_scope(db):
    """One walk (about 6,000 requests) checked four ways, so the suite pays for it once."""
    started = time.monotonic()
    table, problems = route_walk.walk()
    print(f"route walk: {route_walk.summary(table)['requests']} requests in {time.monotonic() - started:.0f} s")
    if os.environ.get("ROUTE_TABLE_WRITE"):  # regenerate docs/route-access.md from this run
        DOCS.write_text(route_walk.markdown(table))
    # No 500, no 200 to anonymous outside the public routes, nothing identifiable to a commissioner, no
    # out-of-scope person to anyone scoped, no keyworker to a referrer.
    assert route_walk.unexpected(problems) == [], "\n".join(route_walk.unexpected(problems))
    for route in table:
        wanted = {(role, "in") for role in route_walk.ROLES}
        if route.has_id:
            wanted |= {(role, "out") for role in route_walk.ROLES}
        assert set(route.statuses) == wanted, route.path
    assert DOCS.read_text() == route_walk.markdown(table), (
        "docs/route-access.md is out of date: run python manage.py route_table --out docs/route-access.md"
    )
