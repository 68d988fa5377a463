"""The duplicate check on every new person: NHS number; the same name and date of birth; initials, date
of birth and sex; a surname spelt differently with the date of birth the same, one digit off or with day
and month swapped. Every match is found however many people share the surname or the birthday."""

from datetime import date

import pytest
from django.db import connection

from core.choices import Role
from core.models import Sex
from referrals.factories import PersonFactory, ReferralFactory
from referrals.models import Person
from referrals.services.people import (
    NEW_PERSON,
    PossibleDuplicates,
    match_token,
    near_birth_dates,
    person_find_duplicates,
    person_for_new_referral,
)
from referrals.trigram import SIMILARITY_SQL

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


def reasons_for(person, **fields):
    return {m.person: m.reasons for m in check(**fields)}.get(person)


def test_same_nhs_number_is_a_likely_duplicate_whatever_the_name(known):
    matches = check(
        given_name="Zed", family_name="Adams", date_of_birth=date(1970, 1, 1), nhs_number_value="943 476 5919"
    )
    assert [m.person for m in matches] == [known]
    assert matches[0].reasons == ["Same NHS number"]


def test_same_initials_date_of_birth_and_sex_is_a_likely_duplicate(known):
    matches = check(given_name="Jay", family_name="Stone")
    assert [m.person for m in matches] == [known]
    assert matches[0].reasons == ["Same initials, date of birth and sex"]


def test_same_initials_and_birth_date_but_other_sex_is_not_a_duplicate(known):
    assert check(given_name="Jane", family_name="Stone", sex=Sex.objects.get(code="F")) == []


def test_same_name_and_date_of_birth_is_found_whatever_the_case_sex_or_punctuation(known):
    assert reasons_for(known, given_name="JONATHAN", family_name=" smith-son ", sex=Sex.objects.get(code="Z")) == [
        "Same name and date of birth"
    ]


def test_exact_match_is_found_among_hundreds_sharing_the_surname_and_the_birthday():
    male = Sex.objects.get(code="M")
    crowd = [
        Person(
            client_id=f"X{i:07d}",
            given_name=f"Given{i}",
            family_name="Smith",
            date_of_birth=date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
            sex=male,
        )
        for i in range(700)
    ] + [
        Person(
            client_id=f"Y{i:07d}", given_name="Alex", family_name=f"Name{i}", date_of_birth=date(1990, 6, 1), sex=male
        )
        for i in range(700)
    ]
    Person.objects.bulk_create(crowd)
    target = PersonFactory(given_name="Zachary", family_name="Smith", date_of_birth=date(1990, 6, 1), sex=male)
    matches = check(given_name="Zachary", family_name="Smith", date_of_birth=date(1990, 6, 1))
    assert matches[0].person == target
    assert matches[0].reasons == ["Same name and date of birth"]


@pytest.mark.parametrize(
    ("family_name", "typed", "reason"),
    [
        ("Smith", date(1985, 3, 14), "Similar name, same date of birth"),
        ("Smith", date(1985, 3, 15), "Similar name, date of birth one digit different"),
        ("Smith", date(1986, 3, 14), "Similar name, date of birth one digit different"),
        ("Smith", date(1985, 8, 14), "Similar name, date of birth one digit different"),
        ("OBrien", date(1985, 3, 14), "Same name and date of birth"),
        ("OBrien", date(1985, 3, 4), "Similar name, date of birth one digit different"),
    ],
)
def test_a_surname_spelt_differently_with_a_date_of_birth_one_digit_off_is_found(family_name, typed, reason):
    recorded = {"Smith": "Smyth", "OBrien": "O'Brien"}[family_name]
    person = PersonFactory(given_name="Kate", family_name=recorded, date_of_birth=date(1985, 3, 14))
    assert reasons_for(person, given_name="Kate", family_name=family_name, date_of_birth=typed) == [reason]


@pytest.mark.parametrize(("recorded", "typed"), [("Smyth", "Smith"), ("O'Brien", "OBrien"), ("Obrien", "O'Brian")])
def test_a_surname_spelt_differently_with_day_and_month_swapped_is_found(recorded, typed):
    person = PersonFactory(given_name="Kate", family_name=recorded, date_of_birth=date(1985, 3, 11))
    assert reasons_for(person, given_name="Kate", family_name=typed, date_of_birth=date(1985, 11, 3)) == [
        "Similar name, day and month of birth swapped"
    ]


@pytest.mark.parametrize(("recorded", "typed"), [("Reid", "Reed"), ("Dean", "Daan"), ("Clark", "Clarke")])
def test_a_short_surname_spelt_differently_is_carried_by_the_whole_name(recorded, typed):
    person = PersonFactory(given_name="Cameron", family_name=recorded, date_of_birth=date(1994, 12, 5))
    assert reasons_for(person, given_name="Cameron", family_name=typed, date_of_birth=date(1995, 12, 5)) == [
        "Similar name, date of birth one digit different"
    ]


def test_a_date_of_birth_two_digits_off_is_not_a_near_match():
    person = PersonFactory(given_name="Kate", family_name="Smyth", date_of_birth=date(1985, 3, 14))
    assert reasons_for(person, given_name="Kate", family_name="Smith", date_of_birth=date(1985, 3, 25)) is None
    assert reasons_for(person, given_name="Kate", family_name="Smith", date_of_birth=date(1986, 4, 14)) is None


def test_a_different_surname_or_given_name_is_not_a_near_match():
    person = PersonFactory(given_name="Kate", family_name="Smyth", date_of_birth=date(1985, 3, 14))
    assert reasons_for(person, given_name="Kate", family_name="Patel", date_of_birth=date(1985, 3, 15)) is None
    assert reasons_for(person, given_name="Priya", family_name="Smith", date_of_birth=date(1985, 3, 15)) is None


def test_a_close_given_name_counts_and_so_does_the_same_initial():
    person = PersonFactory(given_name="Jon", family_name="Smyth", date_of_birth=date(1985, 3, 14))
    assert reasons_for(person, given_name="John", family_name="Smith", date_of_birth=date(1985, 3, 15))
    assert reasons_for(person, given_name="Jack", family_name="Smith", date_of_birth=date(1985, 3, 15))


def test_near_birth_dates_are_one_digit_off_or_swapped_and_real():
    dates = near_birth_dates(date(1985, 3, 14))
    assert {date(1985, 3, 15), date(1975, 3, 14), date(1985, 3, 4), date(1985, 3, 24)} <= set(dates)
    assert date(1985, 3, 25) not in dates
    assert date(1985, 3, 14) not in dates
    assert len(dates) <= 73
    assert near_birth_dates(date(1985, 3, 11))[date(1985, 11, 3)] == "similar_name_birth_swapped"


def test_matches_are_ranked_most_alike_first():
    near = PersonFactory(given_name="Kate", family_name="Smyth", date_of_birth=date(1985, 3, 15))
    exact = PersonFactory(given_name="Kate", family_name="Smith", date_of_birth=date(1985, 3, 14))
    matches = check(given_name="Kate", family_name="Smith")
    assert [m.person for m in matches] == [exact, near]
    assert matches[0].likeness > matches[1].likeness


def test_a_match_names_its_team_and_a_masked_birth_date_not_the_record(known, arm_team):
    ReferralFactory(person=known, team=arm_team)
    [match] = check()
    assert (match.team, match.masked_date_of_birth) == (arm_team.name, "** March 1985")
    assert match.token == match_token(known.pk)
    assert str(known.pk) not in match.token


def test_merged_records_are_never_offered(known):
    PersonFactory(given_name="Jonathan", family_name="Smithson", date_of_birth=date(1985, 3, 14), merged_into=known)
    assert [m.person for m in check()] == [known]


def new_person_data(**overrides):
    return {
        "given_name": "Kate",
        "family_name": "Smith",
        "date_of_birth": date(1985, 3, 14),
        "sex": Sex.objects.get(code="F"),
        **overrides,
    }


@pytest.fixture
def referrer_user(staff):
    return staff(Role.REFERRER)


def test_a_new_person_is_created_only_after_every_match_was_shown(referrer_user):
    first = PersonFactory(given_name="Kate", family_name="Smyth", date_of_birth=date(1985, 3, 14))
    second = PersonFactory(given_name="Kate", family_name="Smith", date_of_birth=date(1985, 3, 4))
    with pytest.raises(PossibleDuplicates) as asked:
        person_for_new_referral(actor=referrer_user, data=new_person_data())
    assert {m.person for m in asked.value.matches} == {first, second}
    with pytest.raises(PossibleDuplicates):
        person_for_new_referral(
            actor=referrer_user, data=new_person_data(), choice=NEW_PERSON, seen=[match_token(first.pk)]
        )
    assert Person.objects.count() == 2
    created = person_for_new_referral(
        actor=referrer_user,
        data=new_person_data(),
        choice=NEW_PERSON,
        seen=[match_token(first.pk), match_token(second.pk)],
    )
    assert Person.objects.count() == 3
    assert created not in (first, second)


def test_choosing_a_match_returns_that_person_and_creates_nobody(referrer_user):
    known = PersonFactory(given_name="Kate", family_name="Smyth", date_of_birth=date(1985, 3, 14))
    chosen = person_for_new_referral(actor=referrer_user, data=new_person_data(), choice=match_token(known.pk))
    assert chosen == known
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("a", "b"), [("smyth", "smith"), ("obrien", "o'brien"), ("smithson", "smith"), ("", "x"), ("Anne Marie", "anne")]
)
def test_the_sql_similarity_without_pg_trgm_equals_pg_trgm(a, b):
    with connection.cursor() as cursor:
        cursor.execute(SIMILARITY_SQL.format(name="pg_temp.sql_similarity"))
        cursor.execute("SELECT pg_temp.sql_similarity(%s, %s), similarity(%s, %s)", [a, b, a, b])
        ours, theirs = cursor.fetchone()
    assert ours == pytest.approx(theirs)
