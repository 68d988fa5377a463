"""Signing in with the keyboard alone, in a real browser, on the NHS.UK layout, with two-factor enrolment."""

import base64

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import totp

PASSWORD = "a-long-enough-test-password"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def keyworker():
    user = get_user_model().objects.create_user(
        username="kim.keyworker", password=PASSWORD, first_name="Kim", last_name="Okafor"
    )
    user.groups.add(Group.objects.get_or_create(name="Keyworker")[0])
    return user


def focused(page, attribute):
    return page.evaluate(f"document.activeElement.getAttribute('{attribute}')")


def current_code(base32_key: str) -> str:
    key = base64.b32decode(base32_key + "=" * (-len(base32_key) % 8))
    return f"{totp(key):06d}"


def test_keyboard_only_sign_in_enrols_two_factor_and_reaches_the_home_page(
    live_server, page, screenshot, axe, keyworker
):
    page.goto(f"{live_server.url}/sign-in/")
    # The NHS.UK script has started: its stylesheet hides the skip link until it has the focus.
    page.wait_for_selector("body.nhsuk-frontend-supported")

    page.keyboard.press("Tab")
    assert focused(page, "class") == "nhsuk-skip-link"
    page.keyboard.press("Enter")
    assert focused(page, "id") == "maincontent"

    page.keyboard.press("Tab")
    assert focused(page, "id") == "id_username"
    page.keyboard.type("kim.keyworker")
    page.keyboard.press("Tab")
    assert focused(page, "id") == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # First sign-in: enrol an authenticator, here computed from the key the page shows for typing.
    page.wait_for_url(f"{live_server.url}/two-factor/?next=/")
    axe(page)
    screenshot("two-factor-enrol")
    key = page.locator("[data-secret]").inner_text().replace(" ", "")
    page.get_by_label("Security code").fill(current_code(key))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator("[data-recovery-codes] li").count() == 10
    page.get_by_role("link", name="I have kept my codes: continue").click()

    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Your work"
    assert "Kim Okafor" in page.locator(".nhsuk-header__account").inner_text()
    # The NHS.UK stylesheet is applied: the header is NHS blue.
    header_colour = page.locator(".nhsuk-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header_colour == "rgb(0, 94, 184)"
    screenshot("home")


def test_empty_sign_in_focuses_the_error_summary_and_links_to_the_field(live_server, page, screenshot, db):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    page.wait_for_function("document.activeElement.classList.contains('nhsuk-error-summary')")
    assert page.title() == "Error: Sign in \N{EN DASH} Recovery Record"
    assert page.locator(".nhsuk-form-group--error").count() == 2
    screenshot("sign-in-errors")

    summary.get_by_role("link", name="Enter your password").click()
    assert focused(page, "id") == "id_password"


def test_wrong_password_keeps_the_username_and_explains(live_server, page, screenshot, keyworker):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("kim.keyworker")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    page.locator(".nhsuk-error-summary").wait_for()
    assert "Enter a correct username and password" in page.locator(".nhsuk-error-summary").inner_text()
    assert page.get_by_label("Username").input_value() == "kim.keyworker"
    screenshot("sign-in-wrong-password")


def test_the_axe_check_names_the_rule_the_element_and_the_help(page, axe):
    # The journeys rely on this check failing: a page with an unlabelled input and an image without
    # alternative text must be refused, with enough detail to find the fault.
    page.set_content('<html lang="en"><body><main><h1>T</h1><img src="x.png"><input id="q"></main></body></html>')
    with pytest.raises(AssertionError) as failure:
        axe(page)
    message = str(failure.value)
    assert "image-alt (critical): Images must have alternative text; element img;" in message
    assert "label (critical): Form elements must have labels; element #q;" in message
