from datetime import date

import pytest

from reporting.periods import (
    PeriodError,
    financial_quarter,
    last_months,
    last_quarters,
    month,
    parse_period,
    quarter_containing,
    twelve_months_ending,
)


def test_fy2025q1_is_april_to_june_2025():
    period = parse_period("FY2025Q1")
    assert (period.start, period.end, period.label) == (date(2025, 4, 1), date(2025, 6, 30), "FY2025Q1")


def test_fy2025q4_is_january_to_march_2026():
    period = parse_period("FY2025Q4")
    assert (period.start, period.end) == (date(2026, 1, 1), date(2026, 3, 31))


def test_month_label_covers_the_whole_month_including_a_leap_february():
    assert parse_period("2024-02") == month(2024, 2)
    assert parse_period("2024-02").end == date(2024, 2, 29)
    assert parse_period("2025-12").end == date(2025, 12, 31)


def test_date_range_label_round_trips():
    period = parse_period("2025-04-03..2025-05-09")
    assert (period.start, period.end) == (date(2025, 4, 3), date(2025, 5, 9))
    assert parse_period(period.label) == period


@pytest.mark.parametrize(
    "label", ["2025Q1", "FY2025Q5", "2025-13", "2025-05-09..2025-04-03", "soon", "2025-02-30..2025-03-01"]
)
def test_a_label_that_names_no_period_is_refused_with_the_expected_form(label):
    with pytest.raises(PeriodError):
        parse_period(label)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2025, 3, 31), "FY2024Q4"),
        (date(2025, 4, 1), "FY2025Q1"),
        (date(2025, 9, 30), "FY2025Q2"),
        (date(2025, 12, 31), "FY2025Q3"),
        (date(2026, 1, 1), "FY2025Q4"),
    ],
)
def test_quarter_containing_a_day_at_each_quarter_boundary(day, label):
    assert quarter_containing(day).label == label


def test_previous_quarter_crosses_the_financial_year():
    assert financial_quarter(2025, 1).previous() == financial_quarter(2024, 4)


def test_previous_of_a_range_is_the_same_length_just_before():
    period = parse_period("2025-04-11..2025-04-20")
    assert parse_period("2025-04-01..2025-04-10") == period.previous()


def test_last_eight_quarters_oldest_first():
    quarters = last_quarters(8, ending=financial_quarter(2025, 1))
    assert [q.label for q in quarters][:2] == ["FY2023Q2", "FY2023Q3"]
    assert quarters[-1].label == "FY2025Q1"
    assert len(quarters) == 8


def test_last_twelve_months_newest_first():
    months = last_months(12, ending=month(2025, 4))
    assert months[0].label == "2025-04"
    assert months[-1].label == "2024-05"


def test_twelve_months_ending_start_the_day_after_the_same_date_a_year_earlier():
    assert twelve_months_ending(date(2025, 6, 30)) == (date(2024, 7, 1), date(2025, 6, 30))
    assert twelve_months_ending(date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))
