"""The commissioner's quarter in a real browser: RAG statuses and charts, then the quarterly report PDF."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from reporting.dashboard import mi
from reporting.models import ServiceFeedback
from tests.reporting.dashboard_world import QUARTER, eight_quarters, store

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_commissioner_opens_the_quarter_sees_rag_statuses_and_charts_and_downloads_the_pdf(
    live_server, page, sign_in, axe, screenshot, commissioner, tmp_path
):
    teams = [TeamFactory(name="ARM", kind=TeamKind.ARM), TeamFactory(name="ESAP", kind=TeamKind.ESAP)]
    store(eight_quarters(), teams=teams)
    mi.mi_store_all(period=QUARTER)
    sign_in(page, commissioner)

    page.goto(live_server.url + "/")
    page.wait_for_selector("body.nhsuk-frontend-supported")
    assert page.url == live_server.url + reverse("reporting:dashboard")
    page.get_by_label("Quarter").select_option(QUARTER.label)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**quarter={QUARTER.label}**")

    assert page.get_by_role("heading", name="KPI dashboard").is_visible()
    table = page.get_by_role("table", name="KPIs for Q2 2025/26")
    for status in ("Met", "Near: not met", "Not met"):
        assert table.get_by_text(status, exact=True).count() > 0
    assert page.get_by_role("img", name="W21: First intervention waited 21 days or less, last 8 quarters").is_visible()
    page.get_by_text("W21 as a table").click()
    assert page.get_by_role("table", name="W21 by quarter").is_visible()
    axe(page)
    screenshot("commissioner-dashboard")

    page.get_by_role("link", name="Quarterly reports (PDF)").click()
    page.get_by_label("Quarter").select_option(QUARTER.label)
    page.get_by_role("button", name="Make the report").click()
    link = page.get_by_role("link", name="Download quarterly-report-FY2025Q2-whole-service.pdf")
    link.wait_for()
    axe(page)
    with page.expect_download() as downloading:
        link.click()
    saved = Path(tmp_path) / "report.pdf"
    downloading.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    screenshot("commissioner-reports")


def test_a_keyworker_records_feedback_on_an_accessible_page(live_server, page, sign_in, axe, staff):
    team = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    worker = staff(Role.KEYWORKER, team=team)
    sign_in(page, worker)

    page.goto(live_server.url + reverse("reporting:feedback-new"))
    page.wait_for_selector("body.nhsuk-frontend-supported")
    axe(page)
    page.get_by_role("button", name="Save feedback").click()
    assert page.get_by_role("alert").is_visible()
    axe(page)
    page.get_by_label("4: good").check()
    page.get_by_role("button", name="Save feedback").click()
    page.get_by_text("the feedback has been saved").wait_for()

    feedback = ServiceFeedback.objects.get()
    assert (feedback.team, feedback.rating, feedback.received_on) == (team, 4, timezone.localdate())
