"""The timeout warning in a real browser: it appears before the session ends and 'Stay signed in' renews it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def keyworker():
    user = get_user_model().objects.create_user(username="kim.timeout", password="a-long-enough-test-password")
    user.groups.add(Group.objects.get_or_create(name="Keyworker")[0])
    return user


def test_the_warning_shows_before_the_idle_limit_and_staying_renews_the_session(
    live_server, page, sign_in, axe, screenshot, settings, keyworker
):
    # A 123-second session warned 120 seconds ahead: the warning is due three seconds after the page loads.
    settings.SESSION_COOKIE_AGE = 123
    sign_in(page, keyworker)
    page.goto(f"{live_server.url}/")
    warning = page.locator("#session-warning")
    warning.wait_for(state="visible", timeout=8_000)
    assert "You are about to be signed out" in warning.inner_text()
    page.wait_for_function("document.activeElement.id === 'session-warning-heading'")
    axe(page)
    screenshot("session-warning")

    with page.expect_response(lambda response: "/session/keep-alive/" in response.url) as answer:
        warning.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 200
    assert warning.is_hidden()
