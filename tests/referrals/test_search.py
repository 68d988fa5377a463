"""The header's search box (issue 14): what it finds, whom it never shows, how it is audited, what it costs."""

from datetime import date

import pytest
from django.urls import reverse

from core.choices import AuditAction, Role, TeamKind
from core.factories import TeamFactory
from core.models import AuditEvent
from referrals import search
from referrals.factories import AllocationFactory, PersonFactory, ReferralFactory
from referrals.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def thompson(arm_team):
    return ReferralFactory(
        team=arm_team,
        person__given_name="Maria",
        person__family_name="Thompson",
        person__date_of_birth=date(1985, 3, 12),
        person__nhs_number="9434765919",
    ).person


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


def found(user, text):
    return list(search.search_people(user, text))


@pytest.mark.parametrize(
    "text",
    [
        "Thomson",
        "thompsen",
        "Maria Thomson",
        "thom",
        "Mria Thompson",
        "12/03/1985",
        "1985-03-12",
        "12 March 1985",
        "Thomson 12/3/1985",
        "943 476 5919",
        "9434765919",
    ],
)
def test_finds_by_misspelt_name_date_of_birth_or_nhs_number(assessor, thompson, text):
    PersonFactory(given_name="Maria", family_name="Jones", date_of_birth=date(1990, 1, 1))
    assert found(assessor, text) == [thompson]


def test_finds_by_client_id_and_episode_id_in_any_case(assessor, thompson):
    episode_id = thompson.referrals.get().episode_id
    assert found(assessor, thompson.client_id.lower()) == [thompson]
    assert found(assessor, episode_id.lower()) == [thompson]


def test_a_name_and_a_date_of_birth_narrow_each_other(assessor, arm_team, thompson):
    ReferralFactory(team=arm_team, person__family_name="Thompson", person__date_of_birth=date(1970, 1, 1))
    assert len(found(assessor, "Thompson")) == 2
    assert found(assessor, "Thompson 12/03/1985") == [thompson]


def test_closest_name_first(assessor, arm_team, thompson):
    thomas = ReferralFactory(team=arm_team, person__given_name="Ann", person__family_name="Thomas").person
    assert found(assessor, "Thomas") == [thomas, thompson]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a", search.NOTHING_TO_SEARCH),
        ("  ", search.NOTHING_TO_SEARCH),
        ("31/02/1985", "31/02/1985 is not a real date"),
    ],
)
def test_nothing_to_search_is_refused_on_the_field(assessor, text, message):
    with pytest.raises(search.DomainError) as refused:
        search.search_people(assessor, text)
    assert refused.value.field == "q"
    assert refused.value.message.startswith(message)


def test_never_shows_anyone_out_of_scope(staff, thompson, data_admin):
    other_team = TeamFactory(name="ESAP", kind=TeamKind.ESAP)
    delivery = TeamFactory(name="Delivery", kind=TeamKind.DELIVERY)
    assert found(staff(Role.ASSESSOR, team=other_team), "Thompson") == []
    assert found(staff(Role.KEYWORKER, team=delivery), "Thompson") == []
    assert found(staff(Role.REFERRER), thompson.client_id) == []
    assert found(data_admin, "Thomson") == [thompson]
    keyworker = staff(Role.KEYWORKER, team=delivery)
    AllocationFactory(keyworker=keyworker, team=delivery, episode__referral__person=thompson)
    assert found(keyworker, "Thomson") == [thompson]


def test_a_merged_record_is_not_found(data_admin, thompson):
    kept = PersonFactory(family_name="Thompson")
    Person.objects.filter(pk=thompson.pk).update(merged_into=kept)
    assert found(data_admin, "Thompson") == [kept]


def test_page_shows_results_and_audits_the_search(client, assessor, thompson):
    client.force_login(assessor)
    response = client.get(reverse("referrals:person-search"), {"q": "Thomson"})
    assert response.status_code == 200
    assert reverse("referrals:person-detail", args=[thompson.pk]) in response.text
    assert "12 March 1985" in response.text
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.actor == assessor
    assert event.object_type == "referrals.Person"
    assert event.details["search"] == "Thomson"
    assert event.details["ids"] == [thompson.pk]


def test_page_error_names_the_field(client, assessor):
    client.force_login(assessor)
    response = client.get(reverse("referrals:person-search"), {"q": "x"})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert 'href="#id_q"' in response.text
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_search_box_in_header_for_roles_that_see_people_only(client, assessor, commissioner):
    client.force_login(assessor)
    assert 'id="search-field"' in client.get(reverse("home")).text
    client.force_login(commissioner)
    assert 'id="search-field"' not in client.get(reverse("home")).text
    assert client.get(reverse("referrals:person-search"), {"q": "Thompson"}).status_code == 403
    assert client.get("/api/v1/search/", {"q": "Thompson"}).status_code == 403


def test_api_answers_as_the_page_does(client, assessor, thompson):
    client.force_login(assessor)
    body = client.get("/api/v1/search/", {"q": "thompsen"}).json()
    assert body["count"] == 1
    assert body["results"][0]["client_id"] == thompson.client_id
    assert body["results"][0]["latest_episode_id"] == thompson.referrals.get().episode_id
    assert AuditEvent.objects.get(action=AuditAction.SEARCH).details["ids"] == [thompson.pk]
    refused = client.get("/api/v1/search/", {"q": "x"})
    assert refused.status_code == 400
    assert refused.json() == {"q": [search.NOTHING_TO_SEARCH]}


def test_api_is_in_the_schema(client, assessor):
    client.force_login(assessor)
    assert "/api/v1/search/" in client.get("/api/v1/schema/").text


def test_a_long_result_list_is_paged_at_a_fixed_query_count(client, data_admin, django_assert_max_num_queries):
    for number in range(60):
        ReferralFactory(person__family_name=f"Smith{'x' * (number % 3)}", person__given_name=f"Ann{number}")
    client.force_login(data_admin)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("referrals:person-search"), {"q": "Smith"})
    assert response.text.count("/referrals/people/") == 25
    with django_assert_max_num_queries(16):
        client.get(reverse("referrals:person-search"), {"q": "Smith", "page": 3})
