"""Prescribing in a real browser: a clinical assessment, then a prescription; none without the assessment."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from prescribing.factories import PharmacyFactory
from prescribing.models import ClinicalAssessment, Prescription
from recovery_plans.factories import ModalityFactory
from referrals.factories import AllocationFactory
from referrals.models import TeamInvolvement

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REFUSAL = "A clinical assessment by a prescriber is needed before prescribing."


@pytest.fixture
def prescribing_team(db):
    return TeamFactory(name="Prescribing", kind=TeamKind.PRESCRIBING)


@pytest.fixture
def prescriber(staff, prescribing_team):
    return staff(Role.PRESCRIBER, team=prescribing_team, username="e2e.prescriber")


@pytest.fixture
def episode(staff, arm_team, prescribing_team):
    """An open episode referred to the prescribing team, with a pharmacological modality waiting."""
    delivery = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    episode = AllocationFactory(
        keyworker=staff(Role.KEYWORKER, team=delivery), team=delivery, episode__referral__team=arm_team
    ).episode
    TeamInvolvement.objects.create(
        person=episode.person, team=prescribing_team, since=episode.opened_on, reason="pharmacological modality"
    )
    ModalityFactory(episode=episode)
    PharmacyFactory(name="Shirley Road Pharmacy")
    return episode


def fill_prescription(page):
    page.get_by_label("Medication").select_option(label="Methadone oral solution 1mg/ml")
    page.get_by_label("Dose", exact=True).fill("30")
    page.get_by_label("Pharmacy").select_option(label="Shirley Road Pharmacy")
    page.get_by_role("button", name="Save prescription").click()


def test_a_prescriber_records_a_clinical_assessment_then_a_prescription(
    live_server, page, sign_in, axe, screenshot, prescriber, episode
):
    sign_in(page, prescriber)
    page.goto(live_server.url + reverse("prescribing:assessment-new", args=[episode.pk]))
    axe(page)
    page.get_by_label("Findings").fill("Opiate dependent, daily heroin use. Suitable for methadone titration.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(live_server.url + reverse("prescribing:person-history", args=[episode.person_id]))
    assert ClinicalAssessment.objects.get(episode=episode).prescriber == prescriber
    axe(page)

    page.goto(live_server.url + reverse("prescribing:prescription-new", args=[episode.pk]))
    axe(page)
    screenshot("prescription-form")
    fill_prescription(page)
    page.wait_for_url(live_server.url + reverse("prescribing:person-history", args=[episode.person_id]))
    prescription = Prescription.objects.get(episode=episode)
    assert str(prescription.dose) == "30.00"
    assert "Methadone" in page.locator(".nhsuk-main-wrapper").inner_text()
    axe(page)
    screenshot("prescribing-history")


def test_a_prescription_without_a_clinical_assessment_is_refused_in_the_error_summary(
    live_server, page, sign_in, axe, screenshot, prescriber, episode
):
    sign_in(page, prescriber)
    page.goto(live_server.url + reverse("prescribing:prescription-new", args=[episode.pk]))
    fill_prescription(page)

    summary = page.locator(".nhsuk-error-summary")
    # Playwright's own check: a string predicate is evaluated by eval(), which the page's CSP refuses.
    expect(summary).to_be_focused()
    assert REFUSAL in summary.inner_text()
    assert page.title().startswith("Error: ")
    axe(page)
    screenshot("prescription-refused")
    assert not Prescription.objects.exists()
