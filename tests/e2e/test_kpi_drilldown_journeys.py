"""KPIs in a real browser: a team manager opens the team's KPIs, drills from a red KPI into its failing
episodes, reads why each failed and opens one; then sees what is at risk this week. A data admin opens data
quality. axe on every page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Intervention
from referrals.factories import EpisodeFactory
from reporting.periods import quarter_containing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def modality(episode, referred_on, started_on=None):
    cbt = Intervention.objects.get(code="CBT")
    return ModalityFactory(
        episode=episode,
        intervention=cbt,
        modality_type=cbt.modality_type,
        referred_on=referred_on,
        started_on=started_on,
    )


def started(team, referred_on, started_on, given_name):
    episode = EpisodeFactory(
        opened_on=referred_on,
        referral__received_on=referred_on,
        referral__team=team,
        referral__person__given_name=given_name,
        referral__person__family_name="Example",
    )
    modality(episode, referred_on, started_on)
    return episode


def test_a_manager_drills_from_a_red_kpi_into_its_failing_episodes(
    live_server, new_page, sign_in, axe, screenshot, staff, arm_team, data_admin
):
    today = timezone.localdate()
    quarter = quarter_containing(today)
    start = max(quarter.start, today - timedelta(days=60))
    late = started(arm_team, start - timedelta(days=29), start, "Lou")
    started(arm_team, start, start + timedelta(days=3), "Pat")
    waiting = EpisodeFactory(opened_on=today - timedelta(days=16), referral__team=arm_team)
    modality(waiting, today - timedelta(days=16))
    manager = staff(Role.TEAM_MANAGER, team=arm_team)

    page = sign_in(new_page(), manager)
    page.goto(live_server.url + reverse("reporting:team-kpis"))
    assert page.locator("h1").inner_text() == f"KPIs for {arm_team.name}, {quarter.label}"
    axe(page)
    w21 = page.get_by_role("row").filter(has_text="W21")
    # The status is in words as well as red.
    assert "Not met" in w21.inner_text()
    screenshot("team-kpis", of=page)
    w21.get_by_role("link", name="1 missed W21").click()

    assert page.locator("h1").inner_text().startswith("W21:")
    axe(page)
    row = page.get_by_role("row").filter(has_text="Lou Example")
    assert f"W21: waited 29 days, referred {_long(start - timedelta(days=29))}, started {_long(start)}" in (
        row.inner_text()
    )
    assert "Pat Example" not in page.content()
    screenshot("kpi-drilldown", of=page)
    row.get_by_role("link", name="Lou Example").click()
    page.wait_for_url(live_server.url + reverse("referrals:episode-detail", args=[late.pk]))

    page.goto(live_server.url + reverse("reporting:at-risk"))
    axe(page)
    at_risk = page.get_by_role("row").filter(has_text=str(waiting.person))
    assert "W21" in at_risk.inner_text()
    cbt = Intervention.objects.get(code="CBT").label
    assert f"Start {cbt} by {_long(today + timedelta(days=5))}" in at_risk.inner_text()
    screenshot("kpi-at-risk", of=page)

    admin = sign_in(new_page(), data_admin)
    admin.goto(live_server.url + reverse("reporting:data-quality"))
    assert admin.locator("h1").inner_text() == "Data quality"
    axe(admin)
    screenshot("data-quality", of=admin)


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
