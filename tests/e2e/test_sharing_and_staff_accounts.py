"""Issue 14 in a real browser, axe on every page: a manager shares a record, the worker opens it from their menu,
and the share expires; a data admin creates an account that then signs in and enrols two-factor."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp

from core.choices import Role, TeamKind
from core.factories import TeamFactory, make_staff
from referrals.factories import AllocationFactory
from referrals.models import PersonUserObjectPermission, RecordShare
from referrals.tasks import expire_record_shares

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REASON = "Joint visit with the hospital liaison team this fortnight"
PASSWORD = "a-long-first-password-2026"


@pytest.fixture
def setting():
    arm = TeamFactory(name="ARM", kind=TeamKind.ARM)
    person = AllocationFactory(episode__referral__team=arm, team=arm).episode.person
    manager = make_staff(Role.TEAM_MANAGER, team=arm, username="manager.arm", first_name="Mo", last_name="Manager")
    south = TeamFactory(name="Delivery South", kind=TeamKind.DELIVERY)
    worker = make_staff(Role.KEYWORKER, team=south, username="kw.south", first_name="Wren", last_name="Worker")
    admin = make_staff(Role.DATA_ADMIN, username="data.admin", first_name="Dee", last_name="Admin")
    return person, manager, worker, admin


def test_a_manager_shares_a_record_the_worker_opens_it_and_then_it_expires(
    live_server, new_page, sign_in, axe, screenshot, setting
):
    person, manager, worker, admin = setting
    person_url = f"{live_server.url}/referrals/people/{person.pk}/"
    page = sign_in(new_page(), manager)
    # From the home page, as a manager would. The live server's first request loads every app's URLs and templates:
    # on a loaded machine that alone can pass the 10 s default, so this one navigation may take longer.
    page.goto(live_server.url, timeout=60_000)
    axe(page)
    page.goto(person_url)
    axe(page)
    page.get_by_role("link", name="Share this record").click()
    page.get_by_role("heading", name="Share this record with a worker outside your team").wait_for()
    axe(page)
    # Submitted empty first: the error summary names each field.
    page.get_by_role("button", name="Share the record").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "Choose the worker to share the record with" in summary.inner_text()
    assert "Enter why the worker needs this record" in summary.inner_text()
    axe(page)
    page.get_by_label("Worker to share the record with").select_option(label="Wren Worker (kw.south, Delivery South)")
    page.get_by_label("Why the worker needs this record").fill(REASON)
    last_day = timezone.localdate() + timedelta(days=14)
    page.fill("#id_ends_on_day", str(last_day.day))
    page.fill("#id_ends_on_month", str(last_day.month))
    page.fill("#id_ends_on_year", str(last_day.year))
    page.get_by_role("button", name="Share the record").click()
    banner = page.locator(".nhsuk-notification-banner--success")
    assert "Record shared with Wren Worker" in banner.inner_text()
    assert page.url == person_url
    axe(page)

    reader = sign_in(new_page(), worker)
    reader.goto(live_server.url)
    reader.get_by_role("link", name="Shared with me").first.click()
    reader.get_by_role("heading", name="Records shared with me").wait_for()
    axe(reader)
    reader.get_by_role("link", name=str(person)).click()
    reader.get_by_role("heading", name=str(person)).wait_for()
    axe(reader)
    screenshot("shared-record-opened", of=reader)

    # The day after the last day: the rule closes the record, and the night's job records the expiry.
    yesterday = timezone.localdate() - timedelta(days=1)
    RecordShare.objects.update(ends_on=yesterday)
    PersonUserObjectPermission.objects.update(expires_on=yesterday)
    reader.goto(person_url)
    assert reader.get_by_role("heading", name=str(person)).count() == 0
    axe(reader)
    assert expire_record_shares() == 1
    reader.goto(f"{live_server.url}/referrals/shared-with-me/")
    assert "No record is shared with you" in reader.inner_text("main")

    auditor = sign_in(new_page(), admin)
    auditor.goto(f"{live_server.url}/referrals/shares/")
    row = auditor.locator("tbody tr").first.inner_text()
    assert person.client_id in row
    assert "Expired" in row
    assert REASON in row
    axe(auditor)


def current_code(base32_key: str) -> str:
    key = base64.b32decode(base32_key + "=" * (-len(base32_key) % 8))
    return f"{totp(key):06d}"


def test_a_data_admin_creates_an_account_that_then_signs_in(live_server, new_page, sign_in, axe, screenshot, setting):
    admin = setting[3]
    page = sign_in(new_page(), admin)
    page.goto(live_server.url)
    page.get_by_role("link", name="Staff accounts").first.click()
    page.get_by_role("heading", name="Staff accounts").wait_for()
    axe(page)
    page.get_by_role("button", name="Create an account").click()
    page.get_by_role("heading", name="Create a staff account").wait_for()
    axe(page)
    page.get_by_label("Username").fill("new.keyworker")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Newcomer")
    page.get_by_label("Keyworker").check()
    page.get_by_label("Delivery South").check()
    page.get_by_label("First password").fill("short")
    page.get_by_role("button", name="Create the account").click()
    assert "This password is too short" in page.locator(".nhsuk-error-summary").inner_text()
    axe(page)
    page.get_by_label("First password").fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    assert "Account new.keyworker created" in page.locator(".nhsuk-notification-banner--success").inner_text()
    axe(page)
    screenshot("staff-account-created", of=page)

    newcomer = new_page()
    newcomer.goto(f"{live_server.url}/sign-in/")
    newcomer.get_by_label("Username").fill("new.keyworker")
    newcomer.get_by_label("Password").fill(PASSWORD)
    newcomer.get_by_role("button", name="Sign in").click()
    newcomer.wait_for_url(f"{live_server.url}/two-factor/?next=/")
    axe(newcomer)
    key = newcomer.locator("[data-secret]").inner_text().replace(" ", "")
    newcomer.get_by_label("Security code").fill(current_code(key))
    newcomer.keyboard.press("Enter")
    newcomer.get_by_role("heading", name="Your recovery codes").wait_for()
    axe(newcomer)
