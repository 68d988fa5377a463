"""Small numbers are not shown to commissioners (domain.md 1, 5): a count under 5, or one that could be worked
back from the figures shown (the rest of a denominator), is replaced by `<5` on a page and by null in the API."""

from reporting.choices import KpiKind
from reporting.kpis.populations import DQ_ITEMS

SMALLEST_SHOWN = 5


def is_small(count: int) -> bool:
    return 0 < count < SMALLEST_SHOWN


def must_suppress(*, kind: str, numerator: int, denominator: int) -> bool:
    """True when the numerator, the denominator or their difference (the people not counted) is 1 to 4. For data
    completeness the people are the open episodes (denominator / 15); item counts are not people."""
    if kind == KpiKind.MEAN:
        return is_small(denominator // len(DQ_ITEMS))
    return any(is_small(count) for count in (numerator, denominator, denominator - numerator))
