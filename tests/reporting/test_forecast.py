"""Breach forecast: which open records will fail a clock KPI within 7 days, at each boundary, and the morning
job that raises (once) and closes a task for each."""

from datetime import date, timedelta

import pytest

from assessment.factories import AssessmentFactory
from core.calendar import add_working_days
from core.models import ModalityExitStatus
from recovery_plans.factories import ModalityFactory, PlanVersionFactory, RecoveryPlanFactory
from recovery_plans.models import Intervention, ModalityReview, PlanReview
from referrals import clock_inputs
from referrals.choices import ContactMethod, OrderKind, ReferralStatus, TaskKind
from referrals.factories import AllocationFactory, EpisodeFactory, ReferralFactory
from referrals.models import CommunityOrder, ContactAttempt, Task
from reporting import forecast
from reporting.forecast import at_risk, raise_at_risk_tasks, scope_for
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures: teams, personas, episodes)

TODAY = date(2026, 12, 7)  # a Monday


def codes(items):
    return sorted((item.code, item.record_id) for item in items)


def risks(code, today=TODAY, **scope):
    return [item for item in at_risk(scope_for(**scope), today) if item.code == code]


def psychosocial(episode, **fields):
    intervention = Intervention.objects.exclude(modality_type__code="94").first()
    return ModalityFactory(episode=episode, intervention=intervention, **fields)


def waiting_psychosocial(days, today=TODAY):
    referred = today - timedelta(days=days)
    episode = EpisodeFactory(opened_on=referred, referral__received_on=referred - timedelta(days=3))
    return psychosocial(episode, referred_on=referred)


@pytest.mark.parametrize(("day", "listed"), [(14, False), (15, True), (21, True), (22, False)])
def test_w21_a_first_modality_is_at_risk_from_day_15_to_day_21_of_its_wait(db, day, listed):
    modality = waiting_psychosocial(day)
    found = risks("W21")
    assert codes(found) == ([("W21", modality.pk)] if listed else [])
    if listed:
        assert found[0].due_on == modality.referred_on + timedelta(days=21)
        assert f"day {day} of the wait" in found[0].action


@pytest.mark.parametrize(("day", "listed"), [(34, False), (35, True), (41, True), (42, False)])
def test_w42_a_wait_is_at_risk_from_day_35_to_day_41(db, day, listed):
    modality = waiting_psychosocial(day)
    assert codes(risks("W42")) == ([("W42", modality.pk)] if listed else [])


def test_w21_an_episode_that_already_started_a_modality_is_not_at_risk(db):
    modality = waiting_psychosocial(16)
    psychosocial(modality.episode, referred_on=modality.referred_on, started_on=TODAY - timedelta(days=2))
    assert risks("W21") == []


def referral_due(due, status=ReferralStatus.AWAITING_CONTACT):
    """A referral whose first contact is due on `due` (received 3 working days before; TODAY's week has no
    bank holiday)."""
    received = due - timedelta(days=3 if due.weekday() >= 3 else 5)
    return ReferralFactory(received_on=received, first_contact_due=add_working_days(received, 3), status=status)


@pytest.mark.parametrize(("offset", "listed"), [(-1, False), (0, True), (6, True), (7, False)])
def test_fc3_horizon_edges_the_due_day_from_today_to_six_days_ahead(db, offset, listed):
    wednesday = date(2026, 12, 9)  # every day from the 8th to the 16th that can be a due day is a working day
    referral = referral_due(wednesday + timedelta(days=offset))
    found = risks("FC3", today=wednesday)
    assert codes(found) == ([("FC3", referral.pk)] if listed else [])
    if listed:
        assert found[0].due_on == referral.first_contact_due


def test_fc3_a_counting_contact_saves_the_referral_but_a_letter_does_not(db, keyworker):
    referral = referral_due(TODAY + timedelta(days=2))
    ContactAttempt.objects.create(referral=referral, made_on=TODAY, method=ContactMethod.LETTER, recorded_by=keyworker)
    assert len(risks("FC3")) == 1
    ContactAttempt.objects.create(referral=referral, made_on=TODAY, method=ContactMethod.PHONE, recorded_by=keyworker)
    assert risks("FC3") == []


def test_fc3_an_ineligible_referral_is_in_no_forecast(db):
    referral_due(TODAY + timedelta(days=2), status=ReferralStatus.SIGNPOSTED_INELIGIBLE)
    assert risks("FC3") == []


@pytest.mark.parametrize(("started_days_ago", "listed"), [(14, False), (15, True), (21, True), (22, False)])
def test_rap3_plan_due_21_days_after_treatment_start(db, started_days_ago, listed):
    episode = EpisodeFactory(opened_on=TODAY - timedelta(days=40))
    psychosocial(episode, referred_on=episode.opened_on, started_on=TODAY - timedelta(days=started_days_ago))
    assert codes(risks("RAP3")) == ([("RAP3", episode.pk)] if listed else [])


def test_rap3_a_signed_plan_saves_the_episode(db, assessor):
    episode = EpisodeFactory(opened_on=TODAY - timedelta(days=40))
    psychosocial(episode, referred_on=episode.opened_on, started_on=TODAY - timedelta(days=18))
    assert len(risks("RAP3")) == 1
    plan = RecoveryPlanFactory(episode=episode)
    PlanVersionFactory(plan=plan, status="signed", signed_by=assessor, signed_on=TODAY)
    assert risks("RAP3") == []


@pytest.mark.parametrize(("assessed_days_ago", "listed"), [(77, False), (78, True), (84, True), (85, False)])
def test_rap12_first_review_due_84_days_after_the_assessment(db, assessed_days_ago, listed):
    episode = EpisodeFactory(opened_on=TODAY - timedelta(days=100))
    completed = TODAY - timedelta(days=assessed_days_ago)
    AssessmentFactory(episode=episode, started_on=completed, completed_on=completed)
    assert codes(risks("RAP12")) == ([("RAP12", episode.pk)] if listed else [])


def test_rap12_a_plan_review_saves_the_episode(db, keyworker):
    episode = EpisodeFactory(opened_on=TODAY - timedelta(days=100))
    AssessmentFactory(episode=episode, started_on=TODAY - timedelta(days=80), completed_on=TODAY - timedelta(days=80))
    plan = RecoveryPlanFactory(episode=episode)
    version = PlanVersionFactory(plan=plan)
    assert len(risks("RAP12")) == 1
    PlanReview.objects.create(plan=plan, reviewed_on=TODAY, reviewed_version=version, by=keyworker)
    assert risks("RAP12") == []


def prescribing(referred_on, **episode_fields):
    episode = EpisodeFactory(opened_on=referred_on, referral__received_on=referred_on - timedelta(days=2))
    return ModalityFactory(episode=episode, referred_on=referred_on)


@pytest.mark.parametrize(
    ("referred_on", "due_on"),
    [(date(2026, 12, 11), date(2026, 12, 29)), (date(2026, 12, 16), date(2027, 1, 4)), (date(2026, 12, 17), None)],
)
def test_rx10_ten_working_days_over_christmas_2026(db, referred_on, due_on):
    today = date(2026, 12, 29)
    modality = prescribing(referred_on)
    found = risks("RX10", today=today)
    assert [(item.record_id, item.due_on) for item in found] == ([(modality.pk, due_on)] if due_on else [])


@pytest.mark.parametrize(("order_date", "listed"), [(date(2026, 12, 17), True), (date(2026, 12, 18), False)])
def test_drr5_five_working_days_from_the_order_skip_christmas(db, order_date, listed):
    # Today Tuesday 22 December: the window ends Monday 28th, a bank holiday. An order on Friday 18th is due
    # Tuesday 29th (25th and 28th are bank holidays), so it is not at risk yet.
    today = date(2026, 12, 22)
    modality = prescribing(order_date)
    CommunityOrder.objects.create(
        person=modality.episode.person,
        episode=modality.episode,
        kind=OrderKind.DRR,
        order_date=order_date,
        requirement_months=6,
    )
    clock_inputs.changed([modality.episode.person_id])  # as `add_community_order` does
    assert codes(risks("DRR5", today=today)) == ([("DRR5", modality.pk)] if listed else [])
    assert risks("RX10", today=today) == []


@pytest.mark.parametrize(("days_since", "listed"), [(175, False), (176, True), (182, True), (183, False)])
def test_sir0_review_due_182_days_after_start_or_last_review(db, days_since, listed):
    episode = EpisodeFactory(opened_on=TODAY - timedelta(days=400))
    modality = psychosocial(episode, referred_on=episode.opened_on, started_on=TODAY - timedelta(days=300))
    ModalityReview.objects.create(
        modality=modality, reviewed_on=TODAY - timedelta(days=days_since), by=modality.referred_by
    )
    assert codes(risks("SIR0")) == ([("SIR0", modality.pk)] if listed else [])


def test_sir0_an_ended_modality_is_not_at_risk(db):
    episode = EpisodeFactory(opened_on=TODAY - timedelta(days=400))
    psychosocial(
        episode,
        referred_on=episode.opened_on,
        started_on=TODAY - timedelta(days=180),
        ended_on=TODAY - timedelta(days=1),
        exit_status=ModalityExitStatus.objects.get(code="A"),
    )
    assert risks("SIR0") == []


def test_a_keyworker_sees_only_their_caseload_and_a_manager_only_their_team(
    db, keyworker, manager, esap_team, arm_team
):
    mine = waiting_psychosocial(16)
    AllocationFactory(episode=mine.episode, keyworker=keyworker)
    other = waiting_psychosocial(17)
    esap = waiting_psychosocial(18)
    esap.episode.team = esap_team
    esap.episode.save()
    assert codes(at_risk(scope_for(user=keyworker, keyworker=keyworker), TODAY)) == [("W21", mine.pk)]
    team_ids = list(manager.teams.values_list("pk", flat=True))
    assert codes(at_risk(scope_for(user=manager, team_ids=team_ids), TODAY)) == sorted(
        [("W21", mine.pk), ("W21", other.pk)]
    )


@pytest.fixture
def a_week_of_risks(db, keyworker):
    """One at-risk record of each of three kinds; the modality's episode has a keyworker."""
    modality = waiting_psychosocial(16)
    AllocationFactory(episode=modality.episode, keyworker=keyworker)
    referral = referral_due(TODAY + timedelta(days=1))
    episode = EpisodeFactory(opened_on=TODAY - timedelta(days=400))
    reviewed = psychosocial(episode, referred_on=episode.opened_on, started_on=TODAY - timedelta(days=180))
    return modality, referral, reviewed


def test_the_morning_job_raises_one_task_per_at_risk_record_and_a_second_run_raises_nothing(a_week_of_risks, keyworker):
    modality, referral, _ = a_week_of_risks
    assert raise_at_risk_tasks(today=TODAY) == {"raised": 3, "closed": 0}
    assert raise_at_risk_tasks(today=TODAY) == {"raised": 0, "closed": 0}
    tasks = {task.source_key: task for task in Task.objects.filter(source_key__startswith=forecast.TASK_PREFIX)}
    wait = tasks[f"kpi_at_risk:W21:{modality.pk}:{(modality.referred_on + timedelta(days=21)).isoformat()}"]
    assert (wait.assigned_to, wait.kind, wait.episode) == (keyworker, TaskKind.MODALITY_WAIT, modality.episode)
    contact = tasks[f"kpi_at_risk:FC3:{referral.pk}:{referral.first_contact_due.isoformat()}"]
    assert (contact.team, contact.assigned_to, contact.kind) == (referral.team, None, TaskKind.OTHER)
    assert contact.title.startswith("FC3 at risk: Make a first contact")


def test_a_task_closes_when_the_work_is_done_not_when_the_due_day_passes(a_week_of_risks, keyworker):
    modality, referral, reviewed = a_week_of_risks
    raise_at_risk_tasks(today=TODAY)
    # A week later nothing was done about the wait: its task stays open though the KPI can no longer be saved.
    later = TODAY + timedelta(days=7)
    ContactAttempt.objects.create(referral=referral, made_on=later, method=ContactMethod.PHONE, recorded_by=keyworker)
    ModalityReview.objects.create(modality=reviewed, reviewed_on=later, by=keyworker)
    result = raise_at_risk_tasks(today=later)
    assert result["closed"] == 2
    still_open = Task.objects.filter(source_key__startswith=forecast.TASK_PREFIX, done_on__isnull=True)
    assert [task.source_key.split(":")[1] for task in still_open] == ["W21"]
    modality.started_on = later
    modality.save()
    assert raise_at_risk_tasks(today=later + timedelta(days=1))["closed"] == 1
    assert not Task.objects.filter(source_key__startswith=forecast.TASK_PREFIX, done_on__isnull=True).exists()


def test_a_record_another_job_already_tasked_gets_no_second_task(db, keyworker):
    modality = waiting_psychosocial(16)
    Task.objects.create(
        person=modality.episode.person,
        episode=modality.episode,
        kind=TaskKind.MODALITY_WAIT,
        title="CBT waiting over 14 days",
        due_on=modality.referred_on + timedelta(days=21),
        source_key=f"modality_wait:{modality.pk}",
    )
    assert raise_at_risk_tasks(today=TODAY)["raised"] == 0


def test_the_job_runs_through_celery(a_week_of_risks):
    from reporting.schedule import BEAT_SCHEDULE
    from reporting.tasks import kpi_at_risk_tasks

    assert set(kpi_at_risk_tasks.delay().get()) == {"raised", "closed"}
    assert raise_at_risk_tasks()["raised"] == 0
    assert "reporting.kpi_at_risk_tasks" in {entry["task"] for entry in BEAT_SCHEDULE.values()}
