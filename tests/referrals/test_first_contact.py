"""First contact within 3 working days of the referral (SPEC 12); every attempt is kept."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.choices import Role
from core.errors import DomainError
from referrals.choices import ContactMethod, ReferralStatus
from referrals.factories import ReferralFactory
from referrals.models import ContactAttempt
from referrals.services.intake import contact_attempt_record, first_contact_due, first_contact_on

pytestmark = pytest.mark.django_db


def test_first_contact_due_across_easter_2025():
    # Thursday 17 April; Good Friday 18 and Easter Monday 21 April are bank holidays, so the three
    # working days after it are Tuesday 22, Wednesday 23 and Thursday 24 April (domain.md: received + 3).
    assert first_contact_due(date(2025, 4, 17)) == date(2025, 4, 24)


def test_first_contact_due_skips_both_easter_bank_holidays():
    # Without the holidays the due date would be Tuesday 22 April.
    assert first_contact_due(date(2025, 4, 17)) > date(2025, 4, 22)
    assert first_contact_due(date(2025, 4, 16)) == date(2025, 4, 23)


def test_first_contact_due_across_a_weekend():
    # Thursday 5 June 2025: Friday, Monday, Tuesday.
    assert first_contact_due(date(2025, 6, 5)) == date(2025, 6, 10)


def test_first_contact_due_from_a_saturday_referral():
    assert first_contact_due(date(2025, 6, 7)) == date(2025, 6, 11)


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


@pytest.fixture
def referral(arm_team):
    return ReferralFactory(team=arm_team, received_on=date(2025, 4, 17))


def test_phone_contact_counts_and_moves_the_referral_to_triage(assessor, referral):
    contact_attempt_record(actor=assessor, referral=referral, made_on=date(2025, 4, 22), method=ContactMethod.PHONE)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_TRIAGE
    assert first_contact_on(referral) == date(2025, 4, 22)


@pytest.mark.parametrize("method", [ContactMethod.LETTER, ContactMethod.FAILED_ATTEMPT])
def test_letter_or_failed_attempt_is_kept_but_is_not_first_contact(assessor, referral, method):
    contact_attempt_record(actor=assessor, referral=referral, made_on=date(2025, 4, 22), method=method)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_CONTACT
    assert first_contact_on(referral) is None
    assert ContactAttempt.objects.filter(referral=referral).count() == 1


def test_every_attempt_is_kept(assessor, referral):
    for day, method in [(22, ContactMethod.FAILED_ATTEMPT), (23, ContactMethod.LETTER), (24, ContactMethod.IN_PERSON)]:
        contact_attempt_record(actor=assessor, referral=referral, made_on=date(2025, 4, day), method=method)
    assert referral.contact_attempts.count() == 3


def test_first_contact_before_the_referral_is_refused(assessor, referral):
    with pytest.raises(DomainError) as error:
        contact_attempt_record(actor=assessor, referral=referral, made_on=date(2025, 4, 16), method=ContactMethod.PHONE)
    assert error.value.field == "made_on"
    assert not ContactAttempt.objects.exists()


def test_contact_in_the_future_is_refused(assessor, referral):
    with pytest.raises(DomainError):
        contact_attempt_record(
            actor=assessor,
            referral=referral,
            made_on=timezone.localdate() + timedelta(days=1),
            method=ContactMethod.PHONE,
        )


def test_contact_on_a_closed_referral_is_refused(assessor, arm_team):
    closed = ReferralFactory(team=arm_team, status=ReferralStatus.BRIEF_INTERVENTION)
    with pytest.raises(DomainError):
        contact_attempt_record(actor=assessor, referral=closed, made_on=timezone.localdate(), method="phone")


def test_a_referrer_cannot_record_first_contact(staff, referral):
    with pytest.raises(DomainError):
        contact_attempt_record(
            actor=staff(Role.REFERRER), referral=referral, made_on=date(2025, 4, 22), method=ContactMethod.PHONE
        )
