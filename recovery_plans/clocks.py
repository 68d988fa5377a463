"""The waiting-time clock of a modality: referral to start, in days and working days.

On track for days 0-14, amber from day 15 and red from day 21 (SPEC Appendix 1: a first intervention
waits 21 days or less). The tag always carries words, so colour is never the only signal.
"""

from dataclasses import dataclass
from datetime import date

from core.calendar import working_days_between

AMBER_FROM_DAY = 15
RED_FROM_DAY = 21
# The team manager's page and the morning alert show every clock that has passed this many days.
MANAGER_ALERT_AFTER_DAYS = AMBER_FROM_DAY - 1


@dataclass(frozen=True)
class Clock:
    days: int
    working_days: int
    label: str
    tag_class: str
    status: str
    tag_text: str


def waiting_clock(referred_on: date, today: date) -> Clock:
    days = (today - referred_on).days
    working = working_days_between(referred_on, today)
    if days >= RED_FROM_DAY:
        return Clock(days, working, "Red", "nhsuk-tag--red", "red", f"Red: day {RED_FROM_DAY}+")
    if days >= AMBER_FROM_DAY:
        return Clock(days, working, "Amber", "nhsuk-tag--orange", "amber", f"Amber: day {AMBER_FROM_DAY}+")
    return Clock(days, working, "On track", "nhsuk-tag--green", "on_track", "On track")


def modality_clock(modality, today: date) -> Clock | None:
    """The running clock of a modality not yet started (None once it has started or ended)."""
    if modality.started_on is not None or modality.ended_on is not None:
        return None
    return waiting_clock(modality.referred_on, today)
