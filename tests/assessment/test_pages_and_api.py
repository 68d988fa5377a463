import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessment import services
from assessment.factories import CompleteAssessmentFactory, TopFactory
from assessment.models import TOP_RATINGS, Assessment, Top
from core.choices import Role
from core.models import InjectingStatus, Route, Substance, TreatmentStage
from referrals.choices import TaskKind
from referrals.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def persona(request, allocation, assessor, unrelated_keyworker):
    return {"owner": allocation.keyworker, "same_team": assessor, "unrelated": unrelated_keyworker}[request.param]


PERSONAS = [("owner", 200), ("same_team", 200), ("unrelated", 404)]


@pytest.mark.parametrize(("persona", "expected"), PERSONAS, indirect=["persona"])
def test_episode_assessment_page_by_persona(client, episode, persona, expected):
    CompleteAssessmentFactory(episode=episode)
    client.force_login(persona)
    response = client.get(reverse("assessment:episode-assessment", kwargs={"episode_pk": episode.pk}))
    assert response.status_code == expected


@pytest.mark.parametrize(("persona", "expected"), PERSONAS, indirect=["persona"])
def test_person_outcomes_page_by_persona(client, episode, persona, expected):
    TopFactory(episode=episode, top_date=episode.opened_on)
    TopFactory(episode=episode, stage=TreatmentStage.objects.get(code="R"), quality_of_life=15)
    client.force_login(persona)
    response = client.get(reverse("assessment:person-outcomes", kwargs={"person_pk": episode.person_id}))
    assert response.status_code == expected
    if expected == 200:
        assert "<svg" in response.content.decode()
        assert "Review: 15 out of 20" in response.content.decode()


@pytest.mark.parametrize(("persona", "expected"), PERSONAS, indirect=["persona"])
def test_assessment_api_by_persona(api_client_for, episode, persona, expected):
    assessment = CompleteAssessmentFactory(episode=episode)
    client = api_client_for(persona)
    assert client.get(f"/api/v1/assessments/{assessment.pk}/").status_code == expected
    listed = client.get("/api/v1/assessments/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert (assessment.pk in [row["id"] for row in rows]) is (expected == 200)
    assert client.get(f"/api/v1/outcomes/{episode.person_id}/").status_code == expected


@pytest.mark.parametrize(("persona", "expected"), PERSONAS, indirect=["persona"])
def test_top_api_by_persona(api_client_for, episode, persona, expected):
    top = TopFactory(episode=episode, top_date=episode.opened_on)
    assert api_client_for(persona).get(f"/api/v1/tops/{top.pk}/").status_code == expected


@pytest.fixture
def api_client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def test_starting_and_saving_a_section_through_the_page(client, episode, assessor):
    client.force_login(assessor)
    url = reverse("assessment:episode-assessment", kwargs={"episode_pk": episode.pk})
    client.post(url)
    assessment = Assessment.objects.get(episode=episode)
    response = client.post(
        reverse("assessment:section", args=[assessment.pk, "alcohol"]),
        {"version": 1, "alcohol_days": 12, "alcohol_units": 8},
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.alcohol_days == 12


def test_two_forms_with_the_same_version_the_second_save_is_refused(client, episode, assessor, staff, arm_team):
    other = staff(Role.ASSESSOR, team=arm_team)
    assessment = services.start_assessment(episode=episode, user=assessor)
    url = reverse("assessment:section", args=[assessment.pk, "alcohol"])
    client.force_login(assessor)
    assert client.post(url, {"version": 1, "alcohol_days": 12}).status_code == 302
    client.force_login(other)
    response = client.post(url, {"version": 1, "alcohol_days": 3})
    assert response.status_code == 200
    assert "Someone else saved this assessment" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.alcohol_days == 12


def test_section_page_shows_the_days_over_28_error_on_the_field(client, episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    client.force_login(assessor)
    response = client.post(
        reverse("assessment:section", args=[assessment.pk, "alcohol"]), {"version": 1, "alcohol_days": 29}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["alcohol_days"]
    assessment.refresh_from_db()
    assert assessment.alcohol_days is None


def test_completing_on_the_page_lists_missing_fields(client, episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    client.force_login(assessor)
    response = client.post(reverse("assessment:complete", args=[assessment.pk]), {"version": 1}, follow=True)
    assert "accommodation need (ACCMNEED)" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.completed_on is None


def test_drugs_section_page_saves_ranked_substances(client, episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    client.force_login(assessor)
    response = client.post(
        reverse("assessment:section", args=[assessment.pk, "drugs"]),
        {
            "version": 1,
            "injecting_status": InjectingStatus.objects.get(code="C").pk,
            "sharing": "no",
            "substance_1": Substance.objects.get(code="1011").pk,
            "route_1": Route.objects.get(code="1").pk,
            "days_used_1": 25,
            "age_first_use_1": 18,
        },
    )
    assert response.status_code == 302
    assert assessment.substances.get().rank == 1


def test_top_page_records_a_start_top_and_refuses_8_days_in_a_week(client, episode, assessor):
    client.force_login(assessor)
    url = reverse("assessment:top-new", kwargs={"episode_pk": episode.pk})
    today = timezone.localdate()
    data = {"stage": "S", "top_date_day": today.day, "top_date_month": today.month, "top_date_year": today.year}
    data.update({prefix: 10 for prefix, _n, _l in TOP_RATINGS})
    data.update(
        {
            f"{p}_week{w}": 0
            for p in [
                "alcohol",
                "opiates",
                "crack",
                "cocaine",
                "amphetamines",
                "cannabis",
                "other_drug",
                "injected",
                "shoplifting",
                "drug_selling",
                "other_theft",
                "paid_work",
                "education",
            ]
            for w in range(1, 5)
        }
    )
    response = client.post(url, {**data, "alcohol_week1": 8})
    assert response.status_code == 200
    assert not Top.objects.exists()
    assert client.post(url, {**data, "alcohol_week1": 5}).status_code == 302
    assert Top.objects.get().alcohol == 5


def test_api_section_complete_and_risk_task(api_client_for, episode, assessor):
    client = api_client_for(assessor)
    created = client.post("/api/v1/assessments/", {"episode": episode.pk}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    saved = client.post(
        f"/api/v1/assessments/{pk}/section/",
        {"section": "risk", "version": 1, "data": {"domestic_abuse_risk": "high"}},
        format="json",
    )
    assert saved.status_code == 200
    assert Task.objects.filter(kind=TaskKind.MARAC_REFERRAL, source_key=f"assessment:{pk}:marac").exists()
    stale = client.post(
        f"/api/v1/assessments/{pk}/section/",
        {"section": "risk", "version": 1, "data": {"domestic_abuse_risk": "none"}},
        format="json",
    )
    assert stale.status_code == 409
    incomplete = client.post(f"/api/v1/assessments/{pk}/complete/", {"version": 2}, format="json")
    assert incomplete.status_code == 400
    assert "ACCMNEED" in str(incomplete.json())


def test_api_refuses_a_second_start_top_and_a_top_before_the_episode(api_client_for, episode, assessor):
    client = api_client_for(assessor)
    body = {"episode": episode.pk, "stage": "S", "top_date": timezone.localdate().isoformat()}
    body.update({prefix: 10 for prefix, _n, _l in TOP_RATINGS})
    assert client.post("/api/v1/tops/", body, format="json").status_code == 201
    second = client.post("/api/v1/tops/", body, format="json")
    assert second.status_code == 400
    assert "stage" in second.json()
    early = {**body, "stage": "R", "top_date": (episode.opened_on - datetime.timedelta(days=1)).isoformat()}
    response = client.post("/api/v1/tops/", early, format="json")
    assert response.status_code == 400
    assert "top_date" in response.json()
    assert client.post("/api/v1/tops/", {**body, "stage": "R", "quality_of_life": 21}, format="json").status_code == 400


def test_api_unrelated_keyworker_cannot_write_to_the_episode(api_client_for, episode, unrelated_keyworker):
    client = api_client_for(unrelated_keyworker)
    assert client.post("/api/v1/assessments/", {"episode": episode.pk}, format="json").status_code == 404


def test_episode_page_runs_a_fixed_number_of_queries(client, episode, assessor, django_assert_max_num_queries):
    client.force_login(assessor)
    url = reverse("assessment:episode-assessment", kwargs={"episode_pk": episode.pk})
    CompleteAssessmentFactory(episode=episode)
    TopFactory.create_batch(5, episode=episode, stage=TreatmentStage.objects.get(code="R"))
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    TopFactory.create_batch(55, episode=episode, stage=TreatmentStage.objects.get(code="R"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_tops_api_list_runs_a_fixed_number_of_queries(api_client_for, episode, assessor, django_assert_max_num_queries):
    client = api_client_for(assessor)
    TopFactory.create_batch(5, episode=episode, stage=TreatmentStage.objects.get(code="R"))
    with django_assert_max_num_queries(40) as few:
        client.get("/api/v1/tops/")
    TopFactory.create_batch(55, episode=episode, stage=TreatmentStage.objects.get(code="R"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/tops/")


@pytest.mark.parametrize(("persona", "expected"), PERSONAS, indirect=["persona"])
def test_section_and_top_pages_by_persona(client, episode, persona, expected):
    assessment = CompleteAssessmentFactory(episode=episode)
    client.force_login(persona)
    assert client.get(reverse("assessment:section", args=[assessment.pk, "risk"])).status_code == expected
    assert client.get(reverse("assessment:top-new", kwargs={"episode_pk": episode.pk})).status_code == expected


def test_the_referrer_who_recorded_the_referral_cannot_see_or_write_the_assessment(client, episode, staff):
    # domain.md section 1: a referrer sees the referral form and duplicate warnings, not treatment records.
    referrer = staff(Role.REFERRER)
    episode.referral.created_by = referrer
    episode.referral.save()
    client.force_login(referrer)
    url = reverse("assessment:episode-assessment", kwargs={"episode_pk": episode.pk})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not Assessment.objects.exists()
