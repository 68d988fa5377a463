"""Every read of identifiable data is audited, and a list names the records it showed (issue 15, item 8)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core import audit
from core.choices import AuditAction, Role
from core.models import AuditEvent
from referrals.factories import PersonFactory, ReferralFactory
from referrals.models import Person, Referral

pytestmark = pytest.mark.django_db


def _last_view():
    return AuditEvent.objects.filter(action=AuditAction.VIEW).order_by("-id").first()


def test_an_api_list_records_the_ids_of_the_rows_on_the_page(data_admin, staff):
    user = staff(Role.KEYWORKER)
    for _ in range(3):
        audit.record(AuditAction.CHANGE, user)
    api = APIClient()
    api.force_authenticate(data_admin)
    body = api.get("/api/v1/audit-events/", {"action": "change"}).json()
    shown = [row["id"] for row in body["results"]]
    event = _last_view()
    assert (event.object_type, event.details["ids"], event.details["count"]) == ("core.AuditEvent", shown, 3)
    assert event.details["filters"] == {"action": "change"}


def test_reading_a_single_audit_event_is_audited(data_admin, staff):
    read = audit.record(AuditAction.CHANGE, staff(Role.KEYWORKER))
    api = APIClient()
    api.force_authenticate(data_admin)
    assert api.get(f"/api/v1/audit-events/{read.pk}/").status_code == 200
    event = _last_view()
    assert (event.actor, event.object_type, event.object_id) == (data_admin, "core.AuditEvent", str(read.pk))


def test_the_admin_person_and_referral_lists_record_the_people_shown(admin_client):
    people = PersonFactory.create_batch(3)
    admin_client.get("/admin/referrals/person/")
    event = _last_view()
    assert event.object_type == "referrals.Person"
    assert sorted(event.details["ids"]) == sorted(person.pk for person in people)
    referral = ReferralFactory()
    admin_client.get("/admin/referrals/referral/")
    assert _last_view().details["ids"] == [referral.pk]


def test_the_admin_change_pages_of_a_person_and_a_referral_are_audited(admin_client):
    referral = ReferralFactory()
    for model, obj in ((Person, referral.person), (Referral, referral)):
        url = reverse(f"admin:referrals_{model._meta.model_name}_change", args=[obj.pk])
        assert admin_client.get(url).status_code == 200
        event = _last_view()
        assert (event.object_type, event.object_id) == (model._meta.label, str(obj.pk))


def test_a_form_page_naming_a_person_is_audited_even_when_the_view_writes_no_row(client, data_admin):
    person = PersonFactory()
    client.force_login(data_admin)
    assert client.get(reverse("harm_reduction:hep-b-new", args=[person.pk])).status_code == 200
    event = _last_view()
    assert (event.actor, event.object_type) == (data_admin, "page:harm_reduction:hep-b-new")
    assert event.details["url_kwargs"] == {"pk": person.pk}


def test_a_page_that_audits_its_record_is_not_audited_twice(client, data_admin):
    person = PersonFactory()
    client.force_login(data_admin)
    before = AuditEvent.objects.count()
    assert client.get(reverse("harm_reduction:person-bbv", args=[person.pk])).status_code == 200
    rows = AuditEvent.objects.order_by("id")[before:]
    assert not [row for row in rows if row.object_type.startswith("page:")]
    assert any((row.object_type, row.object_id) == ("referrals.Person", str(person.pk)) for row in rows)


def test_a_list_of_rows_holding_records_names_the_records(rf, staff):
    request = rf.get("/")
    request.user = staff(Role.KEYWORKER)
    person = PersonFactory()
    event = audit.audit_list_view(request, Person, [{"person": person}, (person, 1), person.pk])
    assert event.details == {"count": 3, "ids": [person.pk, person.pk, person.pk]}
