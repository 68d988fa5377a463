"""Pages for tests, detox, residential referrals, shared care and safe storage; the modality select; the episode
page links; and "only prescribers prescribe" tried for every role on the page and the API."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.choices import Role
from core.models import Substance
from prescribing.choices import CustodyStep, FundingRoute, ResidentialKind, SampleType, TestResult
from prescribing.factories import ClinicalAssessmentFactory
from prescribing.links import episode_links
from prescribing.models import (
    CustodyEvent,
    DetoxPlan,
    DrugTest,
    DrugTestResult,
    PlannedStep,
    Prescription,
    ResidentialReferral,
    SafeStorage,
    SharedCareTransfer,
)
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Goal, Intervention, LifeDomain, PlanVersion, RecoveryPlan, VersionStatus
from referrals.models import Episode

pytestmark = pytest.mark.django_db


def _date(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def heroin(db):
    return Substance.objects.get(code="1011")


@pytest.fixture
def cannabis(db):
    return Substance.objects.get(code="5000")


@pytest.fixture
def signed_plan(episode, prescriber):
    plan = RecoveryPlan.objects.create(episode=episode)
    version = PlanVersion.objects.create(plan=plan, number=1, author=prescriber)
    # Written as a draft, then signed: a signed version's goals are never added or changed afterwards.
    Goal.objects.create(plan_version=version, domain=LifeDomain.SUBSTANCE_USE, text="Stop heroin")
    PlanVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.SIGNED, signed_by=prescriber, signed_on=episode.opened_on
    )
    return PlanVersion.objects.get(pk=version.pk)


def _test_form(today, tested, results, **extra):
    data = {
        **_date("tested_on", today),
        # Midnight: any later time today is in the future when the suite runs before it, and refused as such.
        "collected_time": "00:00",
        "sample_type": SampleType.ORAL_FLUID,
        "purpose": "Abstinence check",
        "rationale": "Plan: fortnightly oral fluid tests evidence stopping heroin",
        "substances_tested": [s.pk for s in tested],
        **extra,
    }
    for substance, (result, confirmed) in results.items():
        data[f"result_{substance.pk}"] = result
        if confirmed:
            data[f"confirmed_{substance.pk}"] = "on"
    return data


class TestDrugTestPages:
    def test_keyworker_records_a_test_with_results_linked_to_the_plan_goal(
        self, client, episode, allocation, today, heroin, signed_plan
    ):
        goal = signed_plan.goals.get()
        client.force_login(allocation.keyworker)
        response = client.post(
            reverse("prescribing:drug-test-new", args=[episode.pk]),
            _test_form(today, [heroin], {heroin: (TestResult.POSITIVE, True)}, goal=goal.pk),
        )
        assert response.status_code == 302
        test = DrugTest.objects.get()
        assert (test.plan_version, test.goal) == (signed_plan, goal)
        assert DrugTestResult.objects.get().lab_confirmed
        page = client.get(reverse("prescribing:drug-tests", args=[episode.pk]))
        assert "Positive" in page.text
        assert "(lab confirmed)" in page.text
        assert "Stop heroin" in page.text

    def test_without_a_goal_the_test_links_to_the_signed_plan_version(
        self, episode, allocation, signed_plan, client, today, heroin
    ):
        client.force_login(allocation.keyworker)
        client.post(
            reverse("prescribing:drug-test-new", args=[episode.pk]),
            _test_form(today, [heroin], {heroin: (TestResult.NEGATIVE, False)}),
        )
        assert DrugTest.objects.get().plan_version == signed_plan

    def test_a_result_for_a_substance_not_tested_shows_on_that_substances_field(
        self, client, episode, allocation, today, heroin, cannabis, plan_draft
    ):
        client.force_login(allocation.keyworker)
        response = client.post(
            reverse("prescribing:drug-test-new", args=[episode.pk]),
            _test_form(today, [heroin], {heroin: (TestResult.NEGATIVE, False), cannabis: (TestResult.POSITIVE, False)}),
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(errors) == [f"result_{cannabis.pk}"]
        assert "Cannabis has a result but was not tested for" in errors[f"result_{cannabis.pk}"][0]
        assert "There is a problem" in response.text
        assert not DrugTest.objects.exists()

    def test_a_goal_of_another_episode_is_refused_on_the_goal_field(
        self, client, episode, allocation, today, heroin, prescriber
    ):
        other = ModalityFactory().episode
        version = PlanVersion.objects.create(
            plan=RecoveryPlan.objects.create(episode=other), number=1, author=prescriber
        )
        stranger_goal = Goal.objects.create(plan_version=version, domain=LifeDomain.HOUSING, text="Find a flat")
        client.force_login(allocation.keyworker)
        response = client.post(
            reverse("prescribing:drug-test-new", args=[episode.pk]),
            _test_form(today, [heroin], {heroin: (TestResult.NEGATIVE, False)}, goal=stranger_goal.pk),
        )
        assert "this episode's recovery plan" in response.context["form"].errors["goal"][0]

    @pytest.mark.parametrize(
        ("persona", "status"), [("keyworker", 200), ("manager", 200), ("stranger", 404), ("harm_reduction", 403)]
    )
    def test_results_are_visible_to_those_who_see_the_episode(
        self, persona, status, client, staff, episode, allocation, prescribing_team
    ):
        user = {
            "keyworker": allocation.keyworker,
            "manager": staff(Role.TEAM_MANAGER, team=prescribing_team),
            "stranger": staff(Role.PRESCRIBER),
            "harm_reduction": staff(Role.HARM_REDUCTION_WORKER, team=prescribing_team),
        }[persona]
        client.force_login(user)
        assert client.get(reverse("prescribing:drug-tests", args=[episode.pk])).status_code == status

    def test_assessors_cannot_record_tests(self, client, staff, episode, prescribing_team):
        client.force_login(staff(Role.ASSESSOR, team=prescribing_team))
        assert client.get(reverse("prescribing:drug-test-new", args=[episode.pk])).status_code == 403

    @pytest.mark.parametrize("count", [2, 40])
    def test_the_list_runs_a_fixed_number_of_queries(
        self, count, client, episode, prescriber, heroin, cannabis, django_assert_max_num_queries
    ):
        for day in range(count):
            test = DrugTest.objects.create(
                person=episode.person,
                episode=episode,
                tested_on=episode.opened_on + timedelta(days=day % 20),
                sample_type=SampleType.URINE,
                purpose="Check",
                rationale="Plan",
                recorded_by=prescriber,
            )
            test.substances_tested.set([heroin, cannabis])
            DrugTestResult.objects.create(test=test, substance=heroin, result=TestResult.NEGATIVE)
            CustodyEvent.objects.create(
                test=test, step=CustodyStep.COLLECTED, at=timezone.now(), by="Nurse", recorded_by=prescriber
            )
        client.force_login(prescriber)
        # 15 with the session renewal every request makes (30-minute idle limit), and one more for the custody
        # trails, prefetched in one query for the whole list.
        with django_assert_max_num_queries(16):
            response = client.get(reverse("prescribing:drug-tests", args=[episode.pk]))
        assert len(response.context["tests"]) == count


class TestModalityChoice:
    def _post(self, client, episode, methadone, pharmacy, today, **extra):
        return client.post(
            reverse("prescribing:prescription-new", args=[episode.pk]),
            {
                "medication": methadone.pk,
                "dose": "30",
                "regime": "stabilisation",
                "dispensing_interval_days": 1,
                "supervised": "on",
                "pharmacy": pharmacy.pk,
                **_date("starts_on", today),
                **extra,
            },
        )

    def test_the_episodes_only_pharmacological_modality_is_offered_and_chosen(
        self, client, episode, prescriber, methadone, pharmacy, today
    ):
        modality = ModalityFactory(episode=episode, referred_on=today - timedelta(days=4))
        ModalityFactory(episode=episode, intervention=Intervention.objects.get(code="CBT"))
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=today)
        client.force_login(prescriber)
        form = client.get(reverse("prescribing:prescription-new", args=[episode.pk])).context["form"]
        assert [value for value, _ in form.fields["modality"].choices] == ["", modality.pk]
        assert form["modality"].value() == modality.pk
        response = self._post(client, episode, methadone, pharmacy, today, modality=modality.pk)
        assert response.status_code == 302
        assert Prescription.objects.get().modality == modality
        modality.refresh_from_db()
        assert modality.started_on == today  # the first prescription starts the modality (MODST)

    def test_a_modality_of_another_episode_is_refused_on_the_field(
        self, client, episode, prescriber, methadone, pharmacy, today, prescribing_team
    ):
        other = ModalityFactory()
        other.episode.person.team_involvements.create(team=prescribing_team, since=today, reason="modality")
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=today)
        client.force_login(prescriber)
        response = self._post(client, episode, methadone, pharmacy, today, modality=other.pk)
        assert response.context["form"].errors["modality"] == ["Choose a modality of this episode."]
        assert not Prescription.objects.exists()

    def test_reducing_steps_are_entered_on_the_form_and_shown_on_the_timeline(
        self, client, episode, prescriber, methadone, pharmacy, today
    ):
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=today)
        client.force_login(prescriber)
        step = today + timedelta(days=14)
        response = self._post(
            client,
            episode,
            methadone,
            pharmacy,
            today,
            regime="reduction",
            planned_steps=f"{step:%d/%m/%Y} 25\n{today + timedelta(days=28):%d/%m/%Y} 20",
        )
        assert response.status_code == 302
        assert list(PlannedStep.objects.values_list("dose", flat=True)) == [25, 20]
        page = client.get(reverse("prescribing:person-history", args=[episode.person_id]))
        assert "Planned reducing steps" in page.text
        assert f"from {step:%-d %B %Y}: 25 ml" in page.text

    def test_a_badly_written_step_is_refused_on_the_steps_field(
        self, client, episode, prescriber, methadone, pharmacy, today
    ):
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=today)
        client.force_login(prescriber)
        response = self._post(
            client, episode, methadone, pharmacy, today, regime="reduction", planned_steps="next week 25"
        )
        assert "Line 1" in response.context["form"].errors["planned_steps"][0]

    def test_a_detox_plan_takes_the_detox_modality_and_refuses_a_prescribing_one(
        self, client, episode, prescriber, today
    ):
        detox = ModalityFactory(episode=episode, intervention=Intervention.objects.get(code="HDETOX"))
        prescribing = ModalityFactory(episode=episode)
        client.force_login(prescriber)
        url = reverse("prescribing:detox-new", args=[episode.pk])
        form = client.get(url).context["form"]
        assert [value for value, _ in form.fields["modality"].choices] == ["", detox.pk]
        data = {
            "setting": "home",
            **_date("planned_start", today),
            **_date("planned_end", today + timedelta(days=7)),
            "steps": f"{today:%d/%m/%Y} CDP 20\n{today + timedelta(days=3):%d/%m/%Y} CDP 10",
        }
        response = client.post(url, {**data, "modality": prescribing.pk})
        assert "does not match this kind of detox" in response.context["form"].errors["modality"][0]
        worker = episode.allocations.get().keyworker
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=today)
        assert client.post(url, {**data, "modality": detox.pk, "support_worker": worker.pk}).status_code == 302
        plan = DetoxPlan.objects.get()
        assert (plan.modality, plan.steps.count(), plan.support_worker) == (detox, 2, worker)
        page = client.get(reverse("prescribing:detox", args=[episode.pk]))
        assert "Home-based detox" in page.text
        assert "Chlordiazepoxide" in page.text


class TestOtherClinicalPages:
    def test_residential_referral_records_the_funding_route(self, client, episode, prescriber, today):
        client.force_login(prescriber)
        response = client.post(
            reverse("prescribing:residential-new", args=[episode.pk]),
            {
                "kind": ResidentialKind.INPATIENT_DETOX,
                "provider": "Hampshire inpatient unit",
                "funding_route": FundingRoute.FACS,
                **_date("referred_on", today),
            },
        )
        assert response.status_code == 302
        assert ResidentialReferral.objects.get().funding_route == FundingRoute.FACS
        assert "FACS assessment" in client.get(reverse("prescribing:detox", args=[episode.pk])).text

    def test_a_referral_without_a_funding_route_is_refused(self, client, episode, prescriber, today):
        client.force_login(prescriber)
        response = client.post(
            reverse("prescribing:residential-new", args=[episode.pk]),
            {"kind": ResidentialKind.RESIDENTIAL_REHAB, "provider": "Rehab", **_date("referred_on", today)},
        )
        assert "funding_route" in response.context["form"].errors
        assert not ResidentialReferral.objects.exists()

    def test_shared_care_transfer_keeps_the_keyworker_on_review(self, client, episode, allocation, prescriber, today):
        client.force_login(prescriber)
        response = client.post(
            reverse("prescribing:shared-care-new", args=[episode.pk]),
            {
                "gp_practice": "Shirley Health Partnership",
                "agreed_criteria": "Stable on 40ml for 6 months, no illicit use",
                **_date("transferred_on", today),
                **_date("next_review_on", today + timedelta(days=90)),
            },
        )
        assert response.status_code == 302
        assert SharedCareTransfer.objects.get().review_keyworker == allocation.keyworker
        page = client.get(reverse("prescribing:person-history", args=[episode.person_id]))
        assert "Shirley Health Partnership" in page.text

    def test_shared_care_without_criteria_shows_the_message(self, client, episode, allocation, prescriber, today):
        client.force_login(prescriber)
        response = client.post(
            reverse("prescribing:shared-care-new", args=[episode.pk]),
            {
                "gp_practice": "Shirley Health Partnership",
                "agreed_criteria": " ",
                **_date("transferred_on", today),
                **_date("next_review_on", today + timedelta(days=90)),
            },
        )
        assert "agreed_criteria" in response.context["form"].errors

    def test_keyworker_records_safe_storage_declined_with_reason(self, client, episode, allocation, today):
        client.force_login(allocation.keyworker)
        url = reverse("prescribing:safe-storage-new", args=[episode.person_id])
        response = client.post(url, {"outcome": "declined", "advice_given": "on", **_date("offered_on", today)})
        assert "declined" in response.context["form"].errors["declined_reason"][0]
        response = client.post(
            url,
            {"outcome": "declined", "declined_reason": "Has a locked cabinet", **_date("offered_on", today)},
        )
        assert response.status_code == 302
        assert SafeStorage.objects.get().declined_reason == "Has a locked cabinet"

    @pytest.mark.parametrize("name", ["detox-new", "residential-new", "shared-care-new"])
    def test_keyworkers_cannot_open_prescriber_forms(self, name, client, episode, allocation):
        client.force_login(allocation.keyworker)
        assert client.get(reverse(f"prescribing:{name}", args=[episode.pk])).status_code == 403


class TestEpisodeLinks:
    def test_prescriber_gets_history_tests_detox_and_assessment_links(self, episode, prescriber):
        labels = [link.label for link in episode_links(episode, prescriber)]
        assert labels == [
            "Prescribing history",
            "Drug and alcohol tests",
            "Detox and residential referrals",
            "Clinical assessment",
        ]

    def test_keyworker_gets_no_clinical_assessment_link_and_a_referrer_nothing(self, episode, allocation, staff):
        assert "Clinical assessment" not in [link.label for link in episode_links(episode, allocation.keyworker)]
        assert episode_links(episode, staff(Role.REFERRER)) == []
        assert episode_links(episode, staff(Role.HARM_REDUCTION_WORKER)) == []

    def test_the_episode_page_shows_the_links_without_a_query_per_link(
        self, client, episode, prescriber, django_assert_num_queries
    ):
        client.force_login(prescriber)
        response = client.get(reverse("referrals:episode-detail", args=[episode.pk]))
        assert reverse("prescribing:drug-tests", args=[episode.pk]) in response.text
        episode_links(episode, prescriber)  # loads the user's permissions once, as the page's request does
        with django_assert_num_queries(0):
            assert len(episode_links(episode, prescriber)) == 4


@pytest.mark.parametrize("role", Role.values)
def test_only_prescribers_prescribe_on_the_page_and_the_api(
    role, staff, episode, prescribing_team, methadone, pharmacy
):
    """Every role, a member of the prescribing team so that scope is not what refuses it."""
    ClinicalAssessmentFactory(episode=episode, assessed_on=episode.opened_on)
    user = staff(role, team=prescribing_team)
    sees = Episode.objects.visible_to(user).filter(pk=episode.pk).exists()
    page = Client()
    page.force_login(user)
    form = page.get(reverse("prescribing:prescription-new", args=[episode.pk]))
    api = APIClient()
    api.force_authenticate(user)
    response = api.post(
        "/api/v1/prescriptions/",
        {
            "episode": episode.pk,
            "medication": methadone.pk,
            "dose": "30",
            "regime": "stabilisation",
            "starts_on": (episode.opened_on + timedelta(days=1)).isoformat(),
            "pharmacy": pharmacy.pk,
        },
        format="json",
    )
    if role == Role.PRESCRIBER:
        assert (form.status_code, response.status_code) == (200, 201)
        assert Prescription.objects.count() == 1
    else:
        assert form.status_code == 403
        assert response.status_code == (403 if sees else 404)
        assert not Prescription.objects.exists()


@pytest.mark.parametrize("count", [2, 30])
def test_the_detox_page_runs_a_fixed_number_of_queries(
    count, client, episode, prescriber, methadone, django_assert_max_num_queries
):
    for index in range(count):
        start = episode.opened_on + timedelta(days=index)
        plan = DetoxPlan.objects.create(
            person=episode.person,
            episode=episode,
            modality=ModalityFactory(episode=episode, intervention=Intervention.objects.get(code="CDETOX")),
            setting="community",
            planned_start=start,
            planned_end=start + timedelta(days=7),
            recorded_by=prescriber,
        )
        plan.steps.create(from_date=start, medication=methadone, dose=20)
        ResidentialReferral.objects.create(
            person=episode.person,
            episode=episode,
            kind=ResidentialKind.RESIDENTIAL_REHAB,
            provider="Bridge House rehab",
            funding_route=FundingRoute.PERSONAL_BUDGET,
            referred_on=start,
            recorded_by=prescriber,
        )
    client.force_login(prescriber)
    # 16, the session renewal every request makes (30-minute idle limit) included; the same for 2 and 30 plans.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("prescribing:detox", args=[episode.pk]))
    assert (len(response.context["plans"]), len(response.context["referrals"])) == (count, count)
