"""A DRR order clocks exactly one prescribing modality at 5 working days: the first referred on or after the
order date (ties: the earlier start, then the lower id); every other pharmacological modality runs on the
10-working-day clock (domain.md 6b, "DRR5 / RX10 start"). `waits.with_clock` is the one rule."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from prescribing import services, waits
from prescribing.factories import ClinicalAssessmentFactory, PrescriptionFactory
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Intervention, Modality
from referrals import clock_inputs
from referrals.caseload import due_items_for
from referrals.choices import OrderKind
from referrals.factories import EpisodeFactory
from referrals.models import CommunityOrder, Task

pytestmark = pytest.mark.django_db


def _order(person, order_date, episode=None):
    order = CommunityOrder.objects.create(
        person=person, episode=episode, kind=OrderKind.DRR, order_date=order_date, requirement_months=6
    )
    clock_inputs.changed([person.pk])  # as `add_community_order` does
    return order


def _clocked(*modalities):
    rows = waits.with_clock(Modality.objects.filter(pk__in=[m.pk for m in modalities]))
    return {row.pk: row.drr_order_date for row in rows}


def test_two_prescribing_modalities_after_one_order_only_the_first_is_drr(episode):
    order = _order(episode.person, date(2026, 3, 2), episode)
    first = ModalityFactory(episode=episode, referred_on=date(2026, 3, 3))
    second = ModalityFactory(episode=episode, referred_on=date(2026, 3, 4))
    assert _clocked(first, second) == {first.pk: order.order_date, second.pk: None}


def test_a_modality_referred_before_the_order_is_not_drr_and_the_one_on_its_day_is(episode):
    before = ModalityFactory(episode=episode, referred_on=date(2026, 3, 1))
    on_the_day = ModalityFactory(episode=episode, referred_on=date(2026, 3, 2))
    _order(episode.person, date(2026, 3, 2), episode)
    assert _clocked(before, on_the_day) == {before.pk: None, on_the_day.pk: date(2026, 3, 2)}


def test_ties_go_to_the_earlier_start_then_the_lower_id(episode):
    _order(episode.person, date(2026, 3, 2), episode)
    unstarted = ModalityFactory(episode=episode, referred_on=date(2026, 3, 3))
    started = ModalityFactory(episode=episode, referred_on=date(2026, 3, 3), started_on=date(2026, 3, 5))
    assert _clocked(unstarted, started) == {unstarted.pk: None, started.pk: date(2026, 3, 2)}
    started.delete()
    later_id = ModalityFactory(episode=episode, referred_on=date(2026, 3, 3))
    assert _clocked(unstarted, later_id) == {unstarted.pk: date(2026, 3, 2), later_id.pk: None}


def test_an_order_for_the_person_clocks_the_first_modality_of_an_episode_referred_before_it(episode):
    # No episode linked: the order belongs to the episode whose referral arrived on or before it.
    order_date = episode.referral.received_on + timedelta(days=1)
    first = ModalityFactory(episode=episode, referred_on=order_date + timedelta(days=1))
    second = ModalityFactory(episode=episode, referred_on=order_date + timedelta(days=2))
    _order(episode.person, order_date)
    assert _clocked(first, second) == {first.pk: order_date, second.pk: None}


def test_an_order_before_the_referral_and_unlinked_clocks_nothing(episode):
    _order(episode.person, episode.referral.received_on - timedelta(days=1))
    modality = ModalityFactory(episode=episode, referred_on=episode.opened_on)
    assert _clocked(modality) == {modality.pk: None}


def test_another_persons_order_and_a_psychosocial_modality_are_not_drr(episode):
    other = EpisodeFactory()
    _order(other.person, other.opened_on, other)
    _order(episode.person, episode.opened_on, episode)
    cbt = ModalityFactory(
        episode=episode, referred_on=episode.opened_on, intervention=Intervention.objects.get(code="CBT")
    )
    prescribing = ModalityFactory(episode=episode, referred_on=episode.opened_on + timedelta(days=1))
    # The psychosocial modality is not a prescribing one, so it neither takes the order nor appears.
    assert _clocked(cbt, prescribing) == {prescribing.pk: episode.opened_on}


# DRR order Thursday 24 December 2026: Christmas, the Boxing Day substitute (Monday 28) and New Year's Day are
# bank holidays, so the 5th working day is Tuesday 5 January 2027 and the 6th Wednesday 6 January. The second
# modality runs on 10 working days from its own referral.
@pytest.mark.parametrize(("started_on", "breached"), [(date(2027, 1, 5), False), (date(2027, 1, 6), True)])
def test_drr5_across_christmas_2026_and_the_second_modality_on_rx10(
    episode, prescriber, buprenorphine, started_on, breached
):
    _order(episode.person, date(2026, 12, 24), episode)
    first = ModalityFactory(episode=episode, referred_on=date(2026, 12, 24))
    second = ModalityFactory(episode=episode, referred_on=date(2026, 12, 29))
    assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=date(2026, 12, 24))
    PrescriptionFactory(clinical_assessment=assessment, modality=first, starts_on=started_on)
    PrescriptionFactory(
        clinical_assessment=assessment,
        modality=second,
        starts_on=date(2027, 1, 13),
        medication=buprenorphine,
    )
    rows = {row.modality.pk: row for row in waits.started_in_period(date(2026, 12, 1), date(2027, 1, 31))}
    assert (rows[first.pk].drr, rows[first.pk].due_on, rows[first.pk].breached) == (True, date(2027, 1, 5), breached)
    # 29 December + 10 working days (1 January is a holiday) is Wednesday 13 January: on time.
    assert (rows[second.pk].drr, rows[second.pk].due_on, rows[second.pk].breached) == (False, date(2027, 1, 13), False)


@pytest.mark.parametrize(("today", "raised"), [(date(2027, 1, 5), 0), (date(2027, 1, 6), 1)])
def test_the_morning_job_raises_the_drr_task_for_the_first_modality_only(episode, allocation, today, raised):
    _order(episode.person, date(2026, 12, 24), episode)
    first = ModalityFactory(episode=episode, referred_on=date(2026, 12, 24))
    ModalityFactory(episode=episode, referred_on=date(2026, 12, 29))
    assert services.raise_prescribing_wait_tasks(today=today) == raised
    assert list(Task.objects.values_list("source_key", flat=True)) == [f"prescribing_wait:{first.pk}"] * raised


def test_the_caseload_and_the_waits_page_show_the_drr_clock_on_the_first_only(
    client, staff, episode, allocation, prescribing_team
):
    today = timezone.localdate()
    _order(episode.person, today - timedelta(days=3), episode)
    first = ModalityFactory(episode=episode, referred_on=today - timedelta(days=2))
    second = ModalityFactory(episode=episode, referred_on=today - timedelta(days=1))
    labels = sorted(i.label for i in due_items_for([episode.pk])[episode.pk] if i.label.startswith("Prescribing"))
    assert labels == ["Prescribing to start (10 working days)", "Prescribing to start (DRR: 5 working days)"]
    client.force_login(staff(Role.TEAM_MANAGER, team=prescribing_team))
    rows = client.get(reverse("prescribing:waits")).context["rows"]
    assert {(row.modality.pk, row.drr) for row in rows} == {(first.pk, True), (second.pk, False)}
