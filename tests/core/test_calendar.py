from datetime import date

import pytest

from core.calendar import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 4, 17), True),  # Maundy Thursday
        (date(2025, 4, 18), False),  # Good Friday
        (date(2025, 4, 21), False),  # Easter Monday
        (date(2025, 4, 19), False),  # Saturday
        (date(2026, 12, 25), False),  # Christmas Day, a Friday
        (date(2026, 12, 28), False),  # Boxing Day falls on Saturday: substitute Monday
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),  # New Year's Day
    ],
)
def test_working_days_follow_england_bank_holidays(day, working):
    assert is_working_day(day) is working


def test_three_working_days_across_easter_2025():
    # Thursday 17 April: Good Friday and Easter Monday do not count.
    assert add_working_days(date(2025, 4, 17), 3) == date(2025, 4, 24)
    assert add_working_days(date(2025, 4, 16), 3) == date(2025, 4, 23)


def test_working_days_across_christmas_2026_with_the_substitute_day():
    # Thursday 24 December: 25th, weekend, 28th (substitute) skipped -> 29, 30, 31 December.
    assert add_working_days(date(2026, 12, 24), 3) == date(2026, 12, 31)
    assert add_working_days(date(2026, 12, 24), 5) == date(2027, 1, 5)


def test_a_weekend_is_skipped():
    friday = date(2025, 6, 6)
    assert add_working_days(friday, 1) == date(2025, 6, 9)
    assert add_working_days(friday, 3) == date(2025, 6, 11)


def test_a_saturday_start_counts_from_monday():
    assert add_working_days(date(2025, 6, 7), 1) == date(2025, 6, 9)


def test_zero_working_days_is_the_same_day():
    assert add_working_days(date(2025, 4, 18), 0) == date(2025, 4, 18)


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2025, 1, 1), -1)


def test_working_days_between_counts_the_end_not_the_start():
    assert working_days_between(date(2025, 4, 17), date(2025, 4, 24)) == 3
    assert working_days_between(date(2025, 4, 24), date(2025, 4, 17)) == -3
    assert working_days_between(date(2025, 4, 17), date(2025, 4, 17)) == 0


def test_add_and_between_agree_over_a_whole_year():
    start = date(2026, 1, 1)
    for count in range(0, 260, 7):
        assert working_days_between(start, add_working_days(start, count)) == count
