"""Sign-in that resists guessing and cannot lock others out (issue 15, item 5)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.utils import timezone

from core import sign_in
from core.choices import AuditAction, Role
from core.models import AuditEvent

PASSWORD = "correct-horse-battery-staple"
OFFICE = "10.0.0.7"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.SIGN_IN_IP_FAILURE_LIMIT = 6
    settings.SIGN_IN_COOL_OFF_MINUTES = 1
    settings.SIGN_IN_COOL_OFF_CAP_MINUTES = 8


@pytest.fixture
def alice(staff):
    return staff(Role.KEYWORKER, username="alice")


@pytest.fixture
def bob(staff):
    return staff(Role.KEYWORKER, username="bob")


def attempt(client, username, password="wrong-password", ip=OFFICE, **extra):
    return client.post("/sign-in/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def failed_audit_rows(username):
    return AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, details__username=username)


@pytest.mark.django_db
def test_failures_for_one_username_lock_that_username_from_every_address(client, alice):
    for ip in ("10.0.0.1", "10.0.0.2"):
        assert attempt(client, "alice", ip=ip).status_code == 200
    # The third failure reaches the limit: that answer already says the account is locked.
    assert attempt(client, "alice", ip="10.0.0.3").status_code == 429
    assert attempt(client, "alice", PASSWORD, ip="10.9.9.9").status_code == 429


@pytest.mark.django_db
def test_failures_for_username_a_do_not_lock_username_b_from_the_same_address_until_the_address_limit(
    client, alice, bob
):
    for _ in range(3):
        attempt(client, "alice")
    assert attempt(client, "alice", PASSWORD).status_code == 429
    # Four failures from the office so far (the locked try counts): bob still signs in from there.
    assert attempt(client, "bob", PASSWORD).status_code == 302
    client.logout()
    # Bob's sign-in forgave bob's own failures only, not the address's. Six failures from one address,
    # whatever usernames, and the address is locked for everyone.
    for name in ("carol", "dave"):
        attempt(client, name)
    assert attempt(client, "bob", PASSWORD).status_code == 429
    assert attempt(client, "bob", PASSWORD, ip="10.0.0.8").status_code == 302


@pytest.mark.django_db
def test_a_locked_account_is_told_when_to_try_again_on_the_sign_in_page(client, alice):
    for _ in range(3):
        attempt(client, "alice")
    response = attempt(client, "alice")
    assert response.status_code == 429
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert "Too many failed attempts to sign in. Try again after" in page
    assert "<h1>Sign in</h1>" in page


@pytest.mark.django_db
def test_every_failure_is_audited_even_under_lockout(client, alice):
    for _ in range(5):
        attempt(client, "alice")
    failures = failed_audit_rows("alice").exclude(details__has_key="locked_out_until")
    assert failures.count() == 5
    assert set(failures.values_list("ip_address", flat=True)) == {OFFICE}
    assert failed_audit_rows("alice").filter(details__has_key="locked_out_until").exists()


@pytest.mark.django_db
def test_the_cool_off_doubles_with_each_lockout_and_is_capped(alice):
    request = RequestFactory().post("/sign-in/", {"username": "alice"}, REMOTE_ADDR=OFFICE)
    request.axes_ip_address = OFFICE
    expected = {0: 1, 3: 1, 5: 1, 6: 2, 9: 4, 12: 8, 15: 8, 60: 8}
    made = 0
    for failures, minutes in expected.items():
        for _ in range(failures - made):
            AuditEvent.objects.create(
                action=AuditAction.SIGN_IN_FAILED, details={"username": "alice"}, ip_address="10.1.1.1"
            )
        made = failures
        assert sign_in.cool_off(request) == timedelta(minutes=minutes), failures


@pytest.mark.django_db
def test_after_the_cool_off_the_account_may_try_again(client, alice):
    for _ in range(3):
        attempt(client, "alice")
    assert attempt(client, "alice", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=1, seconds=5))
    assert attempt(client, "alice", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_client_address_is_read_only_from_the_trusted_proxy_header(settings, rf):
    request = rf.get("/", REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert sign_in.client_ip(request) == "172.16.0.2"
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.CLIENT_IP_PROXY_COUNT = 1
    assert sign_in.client_ip(request) == "203.0.113.9"
    settings.CLIENT_IP_PROXY_COUNT = 3
    assert sign_in.client_ip(request) == "172.16.0.2"
    settings.CLIENT_IP_PROXY_COUNT = 1
    assert sign_in.client_ip(rf.get("/", REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR="not-an-address")) == (
        "172.16.0.2"
    )


@pytest.mark.django_db
def test_audit_rows_record_the_same_address_as_the_lockout(client, settings, alice):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    attempt(client, "alice", ip="172.16.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert failed_audit_rows("alice").get().ip_address == "203.0.113.9"
    assert AccessAttempt.objects.get(username="alice").ip_address == "203.0.113.9"


@pytest.mark.django_db
def test_a_data_admin_unlocks_an_account_on_the_page_audited(client, alice, data_admin):
    for _ in range(3):
        attempt(client, "alice")
    client.force_login(data_admin)
    page = client.get("/sign-in/unlock/")
    assert page.status_code == 200
    assert "alice" in page.content.decode()
    response = client.post("/sign-in/unlock/", {"user": alice.pk})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(alice.pk), details__sign_in="unlocked")
    assert event.actor == data_admin
    client.logout()
    assert attempt(client, "alice", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_data_admin_unlocks_an_account_through_the_api(client, alice, data_admin, staff):
    for _ in range(3):
        attempt(client, "alice")
    client.force_login(staff(Role.TEAM_MANAGER, username="manager"))
    assert client.post(f"/api/v1/staff/{alice.pk}/sign-in-unlock/").status_code == 403
    assert client.get("/sign-in/unlock/").status_code == 403
    client.force_login(data_admin)
    assert client.post(f"/api/v1/staff/{alice.pk}/sign-in-unlock/").status_code == 204
    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert AuditEvent.objects.filter(object_id=str(alice.pk), details__sign_in="unlocked").exists()
