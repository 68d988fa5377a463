"""Prescribing API under /api/v1/: the same rules and the same scope as the pages."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from core.choices import Role
from core.models import Substance
from prescribing.factories import ClinicalAssessmentFactory, PrescriptionFactory
from prescribing.models import DrugTest, Prescription
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Goal, LifeDomain, PlanVersion, RecoveryPlan

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def assessment(episode, prescriber):
    return ClinicalAssessmentFactory(episode=episode, prescriber=prescriber)


def new_prescription(episode, methadone, pharmacy, **overrides):
    return {
        "episode": episode.pk,
        "medication": methadone.pk,
        "dose": "30",
        "regime": "stabilisation",
        "starts_on": (episode.opened_on + timedelta(days=3)).isoformat(),
        "pharmacy": pharmacy.pk,
        **overrides,
    }


def test_prescriber_prescribes_and_changes_the_dose(episode, prescriber, methadone, pharmacy, assessment):
    response = api(prescriber).post(
        "/api/v1/prescriptions/", new_prescription(episode, methadone, pharmacy), format="json"
    )
    assert response.status_code == 201, response.data
    starts_on = episode.opened_on + timedelta(days=10)
    changed = api(prescriber).post(
        f"/api/v1/prescriptions/{response.data['id']}/change-dose/",
        {"version": 1, "dose": "45", "starts_on": starts_on.isoformat()},
        format="json",
    )
    assert changed.status_code == 201, changed.data
    assert changed.data["supersedes"] == response.data["id"]
    assert Prescription.objects.get(pk=response.data["id"]).ends_on == starts_on - timedelta(days=1)
    stale = api(prescriber).post(
        f"/api/v1/prescriptions/{changed.data['id']}/change-dose/",
        {"version": 7, "dose": "50", "starts_on": (starts_on + timedelta(days=7)).isoformat()},
        format="json",
    )
    assert stale.status_code == 409


def test_prescription_without_clinical_assessment_is_400_and_writes_nothing(episode, prescriber, methadone, pharmacy):
    response = api(prescriber).post(
        "/api/v1/prescriptions/", new_prescription(episode, methadone, pharmacy), format="json"
    )
    assert response.status_code == 400
    assert "clinical_assessment" in response.data
    assert not Prescription.objects.exists()


@pytest.mark.parametrize("dose", ["0", "-3", "lots"])
def test_dose_not_a_positive_number_is_400(dose, episode, prescriber, methadone, pharmacy, assessment):
    response = api(prescriber).post(
        "/api/v1/prescriptions/", new_prescription(episode, methadone, pharmacy, dose=dose), format="json"
    )
    assert response.status_code == 400
    assert "dose" in response.data


def test_keyworker_cannot_prescribe_through_the_api(episode, allocation, methadone, pharmacy, assessment):
    response = api(allocation.keyworker).post(
        "/api/v1/prescriptions/", new_prescription(episode, methadone, pharmacy), format="json"
    )
    assert response.status_code == 403


def test_prescriber_of_another_team_gets_404_and_an_empty_list(episode, staff, methadone, pharmacy, assessment):
    prescription = PrescriptionFactory(clinical_assessment=assessment)
    stranger = staff(Role.PRESCRIBER)
    assert api(stranger).get(f"/api/v1/prescriptions/{prescription.pk}/").status_code == 404
    listed = api(stranger).get("/api/v1/prescriptions/").data
    assert (listed["results"] if isinstance(listed, dict) else listed) == []
    response = api(stranger).post(
        "/api/v1/prescriptions/", new_prescription(episode, methadone, pharmacy), format="json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["prescriber", "keyworker"])
def test_owner_and_team_see_the_prescription(persona, episode, allocation, prescriber, assessment):
    prescription = PrescriptionFactory(clinical_assessment=assessment)
    user = prescriber if persona == "prescriber" else allocation.keyworker
    response = api(user).get(f"/api/v1/prescriptions/{prescription.pk}/")
    assert response.status_code == 200
    assert response.data["dose"] == "30.00"


def test_test_result_for_a_substance_not_tested_is_400(episode, prescriber, plan_draft):
    heroin, cannabis = Substance.objects.get(code="1011"), Substance.objects.get(code="5000")
    response = api(prescriber).post(
        "/api/v1/drug-tests/",
        {
            "episode": episode.pk,
            "tested_on": episode.opened_on.isoformat(),
            "collected_time": "09:30",
            "sample_type": "urine",
            "purpose": "Monitoring",
            "rationale": "Plan goal: abstinence from heroin",
            "substances_tested": [heroin.pk],
            "results": [
                {"substance": heroin.pk, "result": "negative"},
                {"substance": cannabis.pk, "result": "positive"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "results" in response.data
    assert not DrugTest.objects.exists()


def test_safe_storage_decline_without_reason_is_400(episode, prescriber):
    response = api(prescriber).post(
        "/api/v1/safe-storage/",
        {"person": episode.person.pk, "offered_on": episode.opened_on.isoformat(), "outcome": "declined"},
        format="json",
    )
    assert response.status_code == 400
    assert "declined_reason" in response.data


def test_the_endpoints_are_in_the_schema(prescriber):
    schema = api(prescriber).get("/api/v1/schema/").content.decode()
    for path in ("/api/v1/prescriptions/{id}/change-dose/", "/api/v1/drug-tests/", "/api/v1/detox-plans/"):
        assert path in schema


def test_shared_care_and_detox_through_the_api(episode, allocation, prescriber, staff):
    shared = api(prescriber).post(
        "/api/v1/shared-care/",
        {
            "episode": episode.pk,
            "gp_practice": "Bitterne Health Centre",
            "agreed_criteria": "Stable for 6 months",
            "transferred_on": "2026-06-01",
            "next_review_on": "2026-09-01",
        },
        format="json",
    )
    assert shared.status_code == 201, shared.data
    assert shared.data["review_keyworker"] == allocation.keyworker.pk
    detox = api(prescriber).post(
        "/api/v1/detox-plans/",
        {"episode": episode.pk, "setting": "home", "planned_start": "2026-06-01", "planned_end": "2026-05-30"},
        format="json",
    )
    assert detox.status_code == 400
    assert "planned_end" in detox.data
    stranger = api(staff(Role.PRESCRIBER))
    assert stranger.get(f"/api/v1/shared-care/{shared.data['id']}/").status_code == 404
    assert api(allocation.keyworker).get(f"/api/v1/shared-care/{shared.data['id']}/").status_code == 200


def test_residential_referrals_through_the_api_with_the_funding_route(episode, allocation, prescriber, staff):
    body = {
        "episode": episode.pk,
        "kind": "residential_rehab",
        "provider": "Bridge House rehab",
        "funding_route": "personal_budget",
        "referred_on": episode.opened_on.isoformat(),
    }
    created = api(prescriber).post("/api/v1/residential-referrals/", body, format="json")
    assert created.status_code == 201, created.data
    assert created.data["funding_route"] == "personal_budget"
    missing = api(prescriber).post("/api/v1/residential-referrals/", {**body, "funding_route": ""}, format="json")
    assert missing.status_code == 400
    assert "funding_route" in missing.data
    assert api(allocation.keyworker).post("/api/v1/residential-referrals/", body, format="json").status_code == 403
    assert api(allocation.keyworker).get(f"/api/v1/residential-referrals/{created.data['id']}/").status_code == 200
    assert api(staff(Role.PRESCRIBER)).get("/api/v1/residential-referrals/").data["count"] == 0


def test_a_modality_of_another_episode_is_400_on_the_modality_field(
    episode, prescriber, methadone, pharmacy, assessment
):
    other = ModalityFactory()
    response = api(prescriber).post(
        "/api/v1/prescriptions/", new_prescription(episode, methadone, pharmacy, modality=other.pk), format="json"
    )
    assert response.status_code == 400
    assert response.data == {"modality": ["Choose a modality of this episode."]}
    own = ModalityFactory(episode=episode)
    response = api(prescriber).post(
        "/api/v1/prescriptions/", new_prescription(episode, methadone, pharmacy, modality=own.pk), format="json"
    )
    assert response.status_code == 201
    assert response.data["modality"] == own.pk


def test_a_test_by_api_links_to_the_goal_and_its_plan_version(episode, prescriber):
    plan = RecoveryPlan.objects.create(episode=episode)
    version = PlanVersion.objects.create(plan=plan, number=1, author=prescriber)
    goal = Goal.objects.create(plan_version=version, domain=LifeDomain.SUBSTANCE_USE, text="Stop drinking")
    alcohol = Substance.objects.get(code="7000")
    response = api(prescriber).post(
        "/api/v1/drug-tests/",
        {
            "episode": episode.pk,
            "tested_on": episode.opened_on.isoformat(),
            "collected_time": "09:30",
            "sample_type": "breath",
            "purpose": "Abstinence check",
            "rationale": "Plan goal: stop drinking; breath test at each visit",
            "goal": goal.pk,
            "substances_tested": [alcohol.pk],
            "results": [{"substance": alcohol.pk, "result": "negative"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert (response.data["goal"], response.data["plan_version"]) == (goal.pk, version.pk)


def test_new_endpoints_are_in_the_schema(prescriber):
    schema = api(prescriber).get("/api/v1/schema/").content.decode()
    assert "/api/v1/residential-referrals/" in schema


@pytest.mark.parametrize("role", [Role.HARM_REDUCTION_WORKER, Role.REFERRER, Role.COMMISSIONER])
def test_api_refuses_prescribing_records_to_roles_the_pages_refuse(client, staff, role):
    client.force_login(staff(role))
    for path in ("prescriptions", "clinical-assessments", "drug-tests", "detox-plans", "shared-care"):
        assert client.get(f"/api/v1/{path}/").status_code == 403, path
