"""Every role's own pages, opened from the header menu as that person would on the demo data, pass axe; the same
walk takes the pictures in `docs/guide/` when `make screenshots` sets GUIDE_SCREENSHOTS (docs/guide/README.md)."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from core.models import User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The demo's sign-ins (README), named as the guide's pages are.
GUIDE_ROLES = {
    "referrer": "referrer",
    "assessor": "assessor.arm",
    "keyworker": "keyworker",
    "prescriber": "prescriber",
    "harm-reduction-worker": "harm.reduction",
    "team-manager": "manager",
    "commissioner": "commissioner",
    "data-admin": "data.admin",
}
# Pages of the Django admin have their own styling and are not part of the guide.
NOT_IN_GUIDE = ("/admin/",)


def guide_folder():
    folder = os.environ.get("GUIDE_SCREENSHOTS")
    return Path(folder) if folder else None


def header_menu(page):
    """The (label, path) of each link in the header menu: the person's own pages, in their order."""
    links = page.locator(".nhsuk-header__navigation-list a")
    found = []
    for index in range(links.count()):
        link = links.nth(index)
        href = link.get_attribute("href")
        if not href.startswith(NOT_IN_GUIDE):
            found.append((link.inner_text().strip(), href))
    return found


def picture_name(role, label):
    words = "".join(c if c.isalnum() else " " for c in label.lower()).split()
    return f"{role}-{'-'.join(words)}.jpg"


def test_each_role_finds_its_pages_in_the_menu_and_every_one_passes_axe(page, live_server, sign_in, axe):
    call_command("seed_demo", people=40, seed=7, stdout=io.StringIO())
    # Sixty-odd pages in one test, each a first (cold) request: on a loaded 2-core machine a cold home page took
    # over the 10 s a journey test allows (5.4 s cold, under 0.2 s warm, measured with the test client).
    page.set_default_timeout(60_000)
    folder = guide_folder()
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
    opened = {}
    pictured = set()

    def visit(role, label, path):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{role}: {label} ({path}) answered {response.status}"
        axe(page)
        # A page every role shares (My tasks, feedback) is pictured once, under the first role that has it.
        if folder and (path == "/" or path not in pictured):
            page.screenshot(path=folder / picture_name(role, label), type="jpeg", quality=70)
            pictured.add(path)

    for role, username in GUIDE_ROLES.items():
        page.context.clear_cookies()
        sign_in(page, User.objects.get(username=username))
        page.goto(f"{live_server.url}/")
        pages = header_menu(page)
        assert len(pages) > 1, f"{username} has no page of their own in the menu"
        for label, path in pages:
            visit(role, label, path)
        opened[role] = [label for label, _ in pages]
        if role == "keyworker":
            # The person on top of the caseload, as the keyworker opens them every morning.
            page.goto(f"{live_server.url}{dict(pages)['My caseload']}")
            visit(role, "Person", page.locator("main table tbody a").first.get_attribute("href"))
    assert "My caseload" in opened["keyworker"]
    assert not any("Allocat" in label for label in opened["commissioner"])
