"""Routing by age on the referral date and eligibility (domain.md 2.1, SPEC 11)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.choices import Role
from core.errors import DomainError
from core.models import ReferralSource
from referrals.choices import ReferralStatus, Service
from referrals.factories import PersonFactory
from referrals.models import Referral, TeamInvolvement
from referrals.services.intake import INELIGIBLE_REASON, referral_create

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
REFERRAL_DAY = date(2025, 6, 10)


@pytest.fixture
def referrer(staff, arm_team, esap_team):
    return staff(Role.REFERRER)


def refer(actor, person, *, on=REFERRAL_DAY, **overrides):
    fields = {
        "received_at": datetime(on.year, on.month, on.day, 10, 0, tzinfo=LONDON),
        "source": ReferralSource.objects.get(code="4"),
        "reason": "Drinking every day",
        "lives_in_city": True,
        "registered_with_city_gp": True,
        # Routing is about the day received, however far back: the date is confirmed.
        "received_date_confirmed": True,
    }
    return referral_create(actor=actor, person=person, **{**fields, **overrides})


def born_years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years)


def test_referral_on_25th_birthday_routes_to_arm(referrer, arm_team):
    referral = refer(referrer, PersonFactory(date_of_birth=born_years_before(REFERRAL_DAY, 25)))
    assert (referral.service, referral.team) == (Service.ARM, arm_team)


def test_referral_the_day_before_25th_birthday_routes_to_esap(referrer, esap_team):
    dob = born_years_before(REFERRAL_DAY, 25) + timedelta(days=1)
    referral = refer(referrer, PersonFactory(date_of_birth=dob))
    assert (referral.service, referral.team) == (Service.ESAP, esap_team)


def test_referral_on_24th_birthday_routes_to_esap(referrer, esap_team):
    referral = refer(referrer, PersonFactory(date_of_birth=born_years_before(REFERRAL_DAY, 24)))
    assert referral.service == Service.ESAP


def test_referral_the_day_before_24th_birthday_routes_to_esap(referrer):
    dob = born_years_before(REFERRAL_DAY, 24) + timedelta(days=1)
    assert refer(referrer, PersonFactory(date_of_birth=dob)).service == Service.ESAP


def test_referral_on_11th_birthday_routes_to_esap(referrer):
    referral = refer(referrer, PersonFactory(date_of_birth=born_years_before(REFERRAL_DAY, 11)))
    assert referral.service == Service.ESAP


def test_referral_of_a_child_under_11_is_refused_with_a_clear_message(referrer):
    dob = born_years_before(REFERRAL_DAY, 11) + timedelta(days=1)
    with pytest.raises(DomainError) as error:
        refer(referrer, PersonFactory(date_of_birth=dob))
    assert error.value.field == "date_of_birth"
    assert "from age 11" in error.value.message
    assert not Referral.objects.exists()


def test_adult_age_boundary_is_a_setting(referrer, settings):
    settings.ADULT_SERVICE_MIN_AGE = 24
    referral = refer(referrer, PersonFactory(date_of_birth=born_years_before(REFERRAL_DAY, 24)))
    assert referral.service == Service.ARM


def test_routing_records_the_team_involvement_so_the_team_sees_the_person(referrer, arm_team):
    referral = refer(referrer, PersonFactory(date_of_birth=date(1980, 1, 1)))
    assert TeamInvolvement.objects.filter(person=referral.person, team=arm_team).exists()


def test_routing_uses_the_age_on_the_referral_date_not_today(referrer):
    # 24 on the referral date, 25 or more today: still ESAP.
    on = date(2024, 3, 1)
    referral = refer(referrer, PersonFactory(date_of_birth=date(1999, 6, 1)), on=on)
    assert referral.service == Service.ESAP


def test_received_date_is_the_date_in_london(referrer):
    # 23:30 UTC on 9 June is 00:30 on 10 June in London (BST).
    received_at = datetime(2025, 6, 9, 23, 30, tzinfo=ZoneInfo("UTC"))
    referral = refer(referrer, PersonFactory(date_of_birth=date(1980, 1, 1)), received_at=received_at)
    assert referral.received_on == date(2025, 6, 10)


def test_referral_in_the_future_is_refused(referrer):
    with pytest.raises(DomainError) as error:
        refer(
            referrer,
            PersonFactory(date_of_birth=date(1980, 1, 1)),
            received_at=timezone.now() + timedelta(hours=2),
        )
    assert error.value.field == "received_at"


def test_date_of_birth_after_the_referral_is_refused(referrer):
    with pytest.raises(DomainError) as error:
        refer(referrer, PersonFactory(date_of_birth=REFERRAL_DAY + timedelta(days=1)))
    assert error.value.field == "date_of_birth"
    assert not Referral.objects.exists()


def test_ineligible_referral_is_kept_and_signposted_with_a_reason(referrer):
    referral = refer(
        referrer,
        PersonFactory(date_of_birth=date(1980, 1, 1)),
        lives_in_city=False,
        registered_with_city_gp=False,
        signposted_to="County drug and alcohol service",
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SIGNPOSTED_INELIGIBLE
    assert referral.signposted_to == "County drug and alcohol service"
    assert referral.signpost_reason == INELIGIBLE_REASON


def test_ineligible_referral_without_a_signpost_is_refused(referrer):
    with pytest.raises(DomainError) as error:
        refer(
            referrer,
            PersonFactory(date_of_birth=date(1980, 1, 1)),
            lives_in_city=False,
            registered_with_city_gp=False,
        )
    assert error.value.field == "signposted_to"


@pytest.mark.parametrize(("lives", "gp"), [(True, False), (False, True)])
def test_city_residence_or_a_city_gp_is_enough_to_be_eligible(referrer, lives, gp):
    referral = refer(
        referrer, PersonFactory(date_of_birth=date(1980, 1, 1)), lives_in_city=lives, registered_with_city_gp=gp
    )
    assert referral.status == ReferralStatus.AWAITING_CONTACT


def test_a_keyworker_cannot_record_a_referral(staff, arm_team):
    with pytest.raises(DomainError):
        refer(staff(Role.KEYWORKER), PersonFactory(date_of_birth=date(1980, 1, 1)))
