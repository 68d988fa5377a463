"""The prescribing due date stored on the modality (`start_due_on`): written by `waits.refresh_start_due` alone,
equal to the rule (10 working days from the referral, 5 from the DRR order that clocks it; domain.md 6b) across
weekends and bank holidays, and kept right by the services that change what it depends on."""

from datetime import date

import pytest

from core.calendar import add_working_days
from core.choices import Role
from core.models import ModalitySetting
from prescribing import waits
from recovery_plans.models import Intervention, Modality
from recovery_plans.services import modalities
from referrals.choices import OrderKind
from referrals.factories import EpisodeFactory, PersonFactory
from referrals.services import criminal_justice
from referrals.services.merge import person_merge, person_merge_undo
from reporting.kpis.populations import drr5, rx10
from reporting.periods import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


@pytest.fixture
def episode(arm_team):
    return EpisodeFactory(
        team=arm_team, referral__team=arm_team, referral__received_on=date(2025, 12, 1), opened_on=date(2025, 12, 1)
    )


def refer(episode, by, referred_on, code="PRESC"):
    return modalities.refer_modality(
        episode=episode,
        intervention=Intervention.objects.get(code=code),
        setting=ModalitySetting.objects.get(code="6"),
        referred_on=referred_on,
        by=by,
    )


def order(person, order_date, by, episode=None):
    return criminal_justice.add_community_order(
        person=person, episode=episode, kind=OrderKind.DRR, order_date=order_date, requirement_months=6, by=by
    )


def stored(*rows):
    return [Modality.objects.get(pk=row.pk).start_due_on for row in rows]


@pytest.mark.parametrize(
    ("referred_on", "due_on"),
    [
        (date(2026, 3, 26), date(2026, 4, 13)),  # Thursday before Easter: Good Friday and Easter Monday skipped
        (date(2026, 3, 28), date(2026, 4, 14)),  # a Saturday counts from the Monday after
        (date(2025, 12, 18), date(2026, 1, 6)),  # Christmas, Boxing Day and New Year's Day skipped
    ],
)
def test_the_stored_date_is_10_working_days_from_the_referral(episode, assessor, referred_on, due_on):
    modality = refer(episode, assessor, referred_on)
    assert stored(modality) == [due_on] == [add_working_days(referred_on, waits.STANDARD_WAIT_WORKING_DAYS)]


def test_only_pharmacological_modalities_have_a_due_date(episode, assessor):
    assert stored(refer(episode, assessor, date(2026, 3, 2), code="CBT")) == [None]


def test_a_drr_order_made_after_the_referral_clocks_the_next_modality_at_5_working_days(episode, assessor):
    earlier = refer(episode, assessor, date(2025, 12, 15))
    order(episode.person, date(2025, 12, 23), assessor, episode)
    assert stored(earlier) == [date(2025, 12, 31)]  # referred before the order: still 10 working days
    later = refer(episode, assessor, date(2025, 12, 29))
    # From 23 December 2025: Christmas, Boxing Day and New Year's Day are not working days.
    assert (
        stored(earlier, later)
        == [date(2025, 12, 31), date(2026, 1, 2)]
        == [
            add_working_days(date(2025, 12, 15), 10),
            add_working_days(date(2025, 12, 23), waits.DRR_WAIT_WORKING_DAYS),
        ]
    )


def test_making_the_order_moves_a_waiting_modality_onto_the_drr_clock(episode, assessor):
    modality = refer(episode, assessor, date(2026, 3, 26))
    order(episode.person, date(2026, 3, 24), assessor)  # for the person, after the episode's referral
    assert stored(modality) == [add_working_days(date(2026, 3, 24), 5)] == [date(2026, 3, 31)]


def test_a_modality_referred_earlier_takes_the_drr_clock_from_a_later_one(episode, assessor):
    order(episode.person, date(2026, 3, 2), assessor, episode)
    later = refer(episode, assessor, date(2026, 3, 10))
    assert stored(later) == [date(2026, 3, 9)]
    backdated = refer(episode, assessor, date(2026, 3, 4))
    assert stored(backdated, later) == [date(2026, 3, 9), add_working_days(date(2026, 3, 10), 10)]


def test_ties_follow_the_start_and_move_when_the_other_starts(episode, assessor):
    order(episode.person, date(2026, 3, 2), assessor, episode)
    first = refer(episode, assessor, date(2026, 3, 3))
    second = refer(episode, assessor, date(2026, 3, 3))
    drr_due, rx_due = date(2026, 3, 9), date(2026, 3, 17)
    assert stored(first, second) == [drr_due, rx_due]  # neither started: the lower id
    modalities.start_modality(modality=second, started_on=date(2026, 3, 5), by=assessor, expected_version=1)
    assert stored(first, second) == [rx_due, drr_due]  # the earlier start


def test_a_merge_brings_the_duplicates_drr_order_and_its_undo_takes_it_back(episode, assessor, data_admin):
    modality = refer(episode, assessor, date(2026, 3, 26))
    duplicate = PersonFactory()
    order(duplicate, date(2026, 3, 24), assessor)
    merge = person_merge(actor=data_admin, keep=episode.person, duplicate=duplicate)
    assert stored(modality) == [date(2026, 3, 31)]
    person_merge_undo(actor=data_admin, merge=merge)
    assert stored(modality) == [date(2026, 4, 13)]


def test_the_stored_date_is_the_due_date_the_kpis_count(episode, assessor):
    order(episode.person, date(2026, 3, 2), assessor, episode)
    rows = [refer(episode, assessor, day) for day in (date(2026, 3, 3), date(2026, 3, 26), date(2026, 3, 28))]
    for row in rows:
        modalities.start_modality(modality=row, started_on=date(2026, 4, 15), by=assessor, expected_version=1)
    period = Period(date(2026, 4, 1), date(2026, 6, 30), "2026-27 Q1")
    counted = {row.pk: row.kpi_due_on for row in [*rx10(period), *drr5(period)]}
    assert counted == {row.pk: due for row, due in zip(rows, stored(*rows), strict=True)}
    assert len(set(counted.values())) == 3


def test_refresh_changes_nothing_once_the_dates_are_stored(episode, assessor):
    rows = [refer(episode, assessor, date(2026, 3, 3)), refer(episode, assessor, date(2026, 3, 26))]
    order(episode.person, date(2026, 3, 2), assessor, episode)
    before = stored(*rows)
    Modality.objects.update(start_due_on=None)
    waits.refresh_start_due(Modality.objects.all())
    assert stored(*rows) == before
