"""CONSENT (domain.md 6) must be countable as filled or not for DQ: a person is asked about consent on a date,
or has not been asked yet."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.choices import Role
from core.errors import DomainError
from core.models import Sex
from referrals.factories import EpisodeFactory, PersonFactory
from referrals.services.people import person_create, person_update

pytestmark = pytest.mark.django_db


def _data(**overrides):
    data = {
        "given_name": "Alex",
        "family_name": "Morgan",
        "date_of_birth": date(1990, 5, 1),
        "sex": Sex.objects.get(code="F"),
        "nhs_number": "",
    }
    return {**data, **overrides}


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


def test_a_person_never_asked_has_no_consent_date(assessor):
    assert person_create(actor=assessor, data=_data()).consent_asked_on is None


def test_consenting_without_a_date_was_asked_today(assessor):
    person = person_create(actor=assessor, data=_data(consent_national_return=True))
    assert person.consent_asked_on == timezone.localdate()


def test_declining_on_a_date_keeps_the_date_and_the_no(assessor):
    person = person_create(actor=assessor, data=_data(consent_asked_on=date(2025, 4, 1)))
    assert (person.consent_national_return, person.consent_asked_on) == (False, date(2025, 4, 1))


@pytest.mark.parametrize(
    ("asked_on", "message"),
    [(lambda: timezone.localdate() + timedelta(days=1), "future"), (lambda: date(1990, 4, 30), "date of birth")],
)
def test_a_consent_date_in_the_future_or_before_birth_is_refused(assessor, asked_on, message):
    with pytest.raises(DomainError, match=message) as error:
        person_create(actor=assessor, data=_data(consent_asked_on=asked_on()))
    assert error.value.field == "consent_asked_on"


def test_an_update_that_keeps_consent_keeps_the_date_it_was_asked(data_admin):
    person = PersonFactory(consent_national_return=True, consent_asked_on=date(2025, 4, 1))
    person = person_update(
        actor=data_admin, person=person, data={"consent_national_return": True}, expected_version=person.version
    )
    assert person.consent_asked_on == date(2025, 4, 1)


def test_the_person_page_says_when_consent_was_not_asked(client, assessor, arm_team):
    episode = EpisodeFactory(referral__team=arm_team)
    client.force_login(assessor)
    text = client.get(reverse("referrals:person-detail", args=[episode.person_id])).content.decode()
    assert "National return: not asked yet" in text


def test_the_api_reads_and_writes_the_consent_date(assessor, arm_team):
    episode = EpisodeFactory(referral__team=arm_team)
    person = episode.person
    client = APIClient()
    client.force_authenticate(assessor)
    response = client.patch(
        f"/api/v1/people/{person.pk}/", {"consent_asked_on": "2025-04-01", "version": person.version}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["consent_asked_on"] == "2025-04-01"
