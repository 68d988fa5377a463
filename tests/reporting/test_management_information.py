"""SPEC 17 items 1-20: set-based aggregates per quarter and scope, as at the quarter's end."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.factories import TopFactory
from core.choices import TeamKind
from core.factories import TeamFactory
from core.models import DischargeReason, TreatmentStage
from recovery_plans.factories import ModalityFactory
from referrals.factories import EpisodeFactory, ReferralFactory
from reporting.dashboard import mi
from reporting.models import MiSnapshot, ServiceFeedback
from reporting.periods import parse_period

Q1 = parse_period("FY2025Q1")  # 1 April to 30 June 2025


def rows(snapshot_tables, item, table=0):
    section = next(s for s in snapshot_tables["sections"] if s["item"] == item)
    return {row["label"]: row.get("count", row.get("value")) for row in section["tables"][table]["rows"]}


@pytest.fixture
def arm(db):
    return TeamFactory(name="ARM", kind=TeamKind.ARM)


@pytest.fixture
def esap(db):
    return TeamFactory(name="ESAP", kind=TeamKind.ESAP)


def test_item_1_counts_referrals_received_on_the_quarters_first_and_last_day_only(arm):
    for received in (date(2025, 3, 31), date(2025, 4, 1), date(2025, 6, 30), date(2025, 7, 1)):
        ReferralFactory(received_on=received, team=arm)
    EpisodeFactory(referral__received_on=date(2025, 3, 20), referral__team=arm, opened_on=date(2025, 4, 2))

    tables = mi.compute(Q1)

    assert rows(tables, 1)["Referrals received"] == 2
    assert rows(tables, 1)["New episodes of structured treatment opened"] == 1


def test_item_2_counts_people_in_treatment_during_and_at_the_end_of_the_quarter(arm):
    reason = DischargeReason.objects.get(code="80")
    EpisodeFactory(referral__team=arm, referral__received_on=date(2025, 1, 1), opened_on=date(2025, 1, 5))
    EpisodeFactory(
        referral__team=arm,
        referral__received_on=date(2025, 1, 1),
        opened_on=date(2025, 1, 5),
        discharged_on=date(2025, 4, 1),
        discharge_reason=reason,
    )
    EpisodeFactory(
        referral__team=arm,
        referral__received_on=date(2025, 1, 1),
        opened_on=date(2025, 1, 5),
        discharged_on=date(2025, 3, 31),
        discharge_reason=reason,
    )
    EpisodeFactory(referral__team=arm, referral__received_on=date(2025, 6, 25), opened_on=date(2025, 7, 1))

    counted = rows(mi.compute(Q1), 2)

    assert counted["In treatment at some time in the quarter"] == 2
    assert counted["In treatment on the last day of the quarter"] == 1


def test_item_4_and_13_count_successful_completions_and_exits_by_reason(arm):
    for code in ("80", "80", "85", "83"):
        EpisodeFactory(
            referral__team=arm,
            referral__received_on=date(2025, 1, 1),
            opened_on=date(2025, 1, 5),
            discharged_on=date(2025, 5, 1),
            discharge_reason=DischargeReason.objects.get(code=code),
        )

    tables = mi.compute(Q1)

    assert rows(tables, 4) == {"Discharged": 4, "of whom completed treatment successfully": 2}
    by_outcome = rows(tables, 13, table=1)
    assert by_outcome == {"Successful": 2, "Unsuccessful": 1, "Neutral": 1}


def test_item_6_places_a_person_by_their_age_on_the_quarters_last_day(arm):
    # 25 on 30 June 2025 is 25 to 34; a day younger is still 18 to 24.
    EpisodeFactory(referral__team=arm, referral__person__date_of_birth=date(2000, 6, 30), opened_on=date(2025, 4, 5))
    EpisodeFactory(referral__team=arm, referral__person__date_of_birth=date(2000, 7, 1), opened_on=date(2025, 4, 5))

    ages = rows(mi.compute(Q1), 6)

    assert ages["25 to 34"] == 1
    assert ages["18 to 24"] == 1


def test_item_11_gives_the_shortest_longest_and_mean_wait_for_first_interventions_started_in_the_quarter(arm):
    for waited in (3, 10, 20):
        episode = EpisodeFactory(
            referral__team=arm, referral__received_on=date(2025, 3, 1), opened_on=date(2025, 3, 10)
        )
        ModalityFactory(
            episode=episode,
            referred_on=date(2025, 4, 1),
            started_on=date(2025, 4, 1 + waited),
        )

    waits = rows(mi.compute(Q1), 11)

    assert waits["Modality referral to start: shortest"] == 3
    assert waits["Modality referral to start: longest"] == 20
    assert waits["Modality referral to start: average (mean)"] == 11


def test_item_5_counts_people_using_on_fewer_days_about_six_months_after_their_start_top(arm):
    start, review = TreatmentStage.objects.get(code="S"), TreatmentStage.objects.get(code="R")
    better = EpisodeFactory(referral__team=arm, opened_on=date(2024, 10, 1), referral__received_on=date(2024, 9, 1))
    worse = EpisodeFactory(referral__team=arm, opened_on=date(2024, 10, 1), referral__received_on=date(2024, 9, 1))
    for episode, later_days in ((better, 2), (worse, 20)):
        TopFactory(episode=episode, stage=start, top_date=date(2024, 11, 1), opiates=10)
        TopFactory(
            episode=episode,
            stage=review,
            top_date=date(2025, 5, 1),
            opiates=later_days,
        )

    counted = rows(mi.compute(Q1), 5)

    assert counted["People with a TOP about 6 months after starting"] == 2
    assert counted["of whom used on fewer days than at the start (6 months)"] == 1
    assert counted["People with a TOP about 12 months after starting"] == 0


def test_item_17_counts_feedback_by_rating_and_never_holds_a_comment(arm, staff):
    worker = staff("keyworker", team=arm)
    for rating in (5, 5, 4, 1):
        ServiceFeedback.objects.create(
            received_on=date(2025, 5, 1),
            team=arm,
            rating=rating,
            comment="Sam at reception was kind",
            recorded_by=worker,
        )

    tables = mi.compute(Q1)

    assert rows(tables, 17)["5 (very good)"] == 2
    assert rows(tables, 17, table=1)["Average (mean) rating, 1 to 5"] == 3.8
    assert "Sam" not in str(tables)


def test_item_19_gives_the_mean_length_of_episodes_that_ended_in_the_quarter(arm):
    reason = DischargeReason.objects.get(code="80")
    for opened in (date(2025, 3, 2), date(2025, 1, 1)):
        EpisodeFactory(
            referral__team=arm,
            referral__received_on=date(2024, 12, 1),
            opened_on=opened,
            discharged_on=date(2025, 4, 1),
            discharge_reason=reason,
        )

    assert rows(mi.compute(Q1), 19)["Opened to discharged: average (mean)"] == 60


def test_a_team_scope_counts_only_that_teams_episodes_and_leaves_out_whole_service_only_items(arm, esap):
    EpisodeFactory(referral__team=arm, opened_on=date(2025, 4, 5))
    EpisodeFactory(referral__team=esap, opened_on=date(2025, 4, 5))
    EpisodeFactory(referral__team=esap, opened_on=date(2025, 4, 6))

    assert rows(mi.compute(Q1, team=esap), 1)["New episodes of structured treatment opened"] == 2
    nsp = next(s for s in mi.compute(Q1, team=esap)["sections"] if s["item"] == 15)
    assert nsp["tables"] == []
    assert "whole service" in nsp["note"]


def test_storing_twice_leaves_one_snapshot_per_quarter_and_scope(arm):
    EpisodeFactory(referral__team=arm, opened_on=date(2025, 4, 5))

    mi.mi_store_all(period=Q1)
    mi.mi_store_all(period=Q1)

    assert MiSnapshot.objects.filter(period_label="FY2025Q1").count() == 2  # whole service and ARM
    assert {item["item"] for item in MiSnapshot.objects.get(team=None).tables["sections"]} == set(range(1, 21))


def test_the_computation_runs_a_fixed_number_of_queries_however_many_people(arm):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            mi.compute(Q1)
        return len(captured)

    EpisodeFactory(referral__team=arm, opened_on=date(2025, 4, 5))
    few = queries()
    for _ in range(15):
        episode = EpisodeFactory(referral__team=arm, opened_on=date(2025, 4, 5))
        ModalityFactory(episode=episode, started_on=date(2025, 4, 20))

    assert queries() == few


def test_a_quarters_recomputation_stores_its_management_information_with_its_kpis_and_a_months_does_not(arm):
    from reporting.tasks import store_period

    EpisodeFactory(referral__team=arm, opened_on=date(2025, 4, 5))

    store_period(Q1, job="test")
    store_period(parse_period("2025-04"), job="test")

    assert set(MiSnapshot.objects.values_list("period_label", "team__name")) == {
        ("FY2025Q1", None),
        ("FY2025Q1", "ARM"),
    }
