"""Drug and alcohol tests (10.4), detox (10.5), shared care (10.3) and the waiting clock for prescribing."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from assessment.models import Assessment, ChildrenLivingWith
from core.calendar import add_working_days
from core.choices import Role
from core.errors import DomainError
from core.models import Substance
from prescribing import services, waits
from prescribing.choices import DetoxSetting, FundingRoute, ResidentialKind, SampleType, TestResult
from prescribing.factories import ClinicalAssessmentFactory
from prescribing.models import DrugTest, Medication
from tests.prescribing.conftest import draft_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def heroin(db):
    return Substance.objects.get(code="1011")


@pytest.fixture
def crack(db):
    return Substance.objects.get(code="3201")


@pytest.fixture
def cannabis(db):
    return Substance.objects.get(code="5000")


def _test(actor, episode, tested, results, **overrides):
    draft_plan(episode, actor)
    fields = {
        "actor": actor,
        "episode": episode,
        "tested_on": episode.opened_on + timedelta(days=3),
        "sample_type": SampleType.ORAL_FLUID,
        "purpose": "Confirm opiate use before titration",
        "rationale": "Recovery plan goal 1: stop using heroin; testing fortnightly to evidence progress",
        "substances_tested": tested,
        "results": results,
        "collected_time": time(9, 30),
    }
    return services.record_drug_test(**{**fields, **overrides})


class TestDrugAndAlcoholTests:
    def test_a_test_records_each_substance_result_and_lab_confirmation(self, episode, prescriber, heroin, crack):
        test = _test(
            prescriber,
            episode,
            [heroin, crack],
            {heroin: TestResult.POSITIVE, crack: TestResult.NEGATIVE},
            chain_of_custody=True,
            sealed_time=time(9, 35),
            sealed_by="Nurse Patel",
            lab_confirmed=[heroin],
        )
        results = {r.substance.code: (r.result, r.lab_confirmed) for r in test.results.all()}
        assert results == {"1011": ("positive", True), "3201": ("negative", False)}
        assert test.chain_of_custody

    def test_a_result_for_a_substance_not_tested_is_refused(self, episode, prescriber, heroin, cannabis):
        with pytest.raises(DomainError, match="was not tested for") as error:
            _test(prescriber, episode, [heroin], {heroin: TestResult.NEGATIVE, cannabis: TestResult.POSITIVE})
        assert error.value.field == "results"
        assert not DrugTest.objects.exists()

    def test_the_recovery_plan_rationale_is_required(self, episode, prescriber, heroin):
        with pytest.raises(DomainError) as error:
            _test(prescriber, episode, [heroin], {heroin: TestResult.NEGATIVE}, rationale="  ")
        assert error.value.field == "rationale"

    def test_keyworkers_record_tests_and_referrers_cannot(self, episode, allocation, staff, heroin):
        assert _test(allocation.keyworker, episode, [heroin], {heroin: TestResult.NEGATIVE})
        with pytest.raises(PermissionDenied):
            _test(staff(Role.REFERRER), episode, [heroin], {heroin: TestResult.NEGATIVE})

    def test_results_are_visible_to_those_who_see_the_episode(self, episode, allocation, prescriber, staff, heroin):
        test = _test(prescriber, episode, [heroin], {heroin: TestResult.NEGATIVE})
        assert list(DrugTest.objects.visible_to(allocation.keyworker)) == [test]
        assert list(DrugTest.objects.visible_to(prescriber)) == [test]
        assert not DrugTest.objects.visible_to(staff(Role.KEYWORKER)).exists()
        assert not DrugTest.objects.visible_to(staff(Role.PRESCRIBER)).exists()


class TestChildrenAtHome:
    def test_children_in_the_comprehensive_assessment_count_for_safe_storage(self, episode, prescriber):
        assert not services.children_in_home(episode.person)
        Assessment.objects.create(
            episode=episode,
            started_on=episode.opened_on,
            started_by=prescriber,
            children_living_with=ChildrenLivingWith.objects.filter(children_in_household=True).first(),
        )
        assert services.children_in_home(episode.person)


class TestSharedCare:
    def test_transfer_to_a_gp_keeps_the_keyworker_on_review(self, episode, allocation, prescriber):
        transfer = services.transfer_to_shared_care(
            actor=prescriber,
            episode=episode,
            gp_practice="Bitterne Health Centre",
            agreed_criteria="Stable on 60ml methadone for 6 months, no illicit use on testing",
            transferred_on=date(2026, 6, 1),
            next_review_on=date(2026, 9, 1),
        )
        assert transfer.review_keyworker == allocation.keyworker

    def test_agreed_criteria_are_required_and_only_prescribers_transfer(self, episode, allocation, prescriber):
        fields = {
            "episode": episode,
            "gp_practice": "Bitterne Health Centre",
            "transferred_on": date(2026, 6, 1),
            "next_review_on": date(2026, 9, 1),
        }
        with pytest.raises(DomainError) as error:
            services.transfer_to_shared_care(actor=prescriber, agreed_criteria="", **fields)
        assert error.value.field == "agreed_criteria"
        with pytest.raises(PermissionDenied):
            services.transfer_to_shared_care(actor=allocation.keyworker, agreed_criteria="Stable", **fields)


class TestDetox:
    def test_a_home_detox_has_its_own_plan_with_medication_steps(self, episode, prescriber):
        chlordiazepoxide = Medication.objects.get(code="CDP")
        start = date(2026, 5, 4)
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=start)
        plan = services.create_detox_plan(
            actor=prescriber,
            episode=episode,
            setting=DetoxSetting.HOME,
            planned_start=start,
            planned_end=start + timedelta(days=7),
            steps=[(start, chlordiazepoxide, "100"), (start + timedelta(days=3), chlordiazepoxide, "60")],
        )
        assert [str(step.dose) for step in plan.steps.all()] == ["100.00", "60.00"]

    def test_a_detox_ending_before_it_starts_is_refused(self, episode, prescriber):
        with pytest.raises(DomainError) as error:
            services.create_detox_plan(
                actor=prescriber,
                episode=episode,
                setting=DetoxSetting.DAY,
                planned_start=date(2026, 5, 4),
                planned_end=date(2026, 5, 3),
            )
        assert error.value.field == "planned_end"

    def test_a_residential_rehab_referral_records_its_funding_route(self, episode, prescriber):
        referral = services.refer_residential(
            actor=prescriber,
            episode=episode,
            kind=ResidentialKind.RESIDENTIAL_REHAB,
            provider="Rehab house",
            funding_route=FundingRoute.PERSONAL_BUDGET,
            referred_on=date(2026, 5, 4),
        )
        assert referral.get_funding_route_display() == "Personal budget"


class TestWaitingClock:
    def test_prescribing_is_due_within_10_working_days_of_the_modality_referral(self):
        # Monday 2 March 2026: the 10th working day is Monday 16 March; the 11th, Tuesday 17 March, is late.
        due = add_working_days(date(2026, 3, 2), waits.STANDARD_WAIT_WORKING_DAYS)
        assert due == date(2026, 3, 16)
        assert not waits.is_breach(due_on=due, started_on=date(2026, 3, 16))
        assert waits.is_breach(due_on=due, started_on=date(2026, 3, 17))

    def test_for_a_drr_prescribing_is_due_within_5_working_days_of_the_order_across_christmas(self):
        # Order Thursday 24 December 2026. Christmas Day (Fri 25), Boxing Day substitute (Mon 28) and New Year's
        # Day (Fri 1 January 2027) are bank holidays: working days 29, 30, 31 Dec, 4 and 5 Jan.
        due = add_working_days(date(2026, 12, 24), waits.DRR_WAIT_WORKING_DAYS)
        assert due == date(2027, 1, 5)
        assert not waits.is_breach(due_on=due, started_on=date(2027, 1, 5))
        assert waits.is_breach(due_on=due, started_on=date(2027, 1, 6))

    def test_a_wait_with_no_prescription_is_a_breach_only_after_the_due_day(self):
        due = date(2026, 3, 16)
        assert not waits.is_breach(due_on=due, started_on=None, today=due)
        assert waits.is_breach(due_on=due, started_on=None, today=due + timedelta(days=1))
