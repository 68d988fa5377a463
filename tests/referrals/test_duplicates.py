"""The duplicate check on every new person: NHS number; initials, date of birth and sex; close names."""

from datetime import date

import pytest

from core.models import Sex
from referrals.factories import PersonFactory
from referrals.services.people import person_find_duplicates

pytestmark = pytest.mark.django_db


@pytest.fixture
def known():
    return PersonFactory(
        given_name="Jonathan",
        family_name="Smithson",
        date_of_birth=date(1985, 3, 14),
        sex=Sex.objects.get(code="M"),
        nhs_number="9434765919",
    )


def check(**fields):
    query = {
        "given_name": "Jonathan",
        "family_name": "Smithson",
        "date_of_birth": date(1985, 3, 14),
        "sex": Sex.objects.get(code="M"),
        **fields,
    }
    return person_find_duplicates(**query)


def test_same_nhs_number_is_a_likely_duplicate_whatever_the_name(known):
    matches = check(
        given_name="Zed", family_name="Adams", date_of_birth=date(1970, 1, 1), nhs_number_value="943 476 5919"
    )
    assert [m.person for m in matches] == [known]
    assert "Same NHS number" in matches[0].reasons


def test_same_initials_date_of_birth_and_sex_is_a_likely_duplicate(known):
    matches = check(given_name="Jay", family_name="Stone")
    assert [m.person for m in matches] == [known]
    assert matches[0].reasons == ["Same initials, date of birth and sex"]


def test_close_name_with_the_same_date_of_birth_is_a_likely_duplicate(known):
    matches = check(given_name="Jonathon", family_name="Smithsen", sex=Sex.objects.get(code="Z"))
    assert [m.person for m in matches] == [known]
    assert "Similar name" in matches[0].reasons


def test_nearly_identical_name_with_another_date_of_birth_is_shown(known):
    matches = check(date_of_birth=date(1985, 4, 13), sex=Sex.objects.get(code="Z"))
    assert [m.person for m in matches] == [known]


def test_different_person_is_not_a_duplicate(known):
    assert check(given_name="Priya", family_name="Patel", date_of_birth=date(1999, 9, 9)) == []


def test_same_initials_and_birth_date_but_other_sex_is_not_a_duplicate(known):
    assert check(given_name="Jane", family_name="Stone", sex=Sex.objects.get(code="F")) == []


def test_merged_records_are_never_offered(known):
    PersonFactory(given_name="Jonathan", family_name="Smithson", date_of_birth=date(1985, 3, 14), merged_into=known)
    assert [m.person for m in check()] == [known]
