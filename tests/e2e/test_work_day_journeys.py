"""A working day in a real browser (issue 14): find a person by a misspelt surname from the header, return to
a triaged person from the team's list, and discharge a person and still reach their follow-up. axe on every page."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from core.models import DischargeReason
from referrals.choices import ReferralStatus
from referrals.factories import AllocationFactory, EpisodeFactory, ReferralFactory
from referrals.models import FollowUp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_search_finds_a_person_by_a_misspelt_surname(live_server, page, sign_in, axe, screenshot, staff, arm_team):
    person = ReferralFactory(
        team=arm_team,
        person__given_name="Maria",
        person__family_name="Thompson",
        person__date_of_birth=date(1985, 3, 12),
    ).person
    ReferralFactory(team=arm_team, person__given_name="Ann", person__family_name="Jones")
    sign_in(page, staff(Role.ASSESSOR, team=arm_team))
    page.goto(live_server.url + reverse("home"))
    axe(page)
    box = page.get_by_label("Find a person by name, date of birth, client ID, NHS number or episode ID")
    box.fill("Thomson")
    box.press("Enter")
    page.wait_for_url("**/referrals/search/?q=Thomson")
    results = page.get_by_role("table")
    assert "Thompson, Maria" in results.inner_text()
    assert "Jones" not in results.inner_text()
    assert "12 March 1985" in results.inner_text()
    axe(page)
    screenshot("search-results")
    page.get_by_role("link", name="Thompson, Maria").click()
    page.wait_for_url(live_server.url + reverse("referrals:person-detail", args=[person.pk]))
    axe(page)


def test_an_empty_search_says_what_to_enter_on_the_field(live_server, page, sign_in, axe, staff, arm_team):
    sign_in(page, staff(Role.ASSESSOR, team=arm_team))
    page.goto(live_server.url + reverse("referrals:person-search") + "?q=x")
    summary = page.locator(".nhsuk-error-summary")
    assert "Enter at least two letters of a name" in summary.inner_text()
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "id_q"
    axe(page)


def test_an_assessor_returns_to_a_triaged_person_from_their_list(
    live_server, new_page, sign_in, axe, screenshot, staff, arm_team
):
    referral = ReferralFactory(
        team=arm_team,
        status=ReferralStatus.AWAITING_TRIAGE,
        person__given_name="Kofi",
        person__family_name="Mensah",
    )
    assessor = staff(Role.ASSESSOR, team=arm_team)
    page = sign_in(new_page(), assessor)
    page.goto(live_server.url + reverse("referrals:referral-triage", args=[referral.pk]))
    axe(page)
    page.get_by_role("radio", name="Accepted into structured treatment").check()
    today = timezone.localdate()
    triage_date = page.get_by_role("group", name="Triage date")
    triage_date.get_by_label("Day").fill(str(today.day))
    triage_date.get_by_label("Month").fill(str(today.month))
    triage_date.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Save triage outcome").click()
    page.wait_for_load_state()
    page.close()  # the tab is closed: the assessor comes back later from the menu

    later = sign_in(new_page(), assessor)
    later.goto(live_server.url + reverse("home"))
    # From the home page's cards: an assessor's header menu has more links than fit, so this one may sit under
    # "More".
    later.locator(".nhsuk-card-group").get_by_role("link", name="Team episodes").click()
    axe(later)
    row = later.get_by_role("row").filter(has_text="Kofi Mensah")
    assert "Awaiting assessment" in row.inner_text()
    later.get_by_role("link", name="Awaiting assessment").click()
    axe(later)
    assert "Kofi Mensah" in later.get_by_role("table").inner_text()
    screenshot("team-episodes", of=later)
    later.get_by_role("link", name="Kofi Mensah", exact=True).click()
    later.wait_for_url(live_server.url + reverse("referrals:person-detail", args=[referral.person_id]))
    axe(later)


def test_a_keyworker_discharges_and_still_sees_the_follow_up(
    live_server, page, sign_in, axe, screenshot, staff, arm_team
):
    delivery = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    keyworker = staff(Role.KEYWORKER, team=delivery)
    episode = EpisodeFactory(
        referral__team=arm_team, referral__person__given_name="Lena", referral__person__family_name="Okafor"
    )
    AllocationFactory(episode=episode, keyworker=keyworker, team=delivery, allocated_on=episode.opened_on)
    sign_in(page, keyworker)
    page.goto(live_server.url + reverse("referrals:episode-discharge", args=[episode.pk]))
    axe(page)
    page.get_by_label("Discharge reason").select_option(str(DischargeReason.objects.get(code="80").pk))
    today = timezone.localdate()
    discharge_date = page.get_by_role("group", name="Discharge date")
    discharge_date.get_by_label("Day").fill(str(today.day))
    discharge_date.get_by_label("Month").fill(str(today.month))
    discharge_date.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Discharge").click()
    page.wait_for_url(live_server.url + reverse("referrals:episode-detail", args=[episode.pk]))
    axe(page)
    assert FollowUp.objects.filter(episode=episode, keyworker=keyworker).count() == 2

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Follow-ups").click()
    axe(page)
    screenshot("follow-ups")
    rows = page.get_by_role("row").filter(has_text="Lena Okafor")
    assert rows.count() == 2
    page.get_by_role("link", name="Lena Okafor", exact=True).first.click()
    page.wait_for_url(live_server.url + reverse("referrals:person-detail", args=[episode.person_id]))
    axe(page)
    page.go_back()
    rows.first.get_by_role("link", name="Record").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Record the 6 months after discharge")
    axe(page)
