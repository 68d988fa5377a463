"""RAG status, variance and direction of travel of one KPI figure (the rules are in docs/dashboard.md).

- Met (green): the figure meets its threshold.
- Near (amber): it does not, but is within 5 percentage points of it (a rate or mean), or is a count of 1 to 4
  where the threshold is 0. Near is still a miss: the words say "Near: not met".
- Not met (red): anything further away.
- No data (grey): nobody was in the population, so there is no figure.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

NEAR_POINTS = Decimal("0.05")
NEAR_COUNT = 5
NO_FIGURE = "\N{EN DASH}"
THRESHOLD_TEXT = re.compile(r"^\s*(?P<comparison>>=|<=|=)\s*(?P<value>-?\d+(\.\d+)?)\s*$")


@dataclass(frozen=True)
class Status:
    key: str
    label: str
    tag: str  # the NHS.UK tag modifier: colour always comes with the words of `label`

    @property
    def missed(self) -> bool:
        return self.key in ("near", "not_met")


MET = Status("met", "Met", "green")
NEAR = Status("near", "Near: not met", "yellow")
NOT_MET = Status("not_met", "Not met", "red")
NO_DATA = Status("no_data", "No data", "grey")


@dataclass(frozen=True)
class Threshold:
    comparison: str
    value: Decimal

    @classmethod
    def parse(cls, text: str) -> "Threshold":
        found = THRESHOLD_TEXT.match(text or "")
        if not found:
            raise ValueError(f"{text!r} is not a threshold: write it as '>= 0.95', '<= 0.1' or '= 0'.")
        return cls(found["comparison"], Decimal(found["value"]))

    def met_by(self, value: Decimal) -> bool:
        if self.comparison == ">=":
            return value >= self.value
        if self.comparison == "<=":
            return value <= self.value
        return value == self.value


def status(*, value: Decimal | None, threshold: Threshold, kind: str, met: bool | None = None) -> Status:
    """`met` is the engine's verdict when it gave one; the amber band is decided here."""
    if value is None:
        return NO_DATA
    if met is None:
        met = threshold.met_by(value)
    if met:
        return MET
    gap = abs(value - threshold.value)
    if kind == "count":
        return NEAR if gap < NEAR_COUNT else NOT_MET
    return NEAR if gap <= NEAR_POINTS else NOT_MET


def _points(value: Decimal) -> str:
    return f"{abs(value) * 100:.1f}".rstrip("0").rstrip(".")


def show_value(value: Decimal | None, kind: str) -> str:
    if value is None:
        return NO_FIGURE
    if kind == "count":
        return f"{int(value):,}"
    return f"{_points(value)}%"


def show_threshold(threshold: Threshold, kind: str) -> str:
    words = {">=": "at least", "<=": "at most", "=": "exactly"}[threshold.comparison]
    return f"{words} {show_value(threshold.value, kind)}"


def variance(value: Decimal | None, threshold: Threshold, kind: str) -> str:
    """The signed distance from the threshold, in words: "2.5 points below the threshold"."""
    if value is None:
        return NO_FIGURE
    difference = value - threshold.value
    if difference == 0:
        return "On the threshold"
    side = "above" if difference > 0 else "below"
    if kind == "count":
        amount = f"{abs(int(difference)):,}"
    else:
        amount = f"{_points(difference)} percentage point{'' if abs(difference) == Decimal('0.01') else 's'}"
    return f"{amount} {side} the threshold"


@dataclass(frozen=True)
class Travel:
    key: str  # better, worse, same, unknown
    arrow: str
    words: str


def travel(*, current: Decimal | None, previous: Decimal | None, higher_is_better: bool) -> Travel:
    """Direction of travel against the previous quarter. The arrow shows which way the figure moved; the words say
    whether that is better or worse for this KPI."""
    if current is None or previous is None:
        return Travel("unknown", "", "No comparison")
    if current == previous:
        return Travel("same", "→", "No change")
    went_up = current > previous
    better = went_up == higher_is_better
    return Travel("better" if better else "worse", "↑" if went_up else "↓", "Better" if better else "Worse")
