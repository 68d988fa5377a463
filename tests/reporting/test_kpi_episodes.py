"""Plan, allocation, discharge, review, blood-borne virus, re-presentation and data-quality KPIs (domain.md 5, 6b)
at each boundary, as at the period end."""

from datetime import date

import pytest

from assessment.models import AccommodationNeed, EmploymentStatus, ParentalStatus
from core.choices import TeamKind
from core.factories import TeamFactory, UserFactory
from core.models import Ethnicity, ModalityExitStatus, Route
from referrals.factories import AllocationFactory, PersonFactory
from referrals.models import PartnerInvolvement
from reporting.kpis.engine import population_rows
from tests.reporting.kpi_world import (
    Q1,
    assessment,
    discharge,
    episode,
    figure,
    hep_b_course,
    hep_c_test,
    modality,
    plan_review,
    review_modality,
    signed_plan,
    started_episode,
)

pytestmark = pytest.mark.django_db


def rows(code, period=Q1, team=None):
    return {row.pk: row for row in population_rows(code, period, team=team)}


# RAP3: due = first modality start + 21 days, in the period; a plan signed on or before it.


def test_rap3_population_is_episodes_due_in_the_period():
    before = started_episode(referred_on=date(2025, 3, 1), started_on=date(2025, 3, 10))  # due 31 March
    first_day = started_episode(referred_on=date(2025, 3, 1), started_on=date(2025, 3, 11))  # due 1 April
    last_day = started_episode(referred_on=date(2025, 6, 1), started_on=date(2025, 6, 9))  # due 30 June
    after = started_episode(referred_on=date(2025, 6, 1), started_on=date(2025, 6, 10))  # due 1 July
    found = rows("RAP3")
    assert set(found) == {first_day.pk, last_day.pk}
    assert found[first_day.pk].kpi_due_on == date(2025, 4, 1)
    assert before.pk not in found
    assert after.pk not in found


def test_rap3_counts_a_plan_signed_on_the_due_date_and_not_the_day_after_nor_after_e():
    on_due = started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 4, 10))  # due 1 May
    signed_plan(on_due, date(2025, 5, 1))
    day_after = started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 4, 10))
    signed_plan(day_after, date(2025, 5, 2))
    signed_after_e = started_episode(referred_on=date(2025, 6, 1), started_on=date(2025, 6, 9))  # due 30 June
    # Signed after E (a signed version is never edited afterwards, so it is made signed on that day).
    signed_plan(signed_after_e, date(2025, 7, 1))
    assert figure("RAP3") == (1, 3)


# RAP12: due = first completed assessment + 84 days, in the period; a plan review on or before it.


def test_rap12_population_is_due_in_the_period_and_review_on_the_due_date_passes():
    out = episode(received_on=date(2025, 1, 1))
    assessment(out, completed_on=date(2025, 1, 6))  # due 31 March
    on_due = episode(received_on=date(2025, 1, 1))
    assessment(on_due, completed_on=date(2025, 1, 7))  # due 1 April
    plan_review(on_due, date(2025, 4, 1))
    day_after = episode(received_on=date(2025, 1, 1))
    assessment(day_after, completed_on=date(2025, 1, 7))
    plan_review(day_after, date(2025, 4, 2))
    assert figure("RAP12") == (1, 2)
    assert out.pk not in rows("RAP12")
    assert rows("RAP12")[on_due.pk].kpi_due_on == date(2025, 4, 1)


def test_rap12_counts_from_the_first_completed_assessment():
    ep = episode(received_on=date(2025, 1, 1))
    assessment(ep, completed_on=date(2025, 1, 7))
    assessment(ep, completed_on=date(2025, 3, 1))  # a later reassessment does not move the due date
    assert rows("RAP12")[ep.pk].kpi_assessed_on == date(2025, 1, 7)


# KW and JW: episodes opened in the period; allocated / involvement recorded by E.


def test_kw_counts_an_allocation_by_e_and_not_one_made_after_e():
    AllocationFactory(episode=episode(received_on=date(2025, 4, 1)), allocated_on=date(2025, 6, 30))
    AllocationFactory(episode=episode(received_on=date(2025, 6, 20)), allocated_on=date(2025, 7, 1))
    AllocationFactory(episode=episode(received_on=date(2025, 3, 31)), allocated_on=date(2025, 4, 1))  # opened before
    assert figure("KW") == (1, 2)


def test_jw_counts_an_involvement_recorded_by_e_even_if_a_later_entry_is_backdated():
    for recorded_on in (date(2025, 6, 30), date(2025, 7, 1)):
        ep = episode(received_on=date(2025, 5, 1))
        PartnerInvolvement.objects.create(
            episode=ep,
            agency="probation",
            started_on=date(2025, 5, 2),
            recorded_on=recorded_on,
            recorded_by=UserFactory(),
        )
    episode(received_on=date(2025, 5, 1))
    assert figure("JW") == (1, 3)


def test_kw_is_per_opening_team():
    esap = TeamFactory(name="ESAP", kind=TeamKind.ESAP)
    arm_episode = episode(received_on=date(2025, 4, 1))
    AllocationFactory(episode=arm_episode, allocated_on=date(2025, 4, 2))
    episode(received_on=date(2025, 4, 1), team=esap)
    assert figure("KW", team=arm_episode.team) == (1, 1)
    assert figure("KW", team=esap) == (0, 1)


# PDA and PDD: discharged in the period, non-neutral, grouped by the assessment as at E.


def discharged(substances, reason, on=date(2025, 5, 1), completed_on=date(2025, 2, 1)):
    ep = episode(received_on=date(2025, 1, 1))
    if substances:
        assessment(ep, completed_on=completed_on, substances=substances)
    return discharge(ep, on=on, reason=reason)


def test_pda_counts_successful_alcohol_discharges_and_leaves_out_neutral_ones():
    discharged(["7000"], "80")
    discharged(["7000"], "85")
    discharged(["7000"], "83")  # transferred: neutral
    discharged(["7000"], "80", on=date(2025, 3, 31))  # before the period
    discharged(["7000", "3200"], "81")  # alcohol and cocaine: drugs
    assert figure("PDA") == (1, 2)
    assert figure("PDD") == (1, 1)


def test_pdd_counts_opiate_and_non_opiate_and_leaves_out_episodes_without_a_group_as_at_e():
    discharged(["1011"], "80")
    discharged(["3200"], "86")
    discharged([], "80")  # no assessment: no group
    discharged(["1011"], "80", completed_on=date(2025, 7, 1))  # assessed only after E
    assert figure("PDD") == (1, 2)
    assert figure("PDA") == (0, 0)


# SIR0: open modalities at E; counted when the latest review (or start) is more than 182 days before E.


def test_sir0_counts_183_days_without_review_and_not_182():
    # E is 30 June 2025; 182 days before it is 30 December 2024.
    ep = episode(received_on=date(2024, 12, 1))
    at_182 = modality(ep, referred_on=date(2024, 12, 1), started_on=date(2024, 12, 30))
    at_183 = modality(ep, referred_on=date(2024, 12, 1), started_on=date(2024, 12, 29))
    assert figure("SIR0") == (1, 2)
    found = rows("SIR0")
    assert (found[at_183.pk].passes, found[at_182.pk].passes) == (False, True)


def test_sir0_reads_the_latest_review_by_e_and_only_modalities_open_at_e():
    ep = episode(received_on=date(2024, 1, 1))
    reviewed = modality(ep, referred_on=date(2024, 1, 1), started_on=date(2024, 1, 2))
    review_modality(reviewed, date(2025, 1, 1))
    late_review = modality(ep, referred_on=date(2024, 1, 1), started_on=date(2024, 1, 2))
    review_modality(late_review, date(2025, 7, 1))  # after E: not counted
    ended = modality(ep, referred_on=date(2024, 1, 1), started_on=date(2024, 1, 2))
    ended.ended_on, ended.exit_status = date(2025, 6, 30), ModalityExitStatus.objects.get(code="A")
    ended.save()
    ended_after_e = modality(ep, referred_on=date(2024, 1, 1), started_on=date(2024, 1, 2))
    ended_after_e.ended_on, ended_after_e.exit_status = date(2025, 7, 1), ModalityExitStatus.objects.get(code="A")
    ended_after_e.save()
    assert figure("SIR0") == (2, 3)
    assert set(rows("SIR0")) == {reviewed.pk, late_review.pk, ended_after_e.pk}


# HBO, HBR, HBC, HB1 and HCV.


def test_hbo_counts_an_offer_by_e_and_leaves_out_people_already_immune_by_e():
    offered = episode(received_on=date(2025, 4, 1))
    hep_b_course(offered.person, offered_on=date(2025, 6, 30))
    offered_late = episode(received_on=date(2025, 4, 1))
    hep_b_course(offered_late.person, offered_on=date(2025, 7, 1))
    immune = episode(received_on=date(2025, 4, 1))
    hep_b_course(immune.person, offered_on=date(2025, 4, 2), offer="already_immunised", outcome_on=date(2025, 4, 2))
    immune_after_e = episode(received_on=date(2025, 4, 1))
    hep_b_course(
        immune_after_e.person, offered_on=date(2025, 6, 2), offer="acquired_immunity", outcome_on=date(2025, 7, 2)
    )
    assert figure("HBO") == (2, 3)
    assert immune.pk not in rows("HBO")


def test_hbr_counts_a_refusal_answered_by_e_among_those_offered():
    refused = episode(received_on=date(2025, 4, 1))
    hep_b_course(refused.person, offered_on=date(2025, 4, 2), offer="refused", outcome_on=date(2025, 4, 2))
    refused_after_e = episode(received_on=date(2025, 4, 1))
    hep_b_course(refused_after_e.person, offered_on=date(2025, 6, 2), offer="refused", outcome_on=date(2025, 7, 1))
    waiting = episode(received_on=date(2025, 4, 1))
    hep_b_course(waiting.person, offered_on=date(2025, 6, 2))
    episode(received_on=date(2025, 4, 1))  # not offered: not in HBR
    assert figure("HBR") == (1, 3)
    assert [pk for pk, row in rows("HBR").items() if row.fails] == [refused.pk]


def test_hbc_and_hb1_read_episodes_opened_in_the_12_months_ending_e():
    # The 12 months ending 30 June 2025 run from 1 July 2024.
    person = PersonFactory()
    first_day = episode(received_on=date(2024, 7, 1), person=person)
    hep_b_course(
        person,
        offered_on=date(2024, 7, 1),
        offer="accepted",
        outcome_on=date(2024, 7, 1),
        completed_on=date(2025, 6, 30),
        doses=[date(2024, 7, 8)],
    )
    day_before = episode(received_on=date(2024, 6, 30))
    hep_b_course(day_before.person, offered_on=date(2024, 6, 30), offer="accepted", outcome_on=date(2024, 6, 30))
    assert set(rows("HBC")) == {first_day.pk}
    assert figure("HBC") == (1, 1)
    assert figure("HB1") == (1, 1)


def test_hbc_counts_completion_by_e_and_hb1_a_dose_by_e():
    done_after_e = episode(received_on=date(2025, 5, 1))
    hep_b_course(
        done_after_e.person,
        offered_on=date(2025, 5, 1),
        offer="accepted",
        outcome_on=date(2025, 5, 1),
        completed_on=date(2025, 7, 1),
        doses=[date(2025, 6, 30)],
    )
    dose_after_e = episode(received_on=date(2025, 5, 1))
    hep_b_course(
        dose_after_e.person,
        offered_on=date(2025, 5, 1),
        offer="accepted",
        outcome_on=date(2025, 5, 1),
        doses=[date(2025, 7, 1)],
    )
    accepted_after_e = episode(received_on=date(2025, 5, 1))
    hep_b_course(accepted_after_e.person, offered_on=date(2025, 6, 1), offer="accepted", outcome_on=date(2025, 7, 1))
    assert figure("HBC") == (0, 2)
    assert figure("HB1") == (1, 2)


def test_hcv_population_is_current_or_previous_injectors_as_at_e_offered_a_test_by_e():
    previous = episode(received_on=date(2025, 4, 1))
    assessment(previous, completed_on=date(2025, 4, 10), injecting="P")
    hep_c_test(previous.person, offered_on=date(2025, 6, 30))
    current = episode(received_on=date(2025, 4, 1))
    assessment(current, completed_on=date(2025, 4, 10), injecting="C")
    hep_c_test(current.person, offered_on=date(2025, 7, 1))
    never = episode(received_on=date(2025, 4, 1))
    assessment(never, completed_on=date(2025, 4, 10), injecting="N")
    assessed_after_e = episode(received_on=date(2025, 4, 1))
    assessment(assessed_after_e, completed_on=date(2025, 7, 1), injecting="C")
    assert figure("HCV") == (1, 2)
    assert set(rows("HCV")) == {previous.pk, current.pk}


# REP-O and REP-N: an earlier successful discharge of that group 183 days or fewer before the new referral.


def earlier_and_new(substances, *, discharged_on, received_on, reason="80"):
    person = PersonFactory()
    earlier = episode(received_on=date(2024, 1, 1), person=person)
    assessment(earlier, completed_on=date(2024, 1, 10), substances=substances)
    discharge(earlier, on=discharged_on, reason=reason)
    return episode(received_on=received_on, person=person)


def test_rep_o_counts_183_days_and_not_184():
    counted = earlier_and_new(["1011"], discharged_on=date(2024, 10, 1), received_on=date(2025, 4, 2))  # 183
    earlier_and_new(["1011"], discharged_on=date(2024, 10, 1), received_on=date(2025, 4, 3))  # 184
    earlier_and_new(["1011"], discharged_on=date(2025, 3, 1), received_on=date(2025, 4, 3), reason="85")
    assert figure("REP-O") == (1, 3)
    assert rows("REP-O")[counted.pk].kpi_earlier_discharged_on == date(2024, 10, 1)
    assert figure("REP-N") == (0, 3)


def test_rep_n_counts_an_earlier_non_opiate_episode_and_alcohol_starts_none():
    earlier_and_new(["3200", "5000"], discharged_on=date(2025, 3, 1), received_on=date(2025, 4, 3))
    earlier_and_new(["7000"], discharged_on=date(2025, 3, 1), received_on=date(2025, 4, 3))
    earlier_and_new(["3200", "1011"], discharged_on=date(2025, 3, 1), received_on=date(2025, 4, 3))  # opiate
    assert figure("REP-N") == (1, 3)
    assert figure("REP-O") == (1, 3)


def test_rep_group_is_the_earlier_episodes_assessment_as_at_its_discharge():
    person = PersonFactory()
    earlier = episode(received_on=date(2024, 1, 1), person=person)
    assessment(earlier, completed_on=date(2024, 1, 10), substances=["3200"])
    assessment(earlier, completed_on=date(2025, 3, 2), substances=["1011"])  # after its discharge: not read
    discharge(earlier, on=date(2025, 3, 1), reason="80")
    episode(received_on=date(2025, 4, 3), person=person)
    assert figure("REP-N") == (1, 1)
    assert figure("REP-O") == (0, 1)


# DQ: open episodes at E; the share of 15 required items filled as at E.


def test_dq_counts_the_filled_items_of_each_open_episode_as_at_e():
    complete = episode(received_on=date(2025, 1, 1))
    complete.person.ethnicity = Ethnicity.objects.get(code="A")
    complete.person.consent_asked_on = date(2025, 1, 1)
    complete.person.save()
    made = assessment(complete, completed_on=date(2025, 1, 10), injecting="N")
    made.substances.update(route=Route.objects.get(code="3"))
    made.accommodation_need = AccommodationNeed.objects.first()
    made.employment_status = EmploymentStatus.objects.first()
    made.parental_status = ParentalStatus.objects.first()
    made.save()
    # Seven items missing: ETHNIC, the six from an assessment (none), and CONSENT asked after E; hepatitis B
    # offered but unanswered by E.
    sparse = episode(received_on=date(2025, 1, 1))
    sparse.person.consent_asked_on = date(2025, 7, 1)
    sparse.person.save()
    hep_b_course(sparse.person, offered_on=date(2025, 6, 1), outcome_on=None)
    closed = episode(received_on=date(2025, 1, 1))
    discharge(closed, on=date(2025, 6, 30), reason="80")
    assert figure("DQ") == (15 + 6, 30)
    found = rows("DQ")
    assert found[complete.pk].passes is True
    missing = sorted(
        name[3:] for name in vars(found[sparse.pk]) if name.startswith("dq_") and not getattr(found[sparse.pk], name)
    )
    assert missing == sorted(
        ["ETHNIC", "DRUG1", "ROUTE", "INJSTAT", "ACCMNEED", "EMPSTAT", "PRNTSTAT", "HEPBSTAT", "CONSENT"]
    )


def test_dq_hepcstat_is_empty_while_a_test_offered_by_e_waits_for_an_answer_at_e():
    answered_after_e = episode(received_on=date(2025, 1, 1))
    hep_c_test(answered_after_e.person, offered_on=date(2025, 6, 1), answered_on=date(2025, 7, 1), accepted=True)
    answered = episode(received_on=date(2025, 1, 1))
    hep_c_test(answered.person, offered_on=date(2025, 6, 1), answered_on=date(2025, 6, 30), accepted=False)
    found = rows("DQ")
    assert (found[answered_after_e.pk].dq_HEPCSTAT, found[answered.pk].dq_HEPCSTAT) == (False, True)
    assert found[answered_after_e.pk].kpi_filled_items == found[answered.pk].kpi_filled_items - 1
