"""Reporting periods (domain.md 6a): financial quarters `FY2025Q1`, months `2025-04`, or any date range.

Every figure for a period is computed as at its last day `end` (E); `start` is S.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

QUARTER = re.compile(r"^FY(?P<year>\d{4})Q(?P<quarter>[1-4])$")
MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")


class PeriodError(ValueError):
    """A period label or range that names no real period; the message says what is expected."""


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same kind just before this one (a range moves back by its own length)."""
        if QUARTER.match(self.label):
            return quarter_containing(self.start - timedelta(days=1))
        if MONTH.match(self.label):
            return month_containing(self.start - timedelta(days=1))
        return date_range(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def financial_quarter(year: int, quarter: int) -> Period:
    """FY{year}Q1 is April to June of `year`; Q4 is January to March of the next year."""
    first_month = 4 + 3 * (quarter - 1)
    start_year = year + (first_month - 1) // 12
    first_month = (first_month - 1) % 12 + 1
    start = date(start_year, first_month, 1)
    end_month = first_month + 2
    return Period(start, _month_end(start_year, end_month), f"FY{year}Q{quarter}")


def quarter_containing(day: date) -> Period:
    fy = day.year if day.month >= 4 else day.year - 1
    return financial_quarter(fy, (day.month - 4) % 12 // 3 + 1)


def month(year: int, month_number: int) -> Period:
    return Period(date(year, month_number, 1), _month_end(year, month_number), f"{year}-{month_number:02d}")


def month_containing(day: date) -> Period:
    return month(day.year, day.month)


def date_range(start: date, end: date) -> Period:
    if end < start:
        raise PeriodError(f"The period must end on or after its start: {start:%Y-%m-%d} to {end:%Y-%m-%d}.")
    return Period(start, end, f"{start:%Y-%m-%d}..{end:%Y-%m-%d}")


def parse_period(label: str) -> Period:
    """`FY2025Q1`, `2025-04` or `2025-04-01..2025-06-30` (the label `date_range` writes)."""
    text = label.strip()
    if found := QUARTER.match(text):
        return financial_quarter(int(found["year"]), int(found["quarter"]))
    if found := MONTH.match(text):
        if not 1 <= int(found["month"]) <= 12:
            raise PeriodError(f"{text} is not a month: write it as YYYY-MM, for example 2025-04.")
        return month(int(found["year"]), int(found["month"]))
    if ".." in text:
        first, _, last = text.partition("..")
        try:
            return date_range(date.fromisoformat(first), date.fromisoformat(last))
        except ValueError as error:
            if isinstance(error, PeriodError):
                raise
            raise PeriodError(f"{text} is not a date range: write it as YYYY-MM-DD..YYYY-MM-DD.") from None
    raise PeriodError(f"{text} is not a period: write a quarter as FY2025Q1 or a month as 2025-04.")


def last_quarters(count: int, *, ending: Period) -> list[Period]:
    """`count` financial quarters, oldest first, the last being `ending`."""
    quarters = [ending]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]


def last_months(count: int, *, ending: Period) -> list[Period]:
    """`count` months, newest first, the first being `ending`."""
    months = [ending]
    while len(months) < count:
        months.append(months[-1].previous())
    return months


def twelve_months_ending(end: date) -> tuple[date, date]:
    """HBC and HB1 (domain.md 6b): from the day after the same date a year earlier to `end`, both inclusive."""
    try:
        year_before = end.replace(year=end.year - 1)
    except ValueError:  # 29 February: the same date a year earlier is 28 February
        year_before = end.replace(year=end.year - 1, day=28)
    return year_before + timedelta(days=1), end
