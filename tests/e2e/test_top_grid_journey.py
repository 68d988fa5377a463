"""Issue 14: the TOP form laid out as the paper TOP, filled by keyboard. Tab moves along an item's four week boxes
and then to the next item, the answers are stored per week, and axe finds nothing on the page."""

import pytest
from django.urls import reverse

from assessment.models import Top
from core.choices import Role, TeamKind
from core.factories import TeamFactory
from referrals.factories import AllocationFactory
from tests.e2e.test_nsp_journey import focused_id, tab_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_top_grid_is_filled_row_by_row_with_the_keyboard(live_server, page, sign_in, axe, screenshot, staff):
    team = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    keyworker = staff(Role.KEYWORKER, team=team)
    episode = AllocationFactory(keyworker=keyworker, team=team).episode
    sign_in(page, keyworker)
    page.goto(live_server.url + reverse("assessment:top-new", kwargs={"episode_pk": episode.pk}))
    page.wait_for_selector("body.nhsuk-frontend-supported")
    axe(page)
    screenshot("top-grid")

    tab_to(page, "id_alcohol_week1")
    for week, days in enumerate(["7", "6", "5", "4"], start=1):
        assert focused_id(page) == f"id_alcohol_week{week}"
        page.keyboard.press("Control+A")
        page.keyboard.type(days)
        page.keyboard.press("Tab")
    # After the fourth week of alcohol comes the first week of the next item, as on paper.
    assert focused_id(page) == "id_opiates_week1"
    for rating in ("psychological_health", "physical_health", "quality_of_life"):
        page.locator(f"#id_{rating}").fill("12")
    page.get_by_role("button", name="Save TOP").click()
    page.wait_for_url(live_server.url + reverse("assessment:episode-assessment", kwargs={"episode_pk": episode.pk}))

    top = Top.objects.get()
    assert (top.alcohol_week1, top.alcohol_week2, top.alcohol_week3, top.alcohol_week4) == (7, 6, 5, 4)
    assert top.alcohol == 22
