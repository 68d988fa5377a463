"""The prescribing clock beyond the waits page: on the keyworker's caseload, on the team manager's board, the
morning task job (idempotent, 10 vs 11 working days, DRR 5 vs 6 across a bank holiday) and RX10 / DRR5."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import add_working_days
from core.choices import Role
from core.pagination import PAGE_SIZE
from prescribing import services, waits
from prescribing.factories import ClinicalAssessmentFactory, PrescriptionFactory
from prescribing.schedule import BEAT_SCHEDULE
from prescribing.tasks import prescribing_wait_tasks
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Intervention
from referrals import clock_inputs
from referrals.caseload import due_items_for
from referrals.choices import OrderKind, TaskKind
from referrals.factories import AllocationFactory
from referrals.models import CommunityOrder, Task, TeamInvolvement

pytestmark = pytest.mark.django_db


def _drr(episode, order_date):
    order = CommunityOrder.objects.create(
        person=episode.person, episode=episode, kind=OrderKind.DRR, order_date=order_date, requirement_months=6
    )
    clock_inputs.changed([episode.person_id])  # as `add_community_order` does
    return order


class TestMorningTasks:
    # Monday 2 March 2026: the 10th working day is Monday 16 March, the 11th Tuesday 17 March.
    @pytest.mark.parametrize(("today", "raised"), [(date(2026, 3, 16), 0), (date(2026, 3, 17), 1)])
    def test_a_task_is_raised_only_once_the_10th_working_day_has_passed(self, today, raised, episode, allocation):
        ModalityFactory(episode=episode, referred_on=date(2026, 3, 2))
        assert services.raise_prescribing_wait_tasks(today=today) == raised
        assert Task.objects.filter(kind=TaskKind.PRESCRIBING_WAIT).count() == raised

    # DRR order Thursday 24 December 2026; Christmas, the Boxing Day substitute (Mon 28) and New Year's Day are
    # bank holidays, so the 5th working day is Tuesday 5 January 2027 and the 6th Wednesday 6 January.
    @pytest.mark.parametrize(("today", "raised"), [(date(2027, 1, 5), 0), (date(2027, 1, 6), 1)])
    def test_a_drr_task_follows_the_5th_working_day_after_the_order_across_christmas(
        self, today, raised, episode, allocation
    ):
        _drr(episode, date(2026, 12, 24))
        ModalityFactory(episode=episode, referred_on=date(2026, 12, 24))
        assert services.raise_prescribing_wait_tasks(today=today) == raised

    def test_the_job_is_idempotent_and_the_task_goes_to_the_keyworker(self, episode, allocation):
        modality = ModalityFactory(episode=episode, referred_on=date(2026, 3, 2))
        assert services.raise_prescribing_wait_tasks(today=date(2026, 3, 17)) == 1
        assert services.raise_prescribing_wait_tasks(today=date(2026, 3, 18)) == 0
        task = Task.objects.get()
        assert task.source_key == f"prescribing_wait:{modality.pk}"
        assert task.assigned_to == allocation.keyworker
        assert task.due_on == date(2026, 3, 16)
        assert task.kind == TaskKind.PRESCRIBING_WAIT

    def test_no_task_once_prescribing_has_started_or_for_a_psychosocial_modality(self, episode, allocation, prescriber):
        ModalityFactory(episode=episode, referred_on=date(2026, 3, 2))
        ModalityFactory(
            episode=episode, referred_on=date(2026, 3, 2), intervention=Intervention.objects.get(code="CBT")
        )
        assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=date(2026, 3, 3))
        PrescriptionFactory(clinical_assessment=assessment, starts_on=date(2026, 3, 20))
        assert services.raise_prescribing_wait_tasks(today=date(2026, 4, 1)) == 0

    def test_the_celery_task_runs_every_morning(self, episode, allocation, prescriber):
        today = timezone.localdate()
        ModalityFactory(episode=episode, referred_on=today - timedelta(days=40))
        # Written last week to start today: the job records the modality's start.
        written_ahead = ModalityFactory(episode=episode, referred_on=today - timedelta(days=7))
        assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=today)
        PrescriptionFactory(clinical_assessment=assessment, modality=written_ahead, starts_on=today)
        assert prescribing_wait_tasks.delay().get() == {"modalities_started": 1, "wait_tasks": 1}
        assert prescribing_wait_tasks.delay().get() == {"modalities_started": 0, "wait_tasks": 0}
        written_ahead.refresh_from_db()
        assert written_ahead.started_on == today
        assert "prescribing.prescribing_wait_tasks" in [entry["task"] for entry in BEAT_SCHEDULE.values()]


class TestCaseload:
    def test_the_keyworker_sees_the_date_prescribing_must_start_by(self, client, episode, allocation):
        referred = timezone.localdate() - timedelta(days=3)
        ModalityFactory(episode=episode, referred_on=referred)
        client.force_login(allocation.keyworker)
        response = client.get(reverse("referrals:my-caseload"))
        [row] = response.context["rows"]
        # The page shows the soonest item and the overdue ones; the clock is among the row's items.
        due = add_working_days(referred, waits.STANDARD_WAIT_WORKING_DAYS)
        assert ("Prescribing to start (10 working days)", due) in [(item.label, item.due_on) for item in row.items]

    def test_a_started_script_leaves_the_caseload(self, episode, allocation, prescriber):
        referred = timezone.localdate() - timedelta(days=10)
        ModalityFactory(episode=episode, referred_on=referred)
        assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=referred)
        PrescriptionFactory(clinical_assessment=assessment, starts_on=referred + timedelta(days=1))
        labels = [item.label for item in due_items_for([episode.pk])[episode.pk]]
        assert not [label for label in labels if label.startswith("Prescribing")]

    def test_a_drr_clock_says_so(self, episode, allocation):
        _drr(episode, timezone.localdate() - timedelta(days=2))
        ModalityFactory(episode=episode, referred_on=timezone.localdate() - timedelta(days=2))
        [item] = [i for i in due_items_for([episode.pk])[episode.pk] if i.label.startswith("Prescribing")]
        assert item.label == "Prescribing to start (DRR: 5 working days)"

    @pytest.mark.parametrize("people", [3, 40])
    def test_the_provider_answers_for_every_episode_in_one_query(self, people, django_assert_num_queries):
        allocations = [AllocationFactory() for _ in range(people)]
        for allocation in allocations:
            ModalityFactory(episode=allocation.episode, referred_on=allocation.episode.opened_on)
        with django_assert_num_queries(1):
            items = waits.caseload_due_items([a.episode_id for a in allocations])
        assert len(items) == people


class TestTeamBoard:
    def test_team_managers_reach_the_waits_page_from_the_menu_and_see_breaches(
        self, client, staff, episode, prescribing_team
    ):
        manager = staff(Role.TEAM_MANAGER, team=prescribing_team)
        ModalityFactory(episode=episode, referred_on=timezone.localdate() - timedelta(days=30))
        client.force_login(manager)
        home = client.get("/")
        assert reverse("prescribing:waits") in home.text
        response = client.get(reverse("prescribing:waits") + "?breaches=1")
        assert response.status_code == 200
        assert [row.modality.episode_id for row in response.context["rows"]] == [episode.pk]
        assert "Overdue" in response.text

    def test_a_manager_of_another_team_sees_no_one(self, client, staff, episode):
        ModalityFactory(episode=episode, referred_on=timezone.localdate() - timedelta(days=30))
        client.force_login(staff(Role.TEAM_MANAGER))
        assert client.get(reverse("prescribing:waits")).context["rows"] == []

    @pytest.mark.parametrize("role", [Role.KEYWORKER, Role.ASSESSOR, Role.REFERRER, Role.HARM_REDUCTION_WORKER])
    def test_other_roles_are_refused(self, role, client, staff):
        client.force_login(staff(role))
        assert client.get(reverse("prescribing:waits")).status_code == 403

    @pytest.mark.parametrize("people", [5, 60])
    def test_the_board_runs_a_fixed_number_of_queries(
        self, people, client, staff, prescribing_team, django_assert_max_num_queries
    ):
        manager = staff(Role.TEAM_MANAGER, team=prescribing_team)
        for _ in range(people):
            modality = ModalityFactory(referred_on=timezone.localdate() - timedelta(days=30))
            TeamInvolvement.objects.create(
                person=modality.episode.person, team=prescribing_team, since=modality.referred_on, reason="modality"
            )
        client.force_login(manager)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("prescribing:waits"))
        assert len(response.context["rows"]) == min(people, PAGE_SIZE)


class TestKpis:
    def test_rx10_and_drr5_come_from_the_modality_referral_the_order_and_the_first_prescription(
        self, staff, prescribing_team, prescriber
    ):
        on_time, late, drr = (ModalityFactory(referred_on=date(2026, 3, 2)) for _ in range(3))
        _drr(drr.episode, date(2026, 3, 2))
        for modality, started in ((on_time, date(2026, 3, 16)), (late, date(2026, 3, 17)), (drr, date(2026, 3, 9))):
            assessment = ClinicalAssessmentFactory(
                episode=modality.episode, prescriber=prescriber, assessed_on=date(2026, 3, 2)
            )
            PrescriptionFactory(clinical_assessment=assessment, starts_on=started, modality=modality)
        rows = {row.modality.pk: row for row in waits.started_in_period(date(2026, 3, 1), date(2026, 3, 31))}
        assert (rows[on_time.pk].drr, rows[on_time.pk].breached) == (False, False)
        assert (rows[late.pk].drr, rows[late.pk].breached) == (False, True)
        # The 5th working day after Monday 2 March is Monday 9 March: on time for DRR5.
        assert (rows[drr.pk].drr, rows[drr.pk].breached) == (True, False)
        assert waits.started_in_period(date(2026, 4, 1), date(2026, 4, 30)) == []
