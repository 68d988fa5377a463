"""Hepatitis B doses due and hepatitis C not offered are pages: bounded, fixed-query, every row reachable once."""

from datetime import timedelta

import pytest
from django.urls import reverse

from harm_reduction import services
from harm_reduction.choices import HepBOffer, VaccinationSchedule
from referrals.factories import PersonFactory
from referrals.models import TeamInvolvement
from tests.paging import assert_bounded, small_pages  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_pages")]


def test_the_doses_due_this_week_are_paged(client, worker, today, django_assert_max_num_queries):
    monday = today - timedelta(days=today.weekday())

    def add(count):
        for _ in range(count):
            course = services.record_hep_b_offer(
                actor=worker,
                person=PersonFactory(),
                offer=HepBOffer.ACCEPTED,
                offered_on=monday - timedelta(days=7),
                schedule=VaccinationSchedule.ACCELERATED,
            )
            services.record_hep_b_dose(actor=worker, course=course, dose_number=1, given_on=monday - timedelta(days=7))

    client.force_login(worker)
    seen = assert_bounded(
        client, reverse("harm_reduction:doses-due"), add, lambda c: c["page"].rows, django_assert_max_num_queries
    )
    assert {course.doses_given for course in seen} == {1}


def test_the_people_due_a_hepatitis_c_offer_are_paged_and_counted_on_the_doses_page(
    client, worker, hr_team, male_attender_for, today, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            person = PersonFactory()
            TeamInvolvement.objects.create(person=person, team=hr_team, since=today, reason="BBV")
            male_attender_for(person)

    client.force_login(worker)
    seen = assert_bounded(
        client, reverse("harm_reduction:hep-c-due"), add, lambda c: c["page"].rows, django_assert_max_num_queries
    )
    assert len({person.pk for person in seen}) == len(seen)
    body = client.get(reverse("harm_reduction:doses-due")).content.decode()
    assert f"{len(seen)} people have injected and not been offered a hepatitis C test" in body


def test_the_hepatitis_c_list_is_for_harm_reduction_workers(client, keyworker):
    client.force_login(keyworker)
    assert client.get(reverse("harm_reduction:hep-c-due")).status_code == 403
