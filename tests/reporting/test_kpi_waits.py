"""Waiting-time KPIs (domain.md 5, 6a, 6b) at each boundary: W21, W42, RTT3, RTT4, FC3, CJ5, RX10, DRR5."""

from datetime import date

import pytest

from core.calendar import add_working_days
from core.choices import TeamKind
from core.factories import TeamFactory
from core.models import ModalityExitStatus
from referrals.choices import ReferralStatus
from referrals.models import CommunityOrder
from reporting.periods import parse_period
from tests.reporting.kpi_world import Q1, contact, episode, figure, modality, referral, started_episode

pytestmark = pytest.mark.django_db


def test_w21_counts_a_first_modality_that_waited_21_days_and_not_22():
    started_episode(referred_on=date(2025, 5, 1), started_on=date(2025, 5, 22))
    started_episode(referred_on=date(2025, 5, 1), started_on=date(2025, 5, 23))
    assert figure("W21") == (1, 2)


def test_w21_population_is_episodes_whose_first_modality_started_in_the_period():
    earlier = started_episode(referred_on=date(2025, 3, 1), started_on=date(2025, 3, 31))
    modality(earlier, referred_on=date(2025, 4, 1), started_on=date(2025, 4, 2))  # a second one: not first
    started_episode(referred_on=date(2025, 6, 20), started_on=date(2025, 7, 1))  # after E
    waiting = episode(received_on=date(2025, 4, 1))
    modality(waiting, referred_on=date(2025, 4, 1), started_on=None)  # never started (withdrawn)
    inside = started_episode(referred_on=date(2025, 6, 20), started_on=date(2025, 6, 30))
    assert figure("W21") == (1, 1)
    assert [row.pk for row in figure_rows("W21")] == [inside.pk]


def figure_rows(code, period=Q1, team=None):
    from reporting.kpis.engine import population_rows

    return list(population_rows(code, period, team=team))


def test_w21_first_modality_ties_on_start_go_to_the_earliest_referral():
    ep = episode(received_on=date(2025, 5, 1))
    modality(ep, referred_on=date(2025, 5, 25), started_on=date(2025, 6, 10))  # waited 16 days
    first = modality(ep, referred_on=date(2025, 5, 10), started_on=date(2025, 6, 10))  # waited 31 days
    assert figure("W21") == (0, 1)
    (row,) = figure_rows("W21")
    assert (row.kpi_modality_id, row.kpi_waited_days, row.passes, row.fails) == (first.pk, 31, False, True)


def test_w21_a_period_figure_ignores_a_start_recorded_after_its_end():
    ep = episode(received_on=date(2025, 6, 1))
    modality(ep, referred_on=date(2025, 6, 1), started_on=date(2025, 7, 2))
    assert figure("W21") == (0, 0)
    assert figure("W21", parse_period("FY2025Q2")) == (0, 1)


def test_w42_counts_waits_of_42_days_or_more_and_not_41():
    started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 5, 12))  # 41 days
    started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 5, 13))  # 42 days
    started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 4, 2))
    assert figure("W42") == (1, 3)
    assert [row.kpi_waited_days for row in figure_rows("W42") if row.fails] == [42]


def test_rtt3_counts_20_days_from_referral_received_and_not_21():
    started_episode(received_on=date(2025, 4, 1), referred_on=date(2025, 4, 10), started_on=date(2025, 4, 21))
    started_episode(received_on=date(2025, 4, 1), referred_on=date(2025, 4, 10), started_on=date(2025, 4, 22))
    assert figure("RTT3") == (1, 2)


def test_rtt4_counts_27_days_from_referral_received_and_not_28():
    started_episode(received_on=date(2025, 4, 1), referred_on=date(2025, 4, 20), started_on=date(2025, 4, 28))
    started_episode(received_on=date(2025, 4, 1), referred_on=date(2025, 4, 20), started_on=date(2025, 4, 29))
    assert figure("RTT4") == (1, 2)


def test_fc3_due_date_skips_easter_2025():
    # Received Thursday 17 April 2025: Good Friday and Easter Monday are not working days, so due Thursday 24th.
    assert add_working_days(date(2025, 4, 17), 3) == date(2025, 4, 24)
    on_time = referral(received_on=date(2025, 4, 17))
    contact(on_time, date(2025, 4, 24))
    late = referral(received_on=date(2025, 4, 17))
    contact(late, date(2025, 4, 25))
    assert figure("FC3") == (1, 2)
    rows = {row.pk: row for row in figure_rows("FC3")}
    assert rows[late.pk].kpi_due_on == date(2025, 4, 24)
    assert rows[late.pk].kpi_first_contact_on == date(2025, 4, 25)


def test_fc3_due_date_skips_christmas_2026_and_leaves_out_referrals_not_yet_due_at_the_period_end():
    december = parse_period("2026-12")
    # Wednesday 23 December: Christmas Day (Friday) and Boxing Day's substitute (Monday 28th) are skipped.
    on_time = referral(received_on=date(2026, 12, 23))
    contact(on_time, date(2026, 12, 30))
    late = referral(received_on=date(2026, 12, 23))
    contact(late, date(2026, 12, 31))
    # Tuesday 29 December is due Monday 4 January 2027, after E: in the population only once contacted by E.
    not_yet_due = referral(received_on=date(2026, 12, 29))
    contact(not_yet_due, date(2027, 1, 2))  # after E: as at E it had no contact
    contacted_early = referral(received_on=date(2026, 12, 29))
    contact(contacted_early, date(2026, 12, 30))
    assert figure("FC3", december) == (2, 3)
    assert not_yet_due.pk not in {row.pk for row in figure_rows("FC3", december)}
    assert figure("FC3", parse_period("2027-01")) == (0, 0)


def test_fc3_leaves_out_ineligible_referrals_and_counts_only_phone_or_in_person_contact():
    ineligible = referral(
        received_on=date(2025, 4, 1),
        status=ReferralStatus.SIGNPOSTED_INELIGIBLE,
        lives_in_city=False,
        registered_with_city_gp=False,
    )
    letter_only = referral(received_on=date(2025, 4, 1))
    contact(letter_only, date(2025, 4, 2), method="letter")
    in_person = referral(received_on=date(2025, 4, 1))
    contact(in_person, date(2025, 4, 4), method="in_person")
    assert figure("FC3") == (1, 2)
    assert ineligible.pk not in {row.pk for row in figure_rows("FC3")}


def test_fc3_is_per_referral_team():
    esap = TeamFactory(name="ESAP", kind=TeamKind.ESAP)
    arm_referral = referral(received_on=date(2025, 4, 1))
    contact(arm_referral, date(2025, 4, 2))
    referral(received_on=date(2025, 4, 1), team=esap)
    assert figure("FC3") == (1, 2)
    assert figure("FC3", team=arm_referral.team) == (1, 1)
    assert figure("FC3", team=esap) == (0, 1)


def test_cj5_counts_a_start_5_working_days_after_the_referral_and_not_6():
    # Probation (criminal justice) referral received Monday 7 April 2025: due Monday 14 April.
    on_time = episode(received_on=date(2025, 4, 7), source="8")
    modality(on_time, referred_on=date(2025, 4, 8), started_on=date(2025, 4, 14))
    late = episode(received_on=date(2025, 4, 7), source="8")
    modality(late, referred_on=date(2025, 4, 8), started_on=date(2025, 4, 15))
    self_referral = episode(received_on=date(2025, 4, 7), source="4")
    modality(self_referral, referred_on=date(2025, 4, 8), started_on=date(2025, 4, 30))
    assert figure("CJ5") == (1, 2)


def test_cj5_due_date_skips_easter():
    ep = episode(received_on=date(2025, 4, 16), source="13")  # prison; due Friday 25 April over Easter
    modality(ep, referred_on=date(2025, 4, 16), started_on=date(2025, 4, 25))
    assert figure("CJ5") == (1, 1)
    (row,) = figure_rows("CJ5")
    assert row.kpi_due_on == date(2025, 4, 25)


def test_rx10_counts_a_prescribing_start_10_working_days_after_referral_and_not_11():
    # Referred Tuesday 15 April 2025: 10 working days over Easter is Thursday 1 May.
    on_time = episode(received_on=date(2025, 4, 1))
    modality(on_time, referred_on=date(2025, 4, 15), started_on=date(2025, 5, 1), intervention="PRESC")
    late = episode(received_on=date(2025, 4, 1))
    modality(late, referred_on=date(2025, 4, 15), started_on=date(2025, 5, 2), intervention="PRESC")
    not_started = episode(received_on=date(2025, 4, 1))
    modality(not_started, referred_on=date(2025, 4, 15), started_on=None, intervention="PRESC")
    withdrawn = episode(received_on=date(2025, 4, 1))
    modality(
        withdrawn,
        referred_on=date(2025, 4, 15),
        started_on=None,
        ended_on=date(2025, 5, 20),
        exit_status=ModalityExitStatus.objects.get(code="C"),
        end_reason="Chose not to start prescribing",
        intervention="PRESC",
    )
    talking = episode(received_on=date(2025, 4, 1))
    modality(talking, referred_on=date(2025, 4, 15), started_on=date(2025, 6, 1), intervention="CBT")
    assert figure("RX10") == (1, 2)
    assert figure("SIR0") == (0, 3)  # started and open at E: on time, late, talking; never the withdrawn one
    assert {row.kpi_due_on for row in figure_rows("RX10")} == {date(2025, 5, 1)}


def test_drr5_counts_a_start_5_working_days_after_the_order_and_not_6_and_leaves_rx10():
    # Order on Monday 5 May 2025 (the early May bank holiday): 5 working days later is Monday 12 May.
    for started_on in (date(2025, 5, 12), date(2025, 5, 13)):
        ep = episode(received_on=date(2025, 5, 1))
        CommunityOrder.objects.create(
            person=ep.person, episode=ep, kind="DRR", order_date=date(2025, 5, 5), requirement_months=6
        )
        modality(ep, referred_on=date(2025, 5, 6), started_on=started_on, intervention="PRESC")
    assert figure("DRR5") == (1, 2)
    assert figure("RX10") == (0, 0)
    assert {row.kpi_due_on for row in figure_rows("DRR5")} == {date(2025, 5, 12)}


def test_rx10_is_per_episode_team():
    esap = TeamFactory(name="ESAP", kind=TeamKind.ESAP)
    arm_episode = episode(received_on=date(2025, 4, 1))
    modality(arm_episode, referred_on=date(2025, 4, 1), started_on=date(2025, 4, 2), intervention="PRESC")
    esap_episode = episode(received_on=date(2025, 4, 1), team=esap)
    modality(esap_episode, referred_on=date(2025, 4, 1), started_on=date(2025, 6, 2), intervention="PRESC")
    assert figure("RX10") == (1, 2)
    assert figure("RX10", team=arm_episode.team) == (1, 1)
    assert figure("RX10", team=esap) == (0, 1)


def test_w21_is_per_episode_team():
    esap = TeamFactory(name="ESAP", kind=TeamKind.ESAP)
    arm = started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 4, 2))
    started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 6, 2), team=esap)
    assert figure("W21") == (1, 2)
    assert figure("W21", team=arm.team) == (1, 1)
    assert figure("W21", team=esap.pk) == (0, 1)
