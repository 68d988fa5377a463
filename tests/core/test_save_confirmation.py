"""A success banner after every successful save (issue 14): each form page that saves answers with a redirect,
and the page it lands on shows the NHS.UK success banner, with the view's own words when it gave any."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from core.save_confirmation import SAVED
from referrals.choices import TaskKind
from referrals.factories import AllocationFactory, ReferralFactory
from referrals.models import Task

pytestmark = pytest.mark.django_db

BANNER = "nhsuk-notification-banner--success"


def person_edit_post(client, person):
    url = reverse("referrals:person-edit", args=[person.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    born = data.pop("date_of_birth")
    data.update(
        date_of_birth_day=born.day, date_of_birth_month=born.month, date_of_birth_year=born.year, sex=person.sex_id
    )
    return url, {**data, "phone": "0123", "version": person.version}


def test_a_form_page_whose_view_says_nothing_still_confirms_the_save(client, staff, arm_team):
    person = ReferralFactory(team=arm_team).person
    client.force_login(staff(Role.ASSESSOR, team=arm_team))
    url, data = person_edit_post(client, person)
    response = client.post(url, data, follow=True)
    assert response.redirect_chain
    assert response.text.count(BANNER) == 1
    assert SAVED in response.text


def test_a_button_that_saves_confirms_too(client, staff):
    allocation = AllocationFactory(keyworker=staff(Role.KEYWORKER))
    task = Task.objects.create(
        person=allocation.episode.person,
        episode=allocation.episode,
        kind=TaskKind.OTHER,
        title="Chase probation",
        assigned_to=allocation.keyworker,
        due_on=timezone.localdate() - timedelta(days=1),
        source_key="test:chase",
    )
    client.force_login(allocation.keyworker)
    assert client.post(reverse("referrals:task-done", args=[task.pk])).status_code == 302
    assert BANNER in client.get(reverse("home")).text


def test_the_views_own_words_are_kept_and_shown_once(client, data_admin, arm_team):
    client.force_login(data_admin)
    data = {
        "username": "jo.bloggs",
        "first_name": "Jo",
        "last_name": "Bloggs",
        "roles": [Role.KEYWORKER],
        "password": "a-long-first-password-2026",
    }
    response = client.post(reverse("staff-new"), data, follow=True)
    assert response.text.count(BANNER) == 1
    assert "Account jo.bloggs created" in response.text
    assert SAVED not in response.text


def test_no_banner_for_a_refused_save_or_a_sign_in(client, staff, arm_team):
    person = ReferralFactory(team=arm_team).person
    client.force_login(staff(Role.ASSESSOR, team=arm_team))
    url, data = person_edit_post(client, person)
    refused = client.post(url, {**data, "date_of_birth_year": ""})
    assert refused.status_code == 200
    assert BANNER not in refused.text

    staff(Role.KEYWORKER, username="kw.signin")
    client.logout()
    signed_in = client.post(
        reverse("login"), {"username": "kw.signin", "password": "correct-horse-battery-staple"}, follow=True
    )
    assert BANNER not in signed_in.text
