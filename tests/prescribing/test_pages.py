"""Prescriber pages: clinic list, dose timeline, and the forms, with the same rules and scope as the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from core.pagination import PAGE_SIZE
from prescribing.factories import ClinicalAssessmentFactory, PrescriptionFactory
from prescribing.models import Prescription
from referrals.factories import EpisodeFactory
from referrals.models import TeamInvolvement

pytestmark = pytest.mark.django_db


def _people_on_scripts(count, prescribing_team, prescriber):
    today = timezone.localdate()
    for _ in range(count):
        episode = EpisodeFactory()
        TeamInvolvement.objects.create(person=episode.person, team=prescribing_team, since=today, reason="modality")
        assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=today)
        first = PrescriptionFactory(
            clinical_assessment=assessment, starts_on=today - timedelta(days=10), ends_on=today - timedelta(days=3)
        )
        PrescriptionFactory(clinical_assessment=assessment, starts_on=today - timedelta(days=2), supersedes=first)


@pytest.mark.parametrize("count", [5, 60])
def test_clinic_lists_todays_dispensing_in_a_fixed_number_of_queries(
    count, client, prescriber, prescribing_team, django_assert_max_num_queries
):
    _people_on_scripts(count, prescribing_team, prescriber)
    client.force_login(prescriber)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("prescribing:clinic"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(count, PAGE_SIZE)


def test_clinic_shows_only_people_referred_to_my_team(client, staff, prescriber, prescribing_team):
    _people_on_scripts(2, prescribing_team, prescriber)
    stranger = staff(Role.PRESCRIBER)
    client.force_login(stranger)
    assert client.get(reverse("prescribing:clinic")).context["rows"] == []


def test_clinic_is_for_prescribers(client, allocation):
    client.force_login(allocation.keyworker)
    assert client.get(reverse("prescribing:clinic")).status_code == 403


@pytest.mark.parametrize("doses", [2, 30])
def test_history_is_a_timeline_of_doses_in_a_fixed_number_of_queries(
    doses, client, episode, prescriber, django_assert_max_num_queries
):
    assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber)
    previous = None
    for step in range(doses):
        starts_on = assessment.assessed_on + timedelta(days=step * 7)
        if previous is not None:
            Prescription.objects.filter(pk=previous.pk).update(ends_on=starts_on - timedelta(days=1))
        previous = PrescriptionFactory(
            clinical_assessment=assessment, starts_on=starts_on, dose=60 - step, supersedes=previous
        )
    client.force_login(prescriber)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("prescribing:person-history", args=[episode.person_id]))
    assert response.status_code == 200
    assert len(response.context["prescriptions"]) == doses


@pytest.mark.parametrize("persona", ["prescriber", "keyworker", "stranger"])
def test_history_by_persona(persona, client, staff, episode, allocation, prescriber):
    user = {"prescriber": prescriber, "keyworker": allocation.keyworker, "stranger": staff(Role.PRESCRIBER)}[persona]
    client.force_login(user)
    response = client.get(reverse("prescribing:person-history", args=[episode.person_id]))
    assert response.status_code == (404 if persona == "stranger" else 200)


def _date(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def test_prescription_form_without_clinical_assessment_shows_the_message(
    client, episode, prescriber, methadone, pharmacy
):
    client.force_login(prescriber)
    response = client.post(
        reverse("prescribing:prescription-new", args=[episode.pk]),
        {
            "medication": methadone.pk,
            "dose": "30",
            "regime": "stabilisation",
            "dispensing_interval_days": 1,
            "supervised": "on",
            "pharmacy": pharmacy.pk,
            **_date("starts_on", timezone.localdate()),
        },
    )
    assert response.status_code == 200
    assert "clinical assessment" in str(response.context["form"].errors)
    assert not Prescription.objects.exists()

    assessment_url = reverse("prescribing:assessment-new", args=[episode.pk])
    assert f'href="{assessment_url}"' in response.text


def test_prescription_form_stops_pointing_at_the_assessment_once_it_is_recorded(client, episode, prescriber):
    client.force_login(prescriber)
    assessment_url = reverse("prescribing:assessment-new", args=[episode.pk])
    client.post(assessment_url, {"findings": "Opiate dependent", **_date("assessed_on", timezone.localdate())})
    page = client.get(reverse("prescribing:prescription-new", args=[episode.pk])).text
    assert f'href="{assessment_url}"' not in page


def test_prescriber_records_assessment_then_prescribes_then_changes_dose(
    client, episode, prescriber, methadone, pharmacy
):
    client.force_login(prescriber)
    today = timezone.localdate()
    response = client.post(
        reverse("prescribing:assessment-new", args=[episode.pk]),
        {"findings": "Opiate dependent", **_date("assessed_on", today)},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("prescribing:prescription-new", args=[episode.pk]),
        {
            "medication": methadone.pk,
            "dose": "30",
            "regime": "stabilisation",
            "dispensing_interval_days": 1,
            "supervised": "on",
            "pharmacy": pharmacy.pk,
            **_date("starts_on", today),
        },
    )
    assert response.status_code == 302
    prescription = Prescription.objects.get()
    response = client.post(
        reverse("prescribing:change-dose", args=[prescription.pk]),
        {"version": 1, "dose": "0", "supervised": "on", **_date("starts_on", today + timedelta(days=7))},
    )
    assert "greater than 0" in str(response.context["form"].errors)
    response = client.post(
        reverse("prescribing:change-dose", args=[prescription.pk]),
        {"version": 1, "dose": "40", "supervised": "on", **_date("starts_on", today + timedelta(days=7))},
    )
    assert response.status_code == 302
    assert Prescription.objects.count() == 2


def test_keyworker_cannot_open_the_prescription_form(client, episode, allocation):
    client.force_login(allocation.keyworker)
    assert client.get(reverse("prescribing:prescription-new", args=[episode.pk])).status_code == 403


def test_prescriber_of_another_team_gets_404_on_the_form(client, staff, episode):
    client.force_login(staff(Role.PRESCRIBER))
    assert client.get(reverse("prescribing:prescription-new", args=[episode.pk])).status_code == 404
