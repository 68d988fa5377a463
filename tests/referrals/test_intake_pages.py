"""Intake pages: new referral with the duplicate step, the queue, the person record, edits, contact,
triage and merge; who may open them; and fixed query counts however long the lists are."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from core.models import ReferralSource, Sex
from referrals.choices import ReferralStatus, TaskKind
from referrals.factories import AllocationFactory, EpisodeFactory, PersonFactory, ReferralFactory
from referrals.models import ContactAttempt, Episode, Person, Referral, Task
from referrals.services.people import match_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


def date_parts(name, value: date) -> dict:
    """A date as the day, month and year boxes of the NHS.UK date input post it."""
    return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}


def signed_in(client, user):
    client.force_login(user)
    return client


def new_referral_post(**overrides):
    data = {
        "person-given_name": "Robin",
        "person-family_name": "Hartley",
        **date_parts("person-date_of_birth", date(1980, 2, 3)),
        "person-sex": Sex.objects.get(code="F").pk,
        "person-nhs_number": "",
        "person-preferred_worker_gender": "not_stated",
        **date_parts("referral-received_at", date(2025, 6, 10)),
        "referral-received_at_time": "10:00",
        "referral-received_date_confirmed": "on",
        "referral-source": ReferralSource.objects.get(code="4").pk,
        "referral-reason": "Wants to stop drinking",
        "referral-urgency": "routine",
        "referral-lives_in_city": "on",
    }
    return {**data, **overrides}


def test_new_referral_for_a_new_person_routes_and_shows_their_record(client, staff, arm_team, esap_team):
    referrer = staff(Role.REFERRER)
    response = signed_in(client, referrer).post(reverse("referrals:referral-new"), new_referral_post())
    person = Person.objects.get(family_name="Hartley")
    assert response.status_code == 302
    assert response.url == reverse("referrals:person-detail", args=[person.pk])
    assert Referral.objects.get(person=person).team == arm_team
    assert client.get(response.url).status_code == 200


def test_new_referral_shows_likely_duplicates_and_saves_nothing_until_the_referrer_chooses(client, staff, arm_team):
    known = PersonFactory(
        given_name="Robin", family_name="Hartley", date_of_birth=date(1980, 2, 3), sex=Sex.objects.get(code="F")
    )
    response = signed_in(client, staff(Role.REFERRER)).post(reverse("referrals:referral-new"), new_referral_post())
    assert response.status_code == 200
    assert "This person may already be known" in response.text
    assert "** February 1980" in response.text
    assert "Same name and date of birth" in response.text
    # Issue 15: the referrer decides on the reason, the team and a masked date of birth, never the record.
    for identity in (known.client_id, "3 February 1980"):
        assert identity not in response.text
    # The matches' radios carry a signed token, never the record's id (a bare `value="N"` also matches a select's
    # option, such as a referral source whose id happens to be the person's).
    offered = re.findall(r'name="(?:person_choice|seen_matches)" value="([^"]*)"', response.text)
    assert offered
    assert str(known.pk) not in offered
    assert not Referral.objects.exists()


def test_choosing_the_existing_person_refers_them(client, staff, arm_team):
    known = PersonFactory(
        given_name="Robin", family_name="Hartley", date_of_birth=date(1980, 2, 3), sex=Sex.objects.get(code="F")
    )
    signed_in(client, staff(Role.REFERRER)).post(
        reverse("referrals:referral-new"), new_referral_post(person_choice=match_token(known.pk))
    )
    assert Person.objects.count() == 1
    assert Referral.objects.get().person == known


def test_confirming_a_new_person_after_seeing_every_match_creates_them(client, staff, arm_team):
    known = PersonFactory(
        given_name="Robin", family_name="Hartley", date_of_birth=date(1980, 2, 3), sex=Sex.objects.get(code="F")
    )
    signed_in(client, staff(Role.REFERRER)).post(
        reverse("referrals:referral-new"), new_referral_post(person_choice="new", seen_matches=[match_token(known.pk)])
    )
    assert Person.objects.count() == 2


def test_a_new_person_is_asked_about_again_when_a_match_was_not_shown(client, staff, arm_team):
    shown = PersonFactory(
        given_name="Robin", family_name="Hartley", date_of_birth=date(1980, 2, 3), sex=Sex.objects.get(code="F")
    )
    PersonFactory(given_name="Robyn", family_name="Hartly", date_of_birth=date(1980, 3, 2))
    response = signed_in(client, staff(Role.REFERRER)).post(
        reverse("referrals:referral-new"), new_referral_post(person_choice="new", seen_matches=[match_token(shown.pk)])
    )
    assert response.status_code == 200
    assert "Similar name, day and month of birth swapped" in response.text
    assert Person.objects.count() == 2
    assert not Referral.objects.exists()


def test_choosing_a_person_who_was_not_a_match_is_not_possible(client, staff, arm_team):
    PersonFactory(
        given_name="Robin", family_name="Hartley", date_of_birth=date(1980, 2, 3), sex=Sex.objects.get(code="F")
    )
    stranger = PersonFactory(given_name="Zara", family_name="Quinn")
    response = signed_in(client, staff(Role.REFERRER)).post(
        reverse("referrals:referral-new"), new_referral_post(person_choice=str(stranger.pk))
    )
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_new_referral_errors_show_on_the_field_and_save_nothing(client, staff, arm_team):
    response = signed_in(client, staff(Role.REFERRER)).post(
        reverse("referrals:referral-new"),
        new_referral_post(**{"person-nhs_number": "9434765918"}),
    )
    assert response.status_code == 200
    assert "check digit" in response.text
    assert not Person.objects.exists()


def test_new_referral_under_11_is_refused_on_the_page(client, staff, esap_team):
    response = signed_in(client, staff(Role.REFERRER)).post(
        reverse("referrals:referral-new"), new_referral_post(**date_parts("person-date_of_birth", date(2016, 1, 1)))
    )
    assert "from age 11" in response.text
    assert not Person.objects.exists()


def test_a_keyworker_cannot_open_the_new_referral_page(client, staff):
    assert signed_in(client, staff(Role.KEYWORKER)).get(reverse("referrals:referral-new")).status_code == 403


def test_queue_shows_overdue_due_today_and_due_dates_as_tags(client, assessor, arm_team):
    today = timezone.localdate()
    for due in (today - timedelta(days=1), today, today + timedelta(days=2)):
        ReferralFactory(team=arm_team, received_on=due - timedelta(days=5), first_contact_due=due)
    response = signed_in(client, assessor).get(reverse("referrals:referral-queue"))
    text = response.text
    assert ">Overdue<" in text
    assert ">Due today<" in text
    assert f">Due {today + timedelta(days=2):%-d %B %Y}<" in text


def test_queue_lists_only_referrals_awaiting_contact_or_triage_of_the_users_teams(
    client, assessor, arm_team, esap_team
):
    waiting = ReferralFactory(team=arm_team)
    closed = ReferralFactory(team=arm_team, status=ReferralStatus.BRIEF_INTERVENTION)
    other_team = ReferralFactory(team=esap_team)
    text = signed_in(client, assessor).get(reverse("referrals:referral-queue")).text
    assert waiting.person.client_id in text
    assert closed.person.client_id not in text
    assert other_team.person.client_id not in text


def test_queue_leaves_out_another_teams_referral_of_a_person_the_team_knows(client, assessor, arm_team, esap_team):
    ours = ReferralFactory(team=arm_team, status=ReferralStatus.BRIEF_INTERVENTION)
    theirs = ReferralFactory(team=esap_team, person=ours.person)
    text = signed_in(client, assessor).get(reverse("referrals:referral-queue")).text
    assert reverse("referrals:contact-new", args=[theirs.pk]) not in text


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queue_runs_the_same_number_of_queries_for_5_and_60_referrals(
    client, assessor, arm_team, django_assert_max_num_queries
):
    ReferralFactory.create_batch(5, team=arm_team)
    url = reverse("referrals:referral-queue")
    signed_in(client, assessor)
    with_five = queries_for(client, url)
    ReferralFactory.create_batch(55, team=arm_team)
    with django_assert_max_num_queries(with_five):
        text = client.get(url).text
    assert text.count("Record contact") == 50
    assert "Next</span>" in text


def busy_person(arm_team, count):
    episode = EpisodeFactory(referral__team=arm_team)
    AllocationFactory(episode=episode)
    person = episode.person
    for n in range(count):
        referral = ReferralFactory(person=person, team=arm_team, status=ReferralStatus.BRIEF_INTERVENTION)
        ContactAttempt.objects.create(
            referral=referral,
            made_on=referral.received_on,
            method="phone",
            recorded_by=AllocationFactory._meta.model.objects.first().allocated_by,
        )
        Task.objects.create(person=person, kind=TaskKind.OTHER, title=f"Task {n}", source_key=f"{person.pk}-{n}")
    return person


def test_person_page_runs_the_same_number_of_queries_for_5_and_60_rows(
    client, assessor, arm_team, django_assert_max_num_queries
):
    few = busy_person(arm_team, 5)
    many = busy_person(arm_team, 60)
    signed_in(client, assessor)
    with_five = queries_for(client, reverse("referrals:person-detail", args=[few.pk]))
    with django_assert_max_num_queries(with_five):
        response = client.get(reverse("referrals:person-detail", args=[many.pk]))
    assert response.text.count("Task (open)") == 60


def test_person_page_shows_summary_episode_allocation_and_timeline(client, assessor, arm_team):
    allocation = AllocationFactory(episode__referral__team=arm_team)
    person = allocation.episode.person
    Person.objects.filter(pk=person.pk).update(pregnant=True)
    text = signed_in(client, assessor).get(reverse("referrals:person-detail", args=[person.pk])).text
    assert person.client_id in text
    assert "Pregnant" in text
    assert allocation.episode.episode_id in text
    assert str(allocation.keyworker) in text
    assert "Referral received" in text
    assert f"Episode {allocation.episode.episode_id} opened" in text


@pytest.fixture
def caseload(staff, arm_team):
    delivery = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    owner = staff(Role.KEYWORKER, team=delivery)
    allocation = AllocationFactory(keyworker=owner, team=delivery, episode__referral__team=arm_team)
    return allocation


def test_keyworker_sees_their_own_caseload_person(client, caseload):
    url = reverse("referrals:person-detail", args=[caseload.episode.person_id])
    assert signed_in(client, caseload.keyworker).get(url).status_code == 200


@pytest.mark.parametrize("same_team", [True, False])
def test_keyworker_gets_404_on_another_caseloads_person(client, caseload, staff, same_team):
    other = staff(Role.KEYWORKER, team=caseload.team if same_team else None)
    signed_in(client, other)
    for name in ("person-detail", "person-edit"):
        assert client.get(reverse(f"referrals:{name}", args=[caseload.episode.person_id])).status_code == 404


def test_keyworker_gets_404_on_another_caseloads_referral_pages(client, caseload, staff):
    signed_in(client, staff(Role.KEYWORKER, team=caseload.team))
    referral = caseload.episode.referral
    assert client.get(reverse("referrals:contact-new", args=[referral.pk])).status_code == 404
    assert client.get(reverse("referrals:referral-triage", args=[referral.pk])).status_code == 404


def test_stale_edit_on_the_page_is_refused_with_a_message(client, assessor, arm_team):
    person = ReferralFactory(team=arm_team).person
    url = reverse("referrals:person-edit", args=[person.pk])
    signed_in(client, assessor)
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.pop("date_of_birth", None)
    data.update(**date_parts("date_of_birth", person.date_of_birth))
    data.update(sex=person.sex_id, phone="0123", version=1)
    Person.objects.filter(pk=person.pk).update(version=2)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Someone else saved" in response.text
    person.refresh_from_db()
    assert person.phone != "0123"


def test_edit_on_the_page_saves(client, assessor, arm_team):
    person = ReferralFactory(team=arm_team).person
    url = reverse("referrals:person-edit", args=[person.pk])
    signed_in(client, assessor)
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.pop("date_of_birth", None)
    data.update(**date_parts("date_of_birth", person.date_of_birth))
    data.update(sex=person.sex_id, phone="0123", version=1)
    assert client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.version) == ("0123", 2)


def test_record_contact_then_triage_into_treatment_on_the_pages(client, assessor, arm_team):
    referral = ReferralFactory(team=arm_team)
    signed_in(client, assessor)
    response = client.post(
        reverse("referrals:contact-new", args=[referral.pk]),
        {**date_parts("made_on", referral.received_on), "method": "in_person"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    response = client.post(
        reverse("referrals:referral-triage", args=[referral.pk]),
        {"outcome": "accepted", **date_parts("triaged_on", referral.received_on), "version": referral.version},
    )
    assert response.status_code == 302
    assert Episode.objects.get(referral=referral).opened_on == referral.received_on


def test_contact_before_the_referral_is_refused_on_the_page(client, assessor, arm_team):
    referral = ReferralFactory(team=arm_team)
    response = signed_in(client, assessor).post(
        reverse("referrals:contact-new", args=[referral.pk]),
        {**date_parts("made_on", referral.received_on - timedelta(days=1)), "method": "phone"},
    )
    assert response.status_code == 200
    assert "cannot be before the referral" in response.text


def test_data_admin_merges_on_the_page(client, data_admin, arm_team):
    keep = ReferralFactory(team=arm_team).person
    duplicate = ReferralFactory(team=arm_team).person
    url = reverse("referrals:person-merge", args=[keep.pk])
    compared = signed_in(client, data_admin).post(url, {"duplicate_client_id": duplicate.client_id})
    assert compared.status_code == 200
    assert "Choose the details to keep" in compared.text
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None, "nothing merges before the two records were compared and confirmed"
    unconfirmed = client.post(url, {"duplicate_client_id": duplicate.client_id, "compared": "1"})
    assert 'href="#id_confirm">Confirm that you have checked both records' in unconfirmed.text
    response = client.post(url, {"duplicate_client_id": duplicate.client_id, "compared": "1", "confirm": "on"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep


def test_only_a_data_admin_opens_the_merge_page(client, assessor, arm_team):
    person = ReferralFactory(team=arm_team).person
    response = signed_in(client, assessor).get(reverse("referrals:person-merge", args=[person.pk]))
    assert response.status_code == 403


def test_a_missing_answer_is_named_in_the_error_summary_and_the_title(client, staff, arm_team):
    response = signed_in(client, staff(Role.REFERRER)).post(
        reverse("referrals:referral-new"), new_referral_post(**{"referral-reason": "", "person-given_name": ""})
    )
    assert "<title>Error: New referral" in response.text
    assert "There is a problem" in response.text
    assert "Enter the reason for referral" in response.text
    assert "Enter the given name" in response.text
    assert not Person.objects.exists()
