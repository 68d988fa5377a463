"""Intake API under /api/v1/: the same rules and the same scope as the pages."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import AuditAction, Role, TeamKind
from core.factories import TeamFactory
from core.models import AuditEvent, ReferralSource, Sex
from referrals.choices import ReferralStatus, Service
from referrals.factories import AllocationFactory, PersonFactory, ReferralFactory
from referrals.models import Episode, Person, Referral
from referrals.services.people import match_token

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


@pytest.fixture
def caseload(staff, arm_team):
    delivery = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    return AllocationFactory(
        keyworker=staff(Role.KEYWORKER, team=delivery), team=delivery, episode__referral__team=arm_team
    )


def new_person(**overrides):
    return {
        "given_name": "Robin",
        "family_name": "Hartley",
        "date_of_birth": "1980-02-03",
        "sex": Sex.objects.get(code="F").pk,
        **overrides,
    }


def test_keyworker_lists_and_reads_only_their_caseload(caseload):
    person = caseload.episode.person
    PersonFactory()
    client = api(caseload.keyworker)
    listed = client.get(reverse("person-list")).json()["results"]
    assert [p["id"] for p in listed] == [person.pk]
    assert client.get(reverse("person-detail", args=[person.pk])).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(person.pk)).exists()


@pytest.mark.parametrize("same_team", [True, False])
def test_keyworker_gets_404_on_another_caseloads_person(caseload, staff, same_team):
    other = staff(Role.KEYWORKER, team=caseload.team if same_team else None)
    person = caseload.episode.person
    client = api(other)
    assert client.get(reverse("person-detail", args=[person.pk])).status_code == 404
    response = client.patch(reverse("person-detail", args=[person.pk]), {"phone": "1", "version": 1}, format="json")
    assert response.status_code == 404
    assert client.get(reverse("referral-detail", args=[caseload.episode.referral_id])).status_code == 404


def test_commissioner_sees_no_people(caseload, commissioner):
    assert api(commissioner).get(reverse("person-list")).json()["count"] == 0


def test_create_person_reports_likely_duplicates_until_confirmed(staff):
    PersonFactory(
        given_name="Robin", family_name="Hartley", date_of_birth=date(1980, 2, 3), sex=Sex.objects.get(code="F")
    )
    client = api(staff(Role.REFERRER))
    response = client.post(reverse("person-list"), new_person(), format="json")
    assert response.status_code == 400
    [match] = response.json()["matches"]
    response = client.post(reverse("person-list"), new_person(confirm_new_person=True), format="json")
    assert response.status_code == 400, "confirming without naming the matches seen is asked again"
    response = client.post(
        reverse("person-list"), new_person(confirm_new_person=True, seen_matches=[match["match"]]), format="json"
    )
    assert response.status_code == 201
    assert response.json()["client_id"].startswith("C")


def test_create_person_with_wrong_nhs_check_digit_is_a_400_on_the_field(staff):
    response = api(staff(Role.REFERRER)).post(
        reverse("person-list"), new_person(nhs_number="9434765918"), format="json"
    )
    assert response.status_code == 400
    assert "check digit" in response.json()["nhs_number"][0]
    assert not Person.objects.exists()


def test_duplicate_check_endpoint(staff):
    known = PersonFactory(nhs_number="9434765919")
    response = api(staff(Role.REFERRER)).post(
        reverse("person-duplicate-check"), new_person(nhs_number="9434765919"), format="json"
    )
    assert response.status_code == 200
    [match] = response.json()
    assert set(match) == {"match", "team", "date_of_birth", "reasons"}
    assert match["match"] == match_token(known.pk)
    assert match["date_of_birth"] == f"** {known.date_of_birth:%B %Y}"
    assert "Same NHS number" in match["reasons"]
    audited = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="referrals.Person")
    assert audited.details["shown"] == [known.pk]


def test_update_person_with_version_and_stale_update_is_409(assessor, arm_team):
    person = ReferralFactory(team=arm_team).person
    client = api(assessor)
    url = reverse("person-detail", args=[person.pk])
    assert client.patch(url, {"phone": "0123", "version": 1}, format="json").json()["version"] == 2
    response = client.patch(url, {"phone": "0456", "version": 1}, format="json")
    assert response.status_code == 409
    person.refresh_from_db()
    assert person.phone == "0123"


def test_update_without_version_is_refused(assessor, arm_team):
    person = ReferralFactory(team=arm_team).person
    response = api(assessor).patch(reverse("person-detail", args=[person.pk]), {"phone": "1"}, format="json")
    assert response.status_code == 400


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


def test_create_referral_for_a_new_person_routes_by_age(staff, arm_team, esap_team):
    response = api(staff(Role.REFERRER)).post(
        reverse("referral-list"),
        referral_body(new_person=new_person(date_of_birth="2001-06-10")),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["service"], response.json()["team"]) == (Service.ESAP, esap_team.pk)
    assert response.json()["first_contact_due"] == "2025-06-13"


def test_create_referral_for_an_under_11_is_a_400(staff, esap_team):
    response = api(staff(Role.REFERRER)).post(
        reverse("referral-list"), referral_body(new_person=new_person(date_of_birth="2016-01-01")), format="json"
    )
    assert response.status_code == 400
    assert "from age 11" in response.json()["date_of_birth"][0]
    assert not Person.objects.exists()


def test_create_referral_can_pick_a_reported_duplicate(staff, arm_team):
    known = PersonFactory(
        given_name="Robin", family_name="Hartley", date_of_birth=date(1980, 2, 3), sex=Sex.objects.get(code="F")
    )
    client = api(staff(Role.REFERRER))
    body = referral_body(new_person=new_person())
    asked = client.post(reverse("referral-list"), body, format="json")
    assert asked.status_code == 400
    [match] = asked.json()["matches"]
    assert (
        client.post(reverse("referral-list"), {**body, "existing_match": str(known.pk)}, format="json").status_code
        == 400
    )
    response = client.post(reverse("referral-list"), {**body, "existing_match": match["match"]}, format="json")
    assert response.status_code == 201
    assert Referral.objects.get().person == known


def test_create_referral_for_a_person_out_of_scope_is_a_404(staff, arm_team):
    stranger = PersonFactory()
    response = api(staff(Role.REFERRER)).post(
        reverse("referral-list"), referral_body(person=stranger.pk), format="json"
    )
    assert response.status_code == 404


def test_contact_attempts_and_triage_through_the_api(assessor, arm_team):
    referral = ReferralFactory(team=arm_team)
    client = api(assessor)
    url = reverse("referral-contact-attempts", args=[referral.pk])
    made_on = referral.received_on.isoformat()
    assert client.post(url, {"made_on": made_on, "method": "failed_attempt"}, format="json").status_code == 201
    assert client.post(url, {"made_on": made_on, "method": "phone"}, format="json").status_code == 201
    assert len(client.get(url).json()) == 2
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_TRIAGE
    response = client.post(
        reverse("referral-triage", args=[referral.pk]),
        {"outcome": "accepted", "triaged_on": made_on, "version": referral.version},
        format="json",
    )
    assert response.status_code == 200
    assert Episode.objects.filter(referral=referral).exists()


def test_contact_before_the_referral_is_a_400(assessor, arm_team):
    referral = ReferralFactory(team=arm_team, received_on=date(2025, 4, 17))
    response = api(assessor).post(
        reverse("referral-contact-attempts", args=[referral.pk]),
        {"made_on": "2025-04-16", "method": "phone"},
        format="json",
    )
    assert response.status_code == 400
    assert "made_on" in response.json()


def test_merge_is_for_data_admins_only(assessor, arm_team, data_admin):
    keep = ReferralFactory(team=arm_team).person
    duplicate = ReferralFactory(team=arm_team).person
    url = reverse("person-merge", args=[keep.pk])
    assert api(assessor).post(url, {"duplicate": duplicate.pk}, format="json").status_code == 403
    assert api(data_admin).post(url, {"duplicate": duplicate.pk}, format="json").status_code == 200
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep


def test_schema_describes_the_intake_endpoints(client, data_admin):
    client.force_login(data_admin)
    schema = client.get("/api/v1/schema/").content.decode()
    for path in ("/api/v1/people/duplicate-check/", "/api/v1/referrals/{id}/triage/", "/api/v1/people/{id}/merge/"):
        assert path in schema


def test_a_keyworker_cannot_create_people_or_referrals(caseload):
    client = api(caseload.keyworker)
    assert client.post(reverse("person-list"), new_person(), format="json").status_code == 403
    body = referral_body(person=caseload.episode.person_id)
    assert client.post(reverse("referral-list"), body, format="json").status_code == 403
