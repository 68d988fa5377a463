"""Two-factor sign-in for every member of staff (issue 15, item 4)."""

import re

import pytest
from django.contrib.sessions.models import Session
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import two_factor
from core.choices import AuditAction, Role
from core.models import AuditEvent

PASSWORD = "correct-horse-battery-staple"


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def keyworker(staff):
    return staff(Role.KEYWORKER, username="kw.2fa")


@pytest.fixture
def enrolled(keyworker):
    return TOTPDevice.objects.create(user=keyworker, name=two_factor.AUTHENTICATOR, confirmed=True)


def sign_in_with_password(client, username="kw.2fa"):
    response = client.post("/sign-in/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.django_db
def test_a_password_alone_reaches_no_page(client, keyworker):
    sign_in_with_password(client)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/two-factor/?next=/"


@pytest.mark.django_db
def test_a_password_alone_reaches_no_api(client, keyworker):
    sign_in_with_password(client)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]


@pytest.mark.django_db
def test_first_sign_in_enrols_with_a_qr_code_and_gives_ten_single_use_recovery_codes(client, keyworker):
    sign_in_with_password(client)
    page = client.get("/two-factor/?next=/").content.decode()
    assert 'src="data:image/svg+xml' in page
    assert re.search(r"<code data-secret>[A-Z2-7 ]{20,}</code>", page)

    device = TOTPDevice.objects.get(user=keyworker, confirmed=False)
    codes_page = client.post("/two-factor/", {"token": code_of(device), "next": "/"}).content.decode()
    codes = re.findall(r"<li><code>(\d{10})</code></li>", codes_page)
    assert len(set(codes)) == 10
    assert client.get("/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, details__two_factor="enrolled").exists()


@pytest.mark.django_db
def test_a_wrong_enrolment_code_is_named_in_the_error_summary(client, keyworker):
    sign_in_with_password(client)
    client.get("/two-factor/")
    page = client.post("/two-factor/", {"token": "000000"}).content.decode()
    assert "nhsuk-error-summary" in page
    assert "Enter the 6-digit code your authenticator app shows now" in page
    assert not two_factor.is_enrolled(keyworker)


@pytest.mark.django_db
def test_an_enrolled_person_types_the_apps_code(client, enrolled):
    sign_in_with_password(client)
    assert "Enter your security code" in client.get("/two-factor/").content.decode()
    response = client.post("/two-factor/", {"token": code_of(enrolled), "next": "/"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_recovery_code_works_once(client, keyworker, enrolled):
    code = two_factor._new_recovery_codes(keyworker)[0]
    sign_in_with_password(client)
    assert client.post("/two-factor/", {"token": code, "next": "/"})["Location"] == "/"
    client.post("/sign-out/")

    sign_in_with_password(client)
    page = client.post("/two-factor/", {"token": code}).content.decode()
    assert "Enter the 6-digit code from your authenticator app, or one of your recovery codes" in page
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_every_wrong_code_is_audited_as_a_failed_sign_in(client, enrolled):
    sign_in_with_password(client)
    client.post("/two-factor/", {"token": "123456"})
    failed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert failed.details == {"username": "kw.2fa", "step": "code"}


@pytest.mark.django_db
def test_a_demo_account_counts_as_enrolled_outside_production(client, keyworker, settings):
    settings.TWO_FACTOR_TRUST_DEMO_DEVICES = True
    two_factor.mark_demo_enrolled(keyworker)
    sign_in_with_password(client)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_demo_device_is_not_trusted_when_the_setting_is_off(client, keyworker, settings):
    settings.TWO_FACTOR_TRUST_DEMO_DEVICES = False
    two_factor.mark_demo_enrolled(keyworker)
    sign_in_with_password(client)
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_a_data_admin_resets_a_lost_device_which_ends_the_persons_sessions(client, keyworker, enrolled, data_admin):
    other = client.__class__()
    other.force_login(keyworker)
    assert other.get("/").status_code == 200
    client.force_login(data_admin)
    response = client.post("/two-factor/reset/", {"user": keyworker.pk}, follow=True)
    assert "will set up two-factor sign-in again" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=keyworker).exists()
    assert not StaticDevice.objects.filter(user=keyworker).exists()
    assert other.get("/").status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, details__two_factor="reset")
    assert event.actor == data_admin
    assert event.details["sessions_ended"] == 1
    assert Session.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.KEYWORKER, Role.TEAM_MANAGER, Role.COMMISSIONER, Role.REFERRER])
def test_only_a_data_admin_resets_devices(client, staff, keyworker, role):
    client.force_login(staff(role, username=f"someone.{role}"))
    assert client.get("/two-factor/reset/").status_code == 403
    assert client.post(f"/api/v1/staff/{keyworker.pk}/two-factor-reset/").status_code == 403


@pytest.mark.django_db
def test_the_api_reset_is_a_204_and_a_data_admin_cannot_reset_their_own(client, keyworker, enrolled, data_admin):
    client.force_login(data_admin)
    assert client.post(f"/api/v1/staff/{keyworker.pk}/two-factor-reset/").status_code == 204
    assert not two_factor.is_enrolled(keyworker)
    refused = client.post(f"/api/v1/staff/{data_admin.pk}/two-factor-reset/")
    assert refused.status_code == 400
    assert "another data admin" in refused.json()["user"][0]
