"""The date and time a referral was received (issue 14): typed in day, month, year and time boxes, so what is
typed is what is stored; a date more than 30 days back is saved only once confirmed, by page and API alike."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from core.errors import DomainError
from core.models import ReferralSource
from referrals.factories import PersonFactory
from referrals.models import Referral
from referrals.services.intake import OLD_REFERRAL_DAYS, referral_create
from tests.referrals.test_intake_api import api, new_person, referral_body
from tests.referrals.test_intake_pages import date_parts, new_referral_post

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _post(client, user, day: date, time="14:30", **extra):
    client.force_login(user)
    data = new_referral_post(**date_parts("referral-received_at", day), **{"referral-received_at_time": time})
    data.pop("referral-received_date_confirmed")
    return client.post(reverse("referrals:referral-new"), {**data, **extra})


def test_the_date_is_stored_as_typed_in_the_boxes(client, staff, arm_team, esap_team):
    day = timezone.localdate() - timedelta(days=5)
    response = _post(client, staff(Role.REFERRER), day, time="09:05")
    assert response.status_code == 302
    received = timezone.localtime(Referral.objects.get().received_at)
    assert (received.date(), received.hour, received.minute) == (day, 9, 5)


def test_a_date_more_than_30_days_back_asks_for_confirmation_on_the_page(client, staff, arm_team, esap_team):
    referrer = staff(Role.REFERRER)
    day = timezone.localdate() - timedelta(days=OLD_REFERRAL_DAYS + 1)
    page = _post(client, referrer, day).content.decode()
    assert not Referral.objects.exists()
    assert page.count('class="nhsuk-error-summary"') == 1
    assert f"The date received, {day.day} {day:%B %Y}, is more than 30 days ago" in page
    assert 'href="#id_referral-received_date_confirmed"' in page
    assert 'name="referral-received_date_confirmed"' in page
    response = _post(client, referrer, day, **{"referral-received_date_confirmed": "on"})
    assert response.status_code == 302
    assert Referral.objects.get().received_on == day


def test_the_confirmation_box_is_not_shown_until_it_is_asked_for(client, staff):
    client.force_login(staff(Role.REFERRER))
    page = client.get(reverse("referrals:referral-new")).content.decode()
    assert 'name="referral-received_at_day"' in page
    assert 'name="referral-received_at_time"' in page
    assert "received_date_confirmed" not in page
    assert "datetime-local" not in page


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("", "Date and time received must include a time, like 14:30"),
        ("25:00", "Date and time received must include a real time on the 24-hour clock, like 14:30"),
    ],
)
def test_a_missing_or_impossible_time_is_named(client, staff, time, message):
    page = _post(client, staff(Role.REFERRER), timezone.localdate(), time=time).content.decode()
    assert message in page
    assert not Referral.objects.exists()


@pytest.mark.parametrize(("days_back", "refused"), [(OLD_REFERRAL_DAYS, False), (OLD_REFERRAL_DAYS + 1, True)])
def test_the_service_rule_at_the_boundary(staff, arm_team, days_back, refused):
    day = timezone.localdate() - timedelta(days=days_back)
    fields = {
        "actor": staff(Role.REFERRER),
        "person": PersonFactory(date_of_birth=date(1980, 1, 1)),
        "received_at": datetime(day.year, day.month, day.day, 10, 0, tzinfo=LONDON),
        "source": ReferralSource.objects.get(code="4"),
        "reason": "Drinking every day",
        "lives_in_city": True,
        "registered_with_city_gp": True,
    }
    if refused:
        with pytest.raises(DomainError) as error:
            referral_create(**fields)
        assert error.value.field == "received_date_confirmed"
        assert referral_create(**fields, received_date_confirmed=True).received_on == day
    else:
        assert referral_create(**fields).received_on == day


def test_the_api_asks_for_the_same_confirmation(staff, arm_team):
    client = api(staff(Role.REFERRER))
    old = timezone.localtime() - timedelta(days=OLD_REFERRAL_DAYS + 2)
    body = referral_body(new_person=new_person(), received_at=old.isoformat())
    del body["received_date_confirmed"]
    refused = client.post(reverse("referral-list"), body, format="json")
    assert refused.status_code == 400
    assert "more than 30 days ago" in refused.json()["received_date_confirmed"][0]
    accepted = client.post(reverse("referral-list"), {**body, "received_date_confirmed": True}, format="json")
    assert accepted.status_code == 201
