"""A data admin imports a transfer-of-care file in a real browser (issue 13): a file with an error is refused with
its line, field and reason; the corrected file is imported while the page's progress bar follows the task."""

import pytest
from django.urls import reverse

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from referrals.models import Person
from reporting import tasks
from reporting.returns.uploads import transfer_import_run
from tests.reporting.transfer_files import as_bytes, good_rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def upload(page, name, content):
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.uncheck("#id_dry_run")
    page.get_by_role("button", name="Upload").click()


def test_a_data_admin_reads_the_line_and_reason_of_a_refused_file_then_imports_the_corrected_one(
    live_server, page, sign_in, axe, screenshot, staff, settings, tmp_path, monkeypatch
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    TeamFactory(name="ARM", kind=TeamKind.ARM)
    TeamFactory(name="ESAP", kind=TeamKind.ESAP)
    staff(Role.KEYWORKER, username="old.keyworker", team=TeamFactory(name="Delivery", kind=TeamKind.DELIVERY))
    admin = staff(Role.DATA_ADMIN, username="data.admin")
    # The worker is this test: it runs each queued import when the test says, so the page is seen waiting first.
    queued = []
    monkeypatch.setattr(tasks.run_transfer_import, "delay", queued.append)

    sign_in(page, admin)
    page.goto(live_server.url + reverse("reporting:imports"))
    page.wait_for_selector("body.nhsuk-frontend-supported")
    axe(page)

    bad = good_rows()
    bad[2]["TRSTAGE"] = "Q"
    upload(page, "transfer.csv", as_bytes(bad))
    page.wait_for_selector("#import-progress")
    assert page.inner_text("#import-outcome") == "Waiting to start"
    transfer_import_run(queued.pop())
    page.wait_for_selector("text=The file was refused: nothing was imported")
    row = page.locator("table tbody tr").first
    assert row.locator("td").nth(0).inner_text() == "4"
    assert row.locator("td").nth(1).inner_text() == "TRSTAGE"
    assert "'Q' is not a known code" in row.locator("td").nth(2).inner_text()
    axe(page)
    screenshot("return-import-refused")
    assert Person.objects.count() == 0

    page.goto(live_server.url + reverse("reporting:imports"))
    upload(page, "transfer-corrected.csv", as_bytes(good_rows()))
    page.wait_for_selector("#import-progress")
    assert page.get_attribute("#import-progress", "value") == "0"
    axe(page)
    screenshot("return-import-waiting")
    transfer_import_run(queued.pop())
    page.wait_for_selector("text=What was created")
    assert page.inner_text("#import-outcome") == "Imported"
    assert page.get_attribute("#import-progress", "value") == "100"
    axe(page)
    screenshot("return-import-done")
    assert Person.objects.count() == 2

    page.goto(live_server.url + reverse("reporting:imports"))
    assert page.locator("table tbody tr").count() == 2
    axe(page)
