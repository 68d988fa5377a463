"""The engine's contract: catalogue rows, results, the SQL working-day calendar, snapshots and the command."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F

from core.calendar import add_working_days
from core.models import Team, WorkingDay
from core.sql import AddWorkingDays
from reporting.kpis.engine import compute, result_for
from reporting.kpis.snapshots import store
from reporting.kpis.suppression import must_suppress
from reporting.models import Kpi, KpiSnapshot
from tests.reporting.kpi_world import Q1, started_episode

pytestmark = pytest.mark.django_db

CODES = [
    "W21", "W42", "RTT3", "RTT4", "FC3", "CJ5", "RX10", "DRR5", "RAP3", "RAP12", "KW", "JW",
    "PDA", "PDD", "SIR0", "HBO", "HBR", "HBC", "HB1", "HCV", "REP-O", "REP-N", "DQ",
]  # fmt: skip


def test_catalogue_holds_every_kpi_of_domain_section_5_in_order():
    assert list(Kpi.objects.values_list("code", flat=True)) == CODES
    thresholds = {kpi.code: kpi.threshold_text for kpi in Kpi.objects.all()}
    assert thresholds["W21"] == ">= 0.95"
    assert thresholds["W42"] == "= 0"
    assert thresholds["RTT4"] == "= 1"
    assert thresholds["HBR"] == "<= 0.1"
    assert thresholds["PDD"] == ">= 0.55"


def test_compute_returns_every_code_in_catalogue_order_with_none_for_an_empty_rate():
    results = compute(Q1)
    assert list(results) == CODES
    assert results["W21"].value is None
    assert results["W21"].met is None
    assert results["W42"].value == Decimal(0)
    assert results["W42"].met is True


def test_a_rate_is_rounded_to_4_places_but_met_is_decided_on_the_exact_fraction():
    w21 = Kpi.objects.get(code="W21")
    just_below = result_for(w21, 94999, 100000)
    assert just_below.value == Decimal("0.9500")
    assert just_below.met is False
    assert result_for(w21, 19, 20).met is True


def test_a_count_kpi_meets_its_target_only_at_zero():
    sir0 = Kpi.objects.get(code="SIR0")
    assert result_for(sir0, 0, 0).met is True
    assert result_for(sir0, 1, 10).met is False


def _random_page_cost(cursor) -> str:
    cursor.execute("SHOW random_page_cost")
    return cursor.fetchone()[0]


def test_only_the_first_row_populations_of_the_whole_service_are_planned_for_index_probes_and_put_back(arm_team):
    seen = []

    def record_setting(execute, sql, params, many, context):
        seen.append((sql, _random_page_cost(context["cursor"].cursor)))
        return execute(sql, params, many, context)

    with connection.cursor() as cursor:
        before = _random_page_cost(cursor)
    with connection.execute_wrapper(record_setting):
        compute(Q1)
    probed = [sql for sql, cost in seen if cost == "1.1" and "set_config" not in sql]
    # One query for W21, W42, RTT3 and RTT4, then CJ5, RAP3 and RAP12; the other 16 KPIs at the default.
    assert len(probed) == 4
    assert all("recovery_plans_modality" in sql or "assessment_assessment" in sql for sql in probed)
    assert sum(1 for sql, cost in seen if cost == before and sql.startswith("SELECT COUNT")) >= 15
    with connection.cursor() as cursor:
        assert _random_page_cost(cursor) == before
    seen.clear()
    with connection.execute_wrapper(record_setting):
        compute(Q1, team=arm_team)
    assert {cost for _, cost in seen} == {before}


def test_working_day_table_agrees_with_core_calendar_for_every_day_of_2025_to_2027():
    days = WorkingDay.objects.filter(day__gte=date(2025, 1, 1), day__lte=date(2027, 12, 31))
    for count in (1, 3, 5, 10):
        in_sql = dict(days.annotate(due=AddWorkingDays(F("day"), count)).values_list("day", "due"))
        assert len(in_sql) == 365 * 3
        mismatches = {day: due for day, due in in_sql.items() if due != add_working_days(day, count)}
        assert mismatches == {}, count


def test_store_twice_leaves_one_snapshot_per_kpi_period_and_scope():
    started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 4, 2))
    team = Team.objects.get(code="ARM")
    store(Q1, compute(Q1), job="test")
    store(Q1, compute(Q1, team=team), team=team, job="test")
    store(Q1, compute(Q1, team=team.pk), team=team.pk, job="test by id")
    started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 6, 2))
    store(Q1, compute(Q1), job="again")
    assert KpiSnapshot.objects.count() == 2 * len(CODES)
    service_w21 = KpiSnapshot.objects.get(kpi__code="W21", period_label="FY2025Q1", team=None)
    assert (service_w21.numerator, service_w21.denominator, service_w21.job) == (1, 2, "again")
    assert service_w21.value == Decimal("0.5000")
    assert service_w21.met is False


def test_compute_kpis_json_has_the_agreed_shape():
    started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 4, 2))
    out = StringIO()
    call_command("compute_kpis", "--period", "FY2025Q1", "--format", "json", stdout=out)
    document = json.loads(out.getvalue())
    assert list(document) == ["period", "from", "to", "kpis"]
    assert (document["period"], document["from"], document["to"]) == ("FY2025Q1", "2025-04-01", "2025-06-30")
    assert list(document["kpis"]) == CODES
    assert document["kpis"]["W21"] == {
        "numerator": 1,
        "denominator": 1,
        "value": 1.0,
        "threshold": ">= 0.95",
        "met": True,
    }
    assert document["kpis"]["PDA"]["value"] is None
    assert document["kpis"]["PDA"]["met"] is None
    assert document["kpis"]["W42"] == {"numerator": 0, "denominator": 1, "value": 0, "threshold": "= 0", "met": True}


def test_compute_kpis_takes_a_month_a_range_and_a_team_and_stores():
    started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 4, 2))
    out = StringIO()
    call_command("compute_kpis", "--period", "2025-04", "--team", "ARM", "--store", "--format", "json", stdout=out)
    document = json.loads(out.getvalue())
    assert (document["period"], document["to"], document["team"]) == ("2025-04", "2025-04-30", "ARM")
    assert KpiSnapshot.objects.filter(period_label="2025-04", team__code="ARM").count() == len(CODES)
    out = StringIO()
    call_command("compute_kpis", "--from", "2025-04-02", "--to", "2025-04-02", "--format", "table", stdout=out)
    assert "W21" in out.getvalue()
    assert "2025-04-02..2025-04-02" in out.getvalue()


def test_compute_kpis_all_teams_stores_the_service_and_each_arm_and_esap_team(arm_team, esap_team):
    out = StringIO()
    call_command("compute_kpis", "--period", "FY2025Q1", "--all-teams", "--store", stdout=out)
    assert "whole service" in out.getvalue()
    assert "Computed 3 scope(s)" in out.getvalue()
    scopes = set(KpiSnapshot.objects.values_list("team__code", flat=True))
    assert scopes == {None, "ARM", "ESAP"}
    with pytest.raises(CommandError, match="--all-teams"):
        call_command("compute_kpis", "--period", "FY2025Q1", "--all-teams", "--format", "json")


def test_compute_kpis_refuses_an_unknown_team_or_period():
    with pytest.raises(CommandError, match="No team has the code NOPE"):
        call_command("compute_kpis", "--period", "FY2025Q1", "--team", "NOPE")
    with pytest.raises(CommandError, match="not a period"):
        call_command("compute_kpis", "--period", "2025Q1")
    with pytest.raises(CommandError, match="Give --period"):
        call_command("compute_kpis")


def test_team_code_is_made_from_the_name_and_kept_unique():
    first = Team.objects.create(name="Delivery North", kind="delivery")
    second = Team.objects.create(name="Delivery  north!", kind="delivery")
    assert (first.code, second.code) == ("DELIVERY-NORTH", "DELIVERY-NORTH-2")


def test_working_day_table_covers_2000_to_2100():
    assert WorkingDay.objects.order_by("day").first().day == date(2000, 1, 1)
    assert WorkingDay.objects.order_by("-day").first().day == date(2100, 12, 31)
    assert not WorkingDay.objects.get(day=date(2026, 12, 28)).working  # Boxing Day's substitute
    assert WorkingDay.objects.get(day=date(2026, 12, 29)).working


@pytest.mark.parametrize(
    ("kind", "numerator", "denominator", "suppressed"),
    [
        ("rate", 0, 0, False),
        ("rate", 5, 10, False),
        ("rate", 4, 10, True),
        ("rate", 10, 14, True),  # 4 not counted: worked back from the two shown
        ("rate", 10, 10, False),
        ("rate", 3, 3, True),
        ("count", 0, 100, False),
        ("count", 1, 100, True),
        ("mean", 60, 4 * 15, True),
        ("mean", 70, 5 * 15, False),
    ],
)
def test_small_numbers_rule(kind, numerator, denominator, suppressed):
    assert must_suppress(kind=kind, numerator=numerator, denominator=denominator) is suppressed
