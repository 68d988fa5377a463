"""Issue 14: a referral's date and time received, typed with the keyboard in a real browser, is stored as typed:
02/12/2026 is 2 December, never 12 February as a browser's date-time picker read it. A date more than 30 days
back asks for confirmation first. axe checks each page."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from core.models import ReferralSource
from referrals.models import Referral
from tests.e2e.test_nsp_journey import tab_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _type_date(page, prefix, day: date, time: str):
    tab_to(page, f"{prefix}_day")
    page.keyboard.type(f"{day.day:02d}")
    page.keyboard.press("Tab")
    page.keyboard.type(f"{day.month:02d}")
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.year))
    page.keyboard.press("Tab")
    page.keyboard.type(time)


def test_the_date_received_typed_by_keyboard_is_stored_as_typed(
    live_server, page, sign_in, axe, screenshot, staff, arm_team, esap_team
):
    sign_in(page, staff(Role.REFERRER))
    # 2 December of last year: day and month could be swapped (2/12, not 12/2), and it is more than 30 days back,
    # so the confirmation is asked for every time the test runs.
    typed = date(timezone.localdate().year - 1, 12, 2)
    page.goto(live_server.url + reverse("referrals:referral-new"))
    page.wait_for_selector("body.nhsuk-frontend-supported")
    axe(page)

    page.get_by_label("Given name", exact=True).fill("Robin")
    page.get_by_label("Family name", exact=True).fill("Hartley")
    _type_date(page, "id_person-date_of_birth", date(1980, 2, 3), "")
    page.get_by_label("Sex", exact=True).select_option(index=1)
    _type_date(page, "id_referral-received_at", typed, "09:30")
    page.get_by_label("Referral source", exact=True).select_option(str(ReferralSource.objects.get(code="4").pk))
    page.get_by_label("Reason for referral", exact=True).fill("Wants to stop drinking")
    page.get_by_label("Lives in the city", exact=True).check()
    page.get_by_role("button", name="Save referral").click()

    # The date is long past: the page asks, with one error summary that has the focus, and keeps what was typed.
    page.wait_for_selector(".nhsuk-error-summary")
    assert page.locator(".nhsuk-error-summary").count() == 1
    assert page.evaluate("document.activeElement.classList.contains('nhsuk-error-summary')")
    assert page.locator("#id_referral-received_at_month").input_value() == "12"
    axe(page)
    screenshot("referral-date-confirmation")
    page.get_by_label("Yes, this is the date the referral was received", exact=True).check()
    page.get_by_role("button", name="Save referral").click()

    page.wait_for_url("**/referrals/people/*/")
    received = timezone.localtime(Referral.objects.get().received_at)
    assert (received.day, received.month, received.year, received.hour, received.minute) == (
        2,
        12,
        typed.year,
        9,
        30,
    )
    axe(page)
