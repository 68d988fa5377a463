import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.utils import InternalError

from core import audit, request_context
from core.choices import AuditAction, Role
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_view_is_audited_in_one_line(rf, staff):
    user = staff(Role.KEYWORKER)
    request = rf.get("/people/1/")
    request.user = user
    event = audit.audit_view(request, user)
    assert (event.actor, event.action, event.object_type, event.object_id) == (
        user,
        AuditAction.VIEW,
        "core.User",
        str(user.pk),
    )


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(staff):
    event = audit.record(AuditAction.CHANGE, staff(Role.KEYWORKER))
    event.action = AuditAction.VIEW
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.VIEW)
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_updates_and_deletes_even_in_raw_sql(staff):
    event = audit.record(AuditAction.CHANGE, staff(Role.KEYWORKER))
    for sql in (
        "UPDATE core_auditevent SET action = 'view' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(InternalError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.CHANGE


def test_the_admin_offers_no_add_change_or_delete(admin_client, staff):
    event = audit.record(AuditAction.CHANGE, staff(Role.KEYWORKER))
    assert admin_client.get("/admin/core/auditevent/").status_code == 200
    assert admin_client.get("/admin/core/auditevent/add/").status_code == 403
    assert admin_client.post(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403


def test_sign_in_sign_out_and_failed_sign_in_are_audited(client, staff):
    user = staff(Role.KEYWORKER, username="kw.audit")
    client.post("/sign-in/", {"username": "kw.audit", "password": "wrong-password"})
    client.post("/sign-in/", {"username": "kw.audit", "password": "correct-horse-battery-staple"})
    client.post("/sign-out/")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AuditAction.SIGN_IN_FAILED, AuditAction.SIGN_IN, AuditAction.SIGN_OUT]
    failed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert failed.details == {"username": "kw.audit"}
    assert AuditEvent.objects.get(action=AuditAction.SIGN_IN).actor == user


def test_each_request_stamps_a_server_made_id_on_its_audit_rows_and_keeps_the_clients_apart(client, staff):
    staff(Role.KEYWORKER, username="kw.request")
    response = client.post(
        "/sign-in/", {"username": "kw.request", "password": "correct-horse-battery-staple"}, HTTP_X_REQUEST_ID="req-42"
    )
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert event.request_id == response["X-Request-ID"] != "req-42"
    assert len(event.request_id) == 36
    assert event.details["client_request_id"] == "req-42"


def test_a_clients_request_id_is_cut_to_64_characters(client, staff):
    staff(Role.KEYWORKER, username="kw.long")
    client.post(
        "/sign-in/", {"username": "kw.long", "password": "correct-horse-battery-staple"}, HTTP_X_REQUEST_ID="x" * 500
    )
    assert AuditEvent.objects.get(action=AuditAction.SIGN_IN).details["client_request_id"] == "x" * 64


def test_events_recorded_outside_a_request_are_not_kept_in_memory(staff):
    """A Celery worker or an import runs for days outside any request: its audit rows must not pile up in a list."""
    user = staff(Role.DATA_ADMIN)
    audit.record(AuditAction.VIEW, user, actor=user)
    assert request_context.get() is request_context.EMPTY
    assert request_context.EMPTY.audited == []
    assert AuditEvent.objects.filter(actor=user, action=AuditAction.VIEW).count() == 1
