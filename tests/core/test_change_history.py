"""Changes to clinical tables are captured by database triggers, however they are made (issue 15, item 8)."""

import pytest
from django.db import connection
from django.http import HttpResponse

from core.choices import Role
from core.history import CLINICAL_MODELS
from core.middleware import RequestContextMiddleware
from core.models import PersonChange, ReferralChange
from referrals.factories import PersonFactory, ReferralFactory
from referrals.models import Person

pytestmark = pytest.mark.django_db


def test_every_clinical_model_named_in_the_issue_is_tracked():
    assert {model._meta.label for model in CLINICAL_MODELS} >= {
        "referrals.Person",
        "referrals.Referral",
        "referrals.Episode",
        "referrals.Allocation",
        "assessment.Assessment",
        "assessment.Top",
        "recovery_plans.PlanVersion",
        "recovery_plans.Goal",
        "recovery_plans.Action",
        "recovery_plans.Modality",
        "prescribing.Prescription",
        "prescribing.DrugTest",
        "harm_reduction.BbvTest",
        "harm_reduction.HepBCourse",
    }


def test_a_bulk_update_is_recorded_row_by_row_with_old_and_new_values():
    people = PersonFactory.create_batch(2, postcode="SO14 7LY")
    Person.objects.filter(pk__in=[p.pk for p in people]).update(postcode="SO15 2AA")
    for person in people:
        events = list(PersonChange.objects.filter(pgh_obj_id=person.pk).order_by("pgh_id"))
        assert [e.pgh_label for e in events] == ["insert", "update"]
        assert [e.postcode for e in events] == ["SO14 7LY", "SO15 2AA"]


def test_raw_sql_changes_and_deletes_are_recorded_too():
    referral = ReferralFactory()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE referrals_person SET given_name = 'Changed' WHERE id = %s", [referral.person_id])
        cursor.execute("DELETE FROM referrals_referral WHERE id = %s", [referral.pk])
    assert PersonChange.objects.filter(pgh_obj_id=referral.person_id, pgh_label="update").get().given_name == (
        "Changed"
    )
    assert ReferralChange.objects.filter(pgh_obj_id=referral.pk, pgh_label="delete").exists()


def test_a_change_made_in_a_request_carries_the_request_id_and_the_user(rf, staff):
    user = staff(Role.DATA_ADMIN)
    person = PersonFactory()

    def view(request):
        Person.objects.filter(pk=person.pk).update(postcode="SO15 2AA")
        return HttpResponse()

    request = rf.post("/people/")
    request.user = user
    response = RequestContextMiddleware(view)(request)
    change = PersonChange.objects.get(pgh_obj_id=person.pk, pgh_label="update")
    assert change.pgh_context.metadata["request_id"] == response["X-Request-ID"]
    assert change.pgh_context.metadata["user"] == user.pk
