"""A data admin exports last month's return in a real browser and sees the problem the import's rules found,
with a link to the record to fix (issue 13's journey; the upload half is the import's)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.models import ReturnExport
from reporting.periods import month_containing
from tests.reporting.return_fixtures import consenting_person, episode

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_data_admin_exports_a_month_and_sees_a_validation_problem(
    live_server, page, sign_in, axe, screenshot, data_admin, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    last_month = month_containing(timezone.localdate()).previous()
    # A postcode with no inward code: the import's rules refuse it, so the return is not ready to send.
    treated = episode(
        last_month.start - timedelta(days=20),
        last_month.start - timedelta(days=18),
        person=consenting_person(postcode="SO1"),
    )
    sign_in(page, data_admin)
    page.goto(live_server.url + reverse("reporting:return-months"))
    page.wait_for_selector("body.nhsuk-frontend-supported")
    axe(page)
    screenshot("returns-months")

    page.get_by_role("button", name=f"Export the return for {last_month.start:%B %Y}").click()
    page.wait_for_url(f"{live_server.url}/reporting/returns/exports/*/")
    page.get_by_text("1 problem found").wait_for()
    axe(page)
    screenshot("returns-export-with-problem")

    problem = page.get_by_role("row").filter(has_text="PC")
    assert "postcode" in problem.inner_text().lower() or "SO1" in problem.inner_text()
    problem.get_by_role("link").click()
    page.wait_for_url(live_server.url + reverse("referrals:episode-detail", args=[treated.pk]))

    page.goto(live_server.url + reverse("reporting:return-months"))
    assert page.get_by_text("1 problem", exact=True).is_visible()
    export = ReturnExport.objects.get()
    assert export.problem_count == 1
    assert export.file_name == f"SOTDA-{last_month.start:%Y%m%d}-{last_month.end:%Y%m%d}-TREAT-IN.csv"
