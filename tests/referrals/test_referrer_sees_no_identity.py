"""The duplicate check gives out no identity (issue 15, item 3): it needs the full name and date of birth,
and a referral attached to an existing record opens none of that record's details to the referrer."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import Role
from core.models import ReferralSource, Sex
from referrals.factories import PersonFactory
from referrals.models import Person, Referral

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def check_body(**overrides):
    return {
        "given_name": "Robin",
        "family_name": "Hartley",
        "date_of_birth": "1980-02-03",
        "sex": Sex.objects.get(code="F").pk,
        **overrides,
    }


def referral_body(**overrides):
    return {
        "received_at": "2025-06-10T10:00:00+01:00",
        "received_date_confirmed": True,
        "source": ReferralSource.objects.get(code="4").pk,
        "reason": "Wants help",
        "lives_in_city": True,
        "registered_with_city_gp": False,
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"given_name": "R"}, "given_name", "full given name, not an initial"),
        ({"given_name": "R."}, "given_name", "full given name, not an initial"),
        ({"family_name": "H"}, "family_name", "full family name, not an initial"),
        ({"date_of_birth": ""}, "date_of_birth", ""),
    ],
)
def test_the_duplicate_check_refuses_an_initial_or_no_date_of_birth(staff, overrides, field, message):
    PersonFactory(given_name="Robin", family_name="Hartley", sex=Sex.objects.get(code="F"))
    response = api(staff(Role.REFERRER)).post(reverse("person-duplicate-check"), check_body(**overrides), format="json")
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_the_duplicate_check_answers_the_full_name_and_date_of_birth(staff):
    PersonFactory(given_name="Robin", family_name="Hartley", date_of_birth="1980-02-03", sex=Sex.objects.get(code="F"))
    response = api(staff(Role.REFERRER)).post(reverse("person-duplicate-check"), check_body(), format="json")
    assert response.status_code == 200
    [match] = response.json()
    assert set(match) == {"match", "team", "date_of_birth", "reasons"}


def test_a_referral_attached_to_an_existing_match_opens_none_of_the_persons_details(staff, arm_team):
    known = PersonFactory(
        given_name="Robin",
        family_name="Hartley",
        date_of_birth="1980-02-03",
        sex=Sex.objects.get(code="F"),
        nhs_number="9434765919",
    )
    referrer = staff(Role.REFERRER)
    client = api(referrer)
    body = referral_body(new_person=check_body())
    [match] = client.post(reverse("referral-list"), body, format="json").json()["matches"]
    created = client.post(reverse("referral-list"), {**body, "existing_match": match["match"]}, format="json")
    assert created.status_code == 201
    assert Referral.objects.get().person == known
    assert "9434765919" not in created.content.decode()

    # Read: not in the list, 404 on the record (API and page).
    assert client.get(reverse("person-list")).json()["results"] == []
    assert client.get(reverse("person-detail", args=[known.pk])).status_code == 404
    page = APIClient()
    page.force_login(referrer)
    assert page.get(reverse("referrals:person-detail", args=[known.pk])).status_code == 404
    assert page.get(reverse("referrals:person-edit", args=[known.pk])).status_code == 404
    # Write: refused as out of scope, and the record unchanged.
    changed = client.patch(
        reverse("person-detail", args=[known.pk]), {"family_name": "Changed", "version": known.version}, format="json"
    )
    assert changed.status_code == 404
    assert Person.objects.get(pk=known.pk).family_name == "Hartley"


def test_a_referrer_still_reads_the_person_they_recorded(staff, arm_team):
    referrer = staff(Role.REFERRER)
    client = api(referrer)
    created = client.post(reverse("referral-list"), referral_body(new_person=check_body()), format="json")
    assert created.status_code == 201, created.json()
    person = Person.objects.get()
    assert client.get(reverse("person-detail", args=[person.pk])).status_code == 200
