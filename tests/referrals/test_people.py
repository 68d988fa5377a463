"""People: NHS number check digit, dates of birth, client IDs, stale edits (issue 3, SPEC 11)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.choices import AuditAction, Role
from core.errors import DomainError, StaleEditError
from core.models import AuditEvent, Sex
from referrals import nhs_number
from referrals.factories import PersonFactory, ReferralFactory
from referrals.services.people import person_create, person_update

pytestmark = pytest.mark.django_db


def person_data(**overrides):
    data = {
        "given_name": "Alex",
        "family_name": "Morgan",
        "date_of_birth": date(1990, 5, 1),
        "sex": Sex.objects.get(code="F"),
        "nhs_number": "",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9990000018"])
def test_nhs_number_with_right_check_digit_is_valid(number):
    assert nhs_number.is_valid(number)


@pytest.mark.parametrize("number", ["9434765918", "4010232138", "123456789", "12345678901", "94347659AB"])
def test_nhs_number_with_wrong_check_digit_or_length_is_invalid(number):
    assert not nhs_number.is_valid(number)


def test_nhs_number_whose_check_digit_would_be_10_is_never_valid():
    # 6 x 2 = 12 leaves remainder 1 (mod 11): the check digit would be 10, which no digit can carry.
    assert not any(nhs_number.is_valid(f"000000006{d}") for d in range(10))


def test_new_person_gets_a_client_id_from_their_record_number(staff):
    person = person_create(actor=staff(Role.REFERRER), data=person_data())
    assert person.client_id == f"C{person.pk:08d}"
    person.refresh_from_db()
    assert person.client_id == f"C{person.pk:08d}"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(person.pk)).exists()


def test_nhs_number_is_stored_without_spaces(staff):
    person = person_create(actor=staff(Role.REFERRER), data=person_data(nhs_number="943 476 5919"))
    assert person.nhs_number == "9434765919"


def test_nhs_number_with_wrong_check_digit_is_refused_and_nothing_saved(staff):
    with pytest.raises(DomainError) as error:
        person_create(actor=staff(Role.REFERRER), data=person_data(nhs_number="9434765918"))
    assert error.value.field == "nhs_number"
    assert "check digit" in error.value.message


def test_date_of_birth_in_the_future_is_refused(staff):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(DomainError) as error:
        person_create(actor=staff(Role.REFERRER), data=person_data(date_of_birth=tomorrow))
    assert error.value.field == "date_of_birth"


def test_nhs_number_already_held_by_another_person_is_refused(staff):
    holder = PersonFactory(nhs_number="9434765919")
    with pytest.raises(DomainError) as error:
        person_create(actor=staff(Role.REFERRER), data=person_data(nhs_number="9434765919"))
    assert holder.client_id in error.value.message


def test_edit_saves_and_moves_the_version_on(staff):
    person = PersonFactory(phone="")
    person_update(actor=staff(Role.DATA_ADMIN), person=person, data={"phone": "07700 900123"}, expected_version=1)
    person.refresh_from_db()
    assert (person.phone, person.version) == ("07700 900123", 2)


def test_stale_edit_is_refused(staff):
    person = PersonFactory()
    person_update(actor=staff(Role.DATA_ADMIN), person=person, data={"phone": "1"}, expected_version=1)
    with pytest.raises(StaleEditError):
        person_update(actor=staff(Role.DATA_ADMIN), person=person, data={"phone": "2"}, expected_version=1)
    person.refresh_from_db()
    assert person.phone == "1"


def test_edit_moving_date_of_birth_after_the_first_referral_is_refused(staff):
    referral = ReferralFactory(received_on=date(2025, 1, 10))
    with pytest.raises(DomainError) as error:
        person_update(
            actor=staff(Role.DATA_ADMIN),
            person=referral.person,
            data={"date_of_birth": date(2025, 2, 1)},
            expected_version=1,
        )
    assert error.value.field == "date_of_birth"
