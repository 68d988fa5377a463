from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import add_working_days
from core.errors import DomainError
from referrals.choices import OrderKind, TaskKind
from referrals.models import CommunityOrder, Task
from referrals.services import criminal_justice as cj
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)


def _order(episode, keyworker, months=12, order_date=None):
    return cj.add_community_order(
        person=episode.person,
        episode=episode,
        kind=OrderKind.DRR,
        order_date=order_date or episode.opened_on,
        requirement_months=months,
        by=keyworker,
    )


@pytest.mark.parametrize("months", [1, 36])
def test_requirement_length_of_1_to_36_months_is_accepted(allocated_episode, keyworker, months):
    assert _order(allocated_episode, keyworker, months).requirement_months == months


@pytest.mark.parametrize("months", [0, 37])
def test_requirement_length_outside_1_to_36_months_is_refused(allocated_episode, keyworker, months):
    with pytest.raises(DomainError) as error:
        _order(allocated_episode, keyworker, months)
    assert error.value.field == "requirement_months"
    assert not CommunityOrder.objects.exists()


def test_arrest_referral_assessment_is_due_24_hours_after_the_test(allocated_episode, keyworker):
    tested = timezone.now() - timedelta(hours=2)
    referral = cj.add_arrest_referral(
        person=allocated_episode.person, tested_at=tested, trigger_offence="Theft", by=keyworker
    )
    assert referral.assessment_due_at == tested + timedelta(hours=24)
    assert cj.arrest_assessment_status(referral) == "due"


def test_arrest_referral_from_another_area_allows_48_hours(allocated_episode, keyworker):
    tested = timezone.now() - timedelta(hours=30)
    referral = cj.add_arrest_referral(
        person=allocated_episode.person, tested_at=tested, trigger_offence="Theft", from_other_area=True, by=keyworker
    )
    assert referral.assessment_due_at == tested + timedelta(hours=48)
    assert cj.arrest_assessment_status(referral) == "due"


def test_unassessed_arrest_referral_past_24_hours_is_overdue_until_assessed(allocated_episode, keyworker):
    tested = timezone.now() - timedelta(hours=25)
    referral = cj.add_arrest_referral(
        person=allocated_episode.person, tested_at=tested, trigger_offence="Theft", by=keyworker
    )
    assert cj.arrest_assessment_status(referral) == "overdue"
    referral = cj.record_arrest_assessment(referral=referral, assessed_at=timezone.now(), by=keyworker)
    assert cj.arrest_assessment_status(referral) == "assessed late"


def test_breach_report_is_due_5_working_days_after_the_missed_appointment_with_a_task(allocated_episode, keyworker):
    order = _order(allocated_episode, keyworker)
    missed = timezone.localdate()
    breach = cj.add_breach_report(order=order, missed_appointment_on=missed, by=keyworker)
    assert breach.due_on == add_working_days(missed, 5)
    task = Task.objects.get(kind=TaskKind.BREACH_REPORT)
    assert task.assigned_to == keyworker
    assert task.due_on == breach.due_on
    cj.mark_breach_reported(breach=breach, reported_on=missed, by=keyworker)
    task.refresh_from_db()
    assert task.done_on == missed


def test_breach_over_a_bank_holiday_weekend_skips_the_holiday():
    # Friday 22 August 2025; Monday 25 August is the summer bank holiday.
    assert add_working_days(date(2025, 8, 22), 5) == date(2025, 9, 1)


def test_arrest_test_in_the_future_is_refused(allocated_episode, keyworker):
    with pytest.raises(DomainError):
        cj.add_arrest_referral(
            person=allocated_episode.person,
            tested_at=timezone.now() + timedelta(hours=1),
            trigger_offence="Theft",
            by=keyworker,
        )


def _date(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def test_order_page_refuses_37_months_with_message(client, allocated_episode, keyworker):
    client.force_login(keyworker)
    response = client.post(
        reverse("referrals:order-new", args=[allocated_episode.pk]),
        {"kind": "ATR", "requirement_months": 37, **_date("order_date", allocated_episode.opened_on)},
    )
    assert response.status_code == 200
    assert "from 1 to 36 months" in response.content.decode()
    assert not CommunityOrder.objects.exists()


def test_breach_and_arrest_referral_from_the_pages_show_on_the_episode(client, allocated_episode, keyworker):
    client.force_login(keyworker)
    order = _order(allocated_episode, keyworker)
    response = client.post(
        reverse("referrals:breach-new", args=[allocated_episode.pk]),
        {"order": order.pk, **_date("missed_appointment_on", timezone.localdate())},
    )
    assert response.status_code == 302
    tested = timezone.localtime() - timedelta(hours=30)
    response = client.post(
        reverse("referrals:arrest-referral-new", args=[allocated_episode.pk]),
        {**_date("tested_at", tested), "tested_at_time": f"{tested:%H:%M}", "trigger_offence": "Burglary"},
    )
    assert response.status_code == 302
    body = client.get(reverse("referrals:episode-detail", args=[allocated_episode.pk])).content.decode()
    assert "Breach report due" in body
    assert "Overdue" in body


def test_unrelated_keyworker_gets_404_on_the_order_page(client, allocated_episode, other_keyworker):
    client.force_login(other_keyworker)
    assert client.get(reverse("referrals:order-new", args=[allocated_episode.pk])).status_code == 404


def test_breach_marked_reported_and_arrest_assessed_from_the_episode_page(client, allocated_episode, keyworker):
    client.force_login(keyworker)
    breach = cj.add_breach_report(
        order=_order(allocated_episode, keyworker), missed_appointment_on=timezone.localdate(), by=keyworker
    )
    arrest = cj.add_arrest_referral(
        person=allocated_episode.person,
        tested_at=timezone.now() - timedelta(hours=1),
        trigger_offence="Theft",
        by=keyworker,
    )
    assert client.post(reverse("referrals:breach-reported", args=[breach.pk])).status_code == 302
    assert client.post(reverse("referrals:arrest-assessed", args=[arrest.pk])).status_code == 302
    breach.refresh_from_db()
    arrest.refresh_from_db()
    assert breach.reported_on == timezone.localdate()
    assert cj.arrest_assessment_status(arrest) == "assessed"
    assert Task.objects.get(kind=TaskKind.BREACH_REPORT).done_on == timezone.localdate()


def test_unrelated_keyworker_gets_404_marking_a_breach_reported(client, allocated_episode, keyworker, other_keyworker):
    breach = cj.add_breach_report(
        order=_order(allocated_episode, keyworker), missed_appointment_on=timezone.localdate(), by=keyworker
    )
    client.force_login(other_keyworker)
    assert client.post(reverse("referrals:breach-reported", args=[breach.pk])).status_code == 404
