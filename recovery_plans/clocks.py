"""The waiting-time clock of a modality: referral to start, in days and working days."""

from dataclasses import dataclass
from datetime import date

from core.calendar import working_days_between

AMBER_FROM_DAY = 15
RED_FROM_DAY = 21


@dataclass(frozen=True)
class Clock:
    days: int
    working_days: int
    label: str
    tag_class: str


def waiting_clock(referred_on: date, today: date) -> Clock:
    days = (today - referred_on).days
    working = working_days_between(referred_on, today)
    if days >= RED_FROM_DAY:
        return Clock(days, working, "Red", "nhsuk-tag--red")
    if days >= AMBER_FROM_DAY:
        return Clock(days, working, "Amber", "nhsuk-tag--orange")
    return Clock(days, working, "On track", "nhsuk-tag--green")
