"""The NSP counter in a real browser: an anonymous visit recorded with the keyboard alone, quickly."""

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from harm_reduction.factories import NspSiteFactory
from harm_reduction.models import NspVisit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def focused_id(page):
    return page.evaluate("document.activeElement.id")


def tab_to(page, element_id, most=60):
    """Presses Tab until the element has the focus, as a person would; fails if it is never reached."""
    for _ in range(most):
        if focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def test_an_anonymous_visit_is_recorded_with_the_keyboard_in_under_a_minute(
    live_server, page, sign_in, axe, screenshot, staff
):
    worker = staff(Role.HARM_REDUCTION_WORKER, team=TeamFactory(name="Harm reduction", kind=TeamKind.HARM_REDUCTION))
    NspSiteFactory(name="Hub")
    sign_in(page, worker)
    page.goto(live_server.url + reverse("harm_reduction:nsp"))
    page.wait_for_selector("body.nhsuk-frontend-supported")
    axe(page)
    screenshot("nsp-quick-entry")

    started = time.monotonic()
    tab_to(page, "id_initials")
    page.keyboard.type("JS")
    tab_to(page, "id_date_of_birth_day")
    page.keyboard.type("14")
    page.keyboard.press("Tab")
    page.keyboard.type("03")
    page.keyboard.press("Tab")
    page.keyboard.type("1985")
    tab_to(page, "id_sex")
    page.keyboard.type("Male")
    tab_to(page, "id_items_returned")
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    tab_to(page, "id_item_N23B")
    page.keyboard.type("10")
    # Enter in a box of the form saves it, as the Save button would.
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + reverse("harm_reduction:visits-today"))
    assert time.monotonic() - started < 60

    visit = NspVisit.objects.get()
    assert visit.attender.code == "JS14031985M"
    assert visit.attender.person_id is None
    assert visit.visited_on == timezone.localdate()
    assert visit.items_returned == 5
    row = page.get_by_role("row").filter(has_text="JS14031985M")
    assert row.get_by_role("cell").nth(1).inner_text() == "Hub"
    assert row.get_by_role("cell").nth(2).inner_text() == "10"
    assert row.get_by_role("cell").nth(3).inner_text() == "5"
    axe(page)
    screenshot("nsp-visits-today")
