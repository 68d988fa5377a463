"""Recovery plans in a real browser: a keyworker drafts and submits, another assessor of the team signs off
and the person's PDF downloads; the author cannot sign their own version; two people saving one draft."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from recovery_plans.models import PlanVersion, VersionStatus
from recovery_plans.services import plans
from tests.recovery_plans.plan_fixtures import *  # noqa: F403
from tests.recovery_plans.plan_fixtures import GOALS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def url(live_server, name, *args):
    return live_server.url + reverse(f"recovery_plans:{name}", args=args)


def focused_id(page):
    return page.evaluate("document.activeElement.id")


def test_keyworker_drafts_and_submits_then_another_assessor_signs_off_and_the_pdf_downloads(
    live_server, new_page, sign_in, axe, screenshot, episode, keyworker, assessor
):
    page = sign_in(new_page(), keyworker)
    page.goto(url(live_server, "plan-detail", episode.pk))
    axe(page)
    page.get_by_role("button", name="Start a plan").click()
    page.get_by_role("link", name="Change their own words").click()
    axe(page)
    page.get_by_label("In the person's own words").fill("I want to be there for my kids at school pick-up")
    page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Add a goal").click()
    axe(page)
    page.get_by_role("radio", name="Housing").check()
    page.get_by_label("Goal", exact=True).fill("Find my own flat")
    page.locator("#id_actions-0-what").fill("Call the council housing team")
    page.locator("#id_actions-0-who").fill("Me, with my keyworker")
    screenshot("plan-goal-form")
    page.get_by_role("button", name="Save goal").click()

    page.wait_for_url(url(live_server, "plan-detail", episode.pk))
    assert "Draft saved." in page.locator(".nhsuk-main-wrapper").inner_text()
    assert "Goal 1: Find my own flat" in page.locator(".nhsuk-card").first.inner_text()
    assert page.get_by_role("cell", name="Call the council housing team").is_visible()
    axe(page)
    screenshot("plan-draft")
    page.get_by_role("button", name="Submit for sign-off").click()
    assert "submitted for sign-off" in page.locator(".nhsuk-main-wrapper").inner_text()
    version = PlanVersion.objects.get(plan__episode=episode)
    assert version.status == VersionStatus.SUBMITTED
    assert version.author == keyworker

    signer = sign_in(new_page(), assessor)
    signer.goto(url(live_server, "plan-detail", episode.pk))
    signer.get_by_role("link", name="Sign off or return version 1").click()
    axe(signer)
    screenshot("plan-sign-off", of=signer)
    signer.get_by_role("button", name="Sign off version 1").click()
    signer.wait_for_url(url(live_server, "plan-detail", episode.pk))
    assert "Version 1 signed off." in signer.locator(".nhsuk-main-wrapper").inner_text()
    axe(signer)
    screenshot("plan-signed", of=signer)

    pdf_link = signer.get_by_role("link", name="Download version 1 as a PDF for the person (PDF)")
    response = signer.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_a_future_sign_off_date_is_refused_in_the_error_summary_whose_link_focuses_the_date(
    live_server, page, sign_in, axe, screenshot, submitted, assessor
):
    sign_in(page, assessor)
    page.goto(url(live_server, "plan-sign-off", submitted.pk))
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.locator("#id_signed_on_day").fill(str(tomorrow.day))
    page.locator("#id_signed_on_month").fill(str(tomorrow.month))
    page.locator("#id_signed_on_year").fill(str(tomorrow.year))
    page.get_by_role("button", name="Sign off version 1").click()

    summary = page.locator(".nhsuk-error-summary")
    page.wait_for_function("document.activeElement.classList.contains('nhsuk-error-summary')")
    assert page.title().startswith("Error: ")
    axe(page)
    screenshot("plan-sign-off-error")
    summary.get_by_role("link", name="The sign-off date cannot be in the future.").click()
    assert focused_id(page) == "id_signed_on_day"
    submitted.refresh_from_db()
    assert submitted.status == VersionStatus.SUBMITTED


def test_the_author_of_a_version_is_told_another_assessor_must_sign_it_off(
    live_server, page, sign_in, axe, screenshot, staff, episode, arm_team
):
    author = staff(Role.ASSESSOR, team=arm_team, username="author.assessor")
    version = plans.start_plan(episode=episode, by=author)
    version = plans.update_draft(
        version=version, own_words="I want to work again", goals=GOALS, by=author, expected_version=version.version
    )
    version = plans.submit(version=version, by=author, expected_version=version.version)

    sign_in(page, author)
    page.goto(url(live_server, "plan-sign-off", version.pk))
    refusal = page.locator("main .nhsuk-warning-callout")
    assert refusal.locator("h2").inner_text().endswith("You cannot sign off this plan")
    assert "You wrote this version: another assessor must sign it off." in refusal.inner_text()
    assert page.get_by_role("button", name="Sign off version 1").count() == 0
    axe(page)
    screenshot("plan-sign-off-refused")


def test_a_stale_save_is_refused_and_keeps_what_the_second_person_typed(
    live_server, new_page, sign_in, axe, screenshot, draft, keyworker, assessor
):
    first = sign_in(new_page(), keyworker)
    second = sign_in(new_page(), assessor)
    for page in (first, second):
        page.goto(url(live_server, "plan-own-words", draft.pk))

    first.get_by_label("In the person's own words").fill("I want my kids back and a job")
    first.get_by_role("button", name="Save").click()
    first.wait_for_url(url(live_server, "plan-detail", draft.plan.episode_id))

    typed = "I want to stay off heroin and see my mum on Sundays"
    second.get_by_label("In the person's own words").fill(typed)
    second.get_by_role("button", name="Save").click()
    second.locator("main .nhsuk-warning-callout").wait_for()
    assert "Your change was not saved" in second.locator("main .nhsuk-warning-callout").inner_text()
    assert second.get_by_label("In the person's own words").input_value() == typed
    axe(second)
    screenshot("plan-stale-edit", of=second)
    draft.refresh_from_db()
    assert draft.own_words == "I want my kids back and a job"
