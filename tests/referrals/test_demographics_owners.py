"""Only the roles that own a person's demographics edit them (issue 15, item 2): the member of staff who
recorded the person until triage; assessors and keyworkers whose scope reaches the person; data admins.
NHS number and address edits are audited with the old and new values."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import AuditAction, Role, TeamKind
from core.factories import TeamFactory
from core.models import AuditEvent
from referrals.factories import AllocationFactory, PersonFactory, ReferralFactory
from referrals.models import Person
from referrals.services.people import person_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def referred(staff, arm_team):
    """A person a referrer recorded, with their referral awaiting triage at the ARM team."""
    referrer = staff(Role.REFERRER, username="ref.edit")
    person = PersonFactory(created_by=referrer, phone="")
    referral = ReferralFactory(person=person, team=arm_team, created_by=referrer)
    return referrer, person, referral


def edit(actor, person, **data):
    person.refresh_from_db()
    return person_update(actor=actor, person=person, data=data, expected_version=person.version)


def test_the_referrer_edits_the_person_they_recorded_until_triage(referred, data_admin):
    referrer, person, referral = referred
    edit(referrer, person, phone="01632 960001")
    referral.triaged_on = referral.received_on
    referral.triaged_by = data_admin
    referral.save()
    with pytest.raises(PermissionDenied):
        edit(referrer, person, phone="01632 960002")
    assert Person.objects.get(pk=person.pk).phone == "01632 960001"


def test_another_referrer_cannot_edit_a_person_they_did_not_record(referred, staff, arm_team):
    _, person, _ = referred
    other = staff(Role.REFERRER)
    ReferralFactory(person=person, team=arm_team, created_by=other)
    with pytest.raises(PermissionDenied):
        edit(other, person, phone="01632 960003")


@pytest.mark.parametrize(
    ("role", "may_edit"),
    [
        (Role.ASSESSOR, True),
        (Role.KEYWORKER, True),
        (Role.DATA_ADMIN, True),
        (Role.TEAM_MANAGER, False),
        (Role.PRESCRIBER, False),
        (Role.HARM_REDUCTION_WORKER, False),
    ],
)
def test_after_triage_only_assessors_keyworkers_and_data_admins_edit(staff, arm_team, role, may_edit):
    delivery = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    allocation = AllocationFactory(team=delivery, episode__referral__team=arm_team)
    person = allocation.episode.person
    actor = allocation.keyworker if role == Role.KEYWORKER else staff(role, team=arm_team)
    if role == Role.KEYWORKER:
        actor.groups.add(*staff(Role.KEYWORKER).groups.all())
    assert Person.objects.visible_to(actor).filter(pk=person.pk).exists()
    if may_edit:
        edit(actor, person, phone="01632 960004")
        assert Person.objects.get(pk=person.pk).phone == "01632 960004"
    else:
        with pytest.raises(PermissionDenied):
            edit(actor, person, phone="01632 960004")


def test_the_api_and_the_page_refuse_a_non_owner_with_403(staff, arm_team):
    person = ReferralFactory(team=arm_team).person
    manager = staff(Role.TEAM_MANAGER, team=arm_team)
    api = APIClient()
    api.force_authenticate(manager)
    response = api.patch(
        reverse("person-detail", args=[person.pk]), {"phone": "01632 960005", "version": person.version}, format="json"
    )
    assert response.status_code == 403
    page = APIClient()
    page.force_login(manager)
    assert page.get(reverse("referrals:person-edit", args=[person.pk])).status_code == 403
    assert "Edit details" not in page.get(reverse("referrals:person-detail", args=[person.pk])).content.decode()


def test_nhs_number_and_address_edits_are_audited_with_old_and_new_values(data_admin):
    person = PersonFactory(nhs_number="9434765919", address="1 Old Road", postcode="LS1 1AA")
    edit(data_admin, person, nhs_number="943 476 5870", address="2 New Street", phone="01632 960006")
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(person.pk)).latest("id")
    assert event.details["old"] == {"nhs_number": "9434765919", "address": "1 Old Road"}
    assert event.details["new"] == {"nhs_number": "9434765870", "address": "2 New Street"}
    assert "phone" in event.details["changed"]
    assert "phone" not in event.details["old"]
