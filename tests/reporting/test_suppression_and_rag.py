"""The small-number rules (docs/dashboard.md) and the RAG, variance and direction-of-travel rules."""

from decimal import Decimal

import pytest

from reporting.dashboard import charts, rag, suppression
from reporting.dashboard.presenters import Figure, Figures, KpiDefinition, kpi_rows, mi_sections
from reporting.kpis.suppression import must_suppress
from reporting.periods import last_quarters, parse_period

AT_LEAST_95 = rag.Threshold.parse(">= 0.95")


@pytest.mark.parametrize(("count", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (1234, "1,234")])
def test_counts_of_one_to_four_are_shown_as_under_5_and_zero_and_five_are_shown(count, shown):
    assert suppression.show_count(count) == shown


@pytest.mark.parametrize(
    ("numerator", "denominator", "withheld"),
    [(57, 60, True), (55, 60, False), (4, 60, True), (5, 60, False), (3, 3, True), (0, 60, False), (60, 60, False)],
)
def test_a_rate_is_withheld_when_its_numerator_or_the_people_outside_it_number_one_to_four(
    numerator, denominator, withheld
):
    assert must_suppress(kind="rate", numerator=numerator, denominator=denominator) is withheld


def test_one_small_cell_in_a_table_with_a_total_hides_the_next_smallest_cell_too():
    assert suppression.secondary({"A": 3, "B": 9, "C": 20}, total=32) == {"A", "B"}


def test_two_small_cells_need_no_further_cell_hidden():
    assert suppression.secondary({"A": 3, "B": 2, "C": 20}, total=25) == {"A", "B"}


def test_a_total_under_5_hides_every_cell():
    assert suppression.secondary({"A": 3, "B": 1, "C": 0}, total=4) == {"A", "B"}


def test_when_one_team_is_withheld_the_other_team_is_withheld_too():
    assert suppression.across_teams({"ESAP"}, {"ARM": 40, "ESAP": 3}) == {"ESAP", "ARM"}


@pytest.mark.parametrize(
    ("threshold", "value", "kind", "expected"),
    [
        (">= 0.95", "0.95", "rate", rag.MET),
        (">= 0.95", "0.9499", "rate", rag.NEAR),
        (">= 0.95", "0.90", "rate", rag.NEAR),
        (">= 0.95", "0.8999", "rate", rag.NOT_MET),
        ("<= 0.1", "0.15", "rate", rag.NEAR),
        ("<= 0.1", "0.16", "rate", rag.NOT_MET),
        ("= 1", "0.96", "rate", rag.NEAR),
        ("= 0", "0", "count", rag.MET),
        ("= 0", "4", "count", rag.NEAR),
        ("= 0", "5", "count", rag.NOT_MET),
    ],
)
def test_near_is_a_miss_within_5_points_or_a_count_under_5(threshold, value, kind, expected):
    assert rag.status(value=Decimal(value), threshold=rag.Threshold.parse(threshold), kind=kind) == expected


def test_no_population_is_no_data_not_a_pass():
    assert rag.status(value=None, threshold=AT_LEAST_95, kind="rate") == rag.NO_DATA


def test_variance_is_said_in_percentage_points_above_or_below():
    assert rag.variance(Decimal("0.925"), AT_LEAST_95, "rate") == "2.5 percentage points below the threshold"
    assert rag.variance(Decimal("3"), rag.Threshold.parse("= 0"), "count") == "3 above the threshold"


def test_direction_of_travel_says_better_when_a_lower_is_better_figure_falls():
    moved = rag.travel(current=Decimal("0.08"), previous=Decimal("0.12"), higher_is_better=False)
    assert (moved.arrow, moved.words) == ("↓", "Better")


def test_the_trend_chart_is_an_image_with_a_title_and_a_description_that_names_a_withheld_quarter():
    svg = charts.trend(
        chart_id="trend-W21",
        title="W21 trend",
        points=[charts.Point("FY2025Q1", Decimal("0.9")), charts.Point("FY2025Q2", None, "withheld")],
        threshold=Decimal("0.95"),
        kind="rate",
    )
    assert 'role="img"' in svg
    assert '<title id="trend-W21-title">W21 trend</title>' in svg
    assert "Q1 25/26: 90%; Q2 25/26: withheld. Threshold 95%." in svg
    assert "style=" not in svg


def _definitions():
    return [KpiDefinition("W21", "Waited 21 days or less", "rate", AT_LEAST_95, True)]


def test_a_kpi_row_carries_value_status_variance_travel_and_eight_quarters_of_trend():
    quarters = last_quarters(8, ending=parse_period("FY2025Q4"))
    figures = {("W21", q.label, None): Figure(90, 100, Decimal("0.90"), False) for q in quarters}
    figures["W21", "FY2025Q4", None] = Figure(94, 100, Decimal("0.94"), False)
    figures["W21", "FY2025Q3", None] = Figure(80, 100, Decimal("0.80"), False)

    [row] = kpi_rows(
        definitions=_definitions(), figures=Figures(figures, []), quarters=quarters, team_id=None, comparators={}
    )

    assert (row.value_text, row.status, row.variance_text) == (
        "94%",
        rag.NEAR,
        "1 percentage point below the threshold",
    )
    assert (row.travel.arrow, row.travel.words) == ("↑", "Better")
    assert len(row.trend) == 8
    assert row.trend[-1] == ("Q4 25/26", "94%")


def test_a_kpi_with_two_people_missing_it_shows_its_status_but_withholds_the_figure_and_the_trend_point():
    quarters = last_quarters(2, ending=parse_period("FY2025Q4"))
    figures = {
        ("W21", "FY2025Q3", None): Figure(50, 60, Decimal("0.8333"), False),
        ("W21", "FY2025Q4", None): Figure(58, 60, Decimal("0.9667"), True),
    }

    [row] = kpi_rows(
        definitions=_definitions(), figures=Figures(figures, []), quarters=quarters, team_id=None, comparators={}
    )

    assert row.status == rag.MET
    assert (row.value_text, row.numerator_text, row.denominator_text) == ("Withheld", "withheld", "60")
    assert row.travel.key == "unknown"
    assert "96.7" not in row.trend_svg
    assert row.trend[-1][1] == "Withheld: fewer than 5 people"


def test_a_teams_figure_is_withheld_when_the_other_teams_would_give_it_back():
    quarters = [parse_period("FY2025Q4")]
    figures = {
        ("W21", "FY2025Q4", None): Figure(43, 50, Decimal("0.86"), False),
        ("W21", "FY2025Q4", 1): Figure(40, 40, Decimal("1"), True),
        ("W21", "FY2025Q4", 2): Figure(3, 10, Decimal("0.3"), False),
    }

    [arm] = kpi_rows(
        definitions=_definitions(), figures=Figures(figures, [1, 2]), quarters=quarters, team_id=1, comparators={}
    )

    assert arm.withheld
    assert arm.value_text == "Withheld"


def test_management_information_hides_a_small_cell_and_the_next_smallest_and_withholds_small_stats():
    tables = {
        "sections": [
            {
                "item": 7,
                "title": "Sex",
                "tables": [
                    {
                        "kind": "breakdown",
                        "caption": "",
                        "rows": [
                            {"label": "Male", "count": 30},
                            {"label": "Female", "count": 12},
                            {"label": "Other", "count": 2},
                        ],
                        "total": 44,
                    }
                ],
            },
            {
                "item": 19,
                "title": "Length",
                "tables": [
                    {
                        "kind": "stats",
                        "caption": "",
                        "population": 3,
                        "population_label": "episodes",
                        "rows": [{"label": "Mean", "value": 88.0, "unit": "days"}],
                    }
                ],
            },
        ]
    }

    [sex, length] = mi_sections(tables)

    assert [row["text"] for row in sex["tables"][0]["rows"]] == ["30", "withheld", "<5"]
    assert sex["tables"][0]["total_text"] == "44"
    assert length["tables"][0]["rows"][0]["text"] == "Withheld: fewer than 5 people"
