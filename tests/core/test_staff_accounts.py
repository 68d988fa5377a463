"""Staff accounts in the app for data admins (issue 14): create (and the account signs in, enrolling two-factor
at first sign-in), change roles and teams, deactivate, reset a password; each change audited; data admins only."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from core import staff_accounts
from core.choices import AuditAction, Role, TeamKind
from core.errors import StaleEditError
from core.factories import TeamFactory
from core.models import AuditEvent, User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-first-password-2026"


def signs_in(username: str, password: str) -> bool:
    """The sign-in form accepts the password (a redirect onwards, to the second factor)."""
    return Client().post(reverse("login"), {"username": username, "password": password}).status_code == 302


def new_account_form(team, **changes):
    return {
        "username": "jo.bloggs",
        "first_name": "Jo",
        "last_name": "Bloggs",
        "email": "jo.bloggs@example.nhs.uk",
        "roles": [Role.KEYWORKER],
        "teams": [team.pk],
        "password": PASSWORD,
        **changes,
    }


def test_a_data_admin_creates_an_account_that_signs_in_and_enrols_two_factor(client, data_admin, arm_team):
    client.force_login(data_admin)
    response = client.post(reverse("staff-new"), new_account_form(arm_team), follow=True)
    assert "Account jo.bloggs created" in response.text
    assert "nhsuk-notification-banner--success" in response.text
    member = User.objects.get(username="jo.bloggs")
    assert member.roles == {Role.KEYWORKER}
    assert list(member.teams.all()) == [arm_team]
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="core.User")
    assert event.actor == data_admin
    assert event.details["roles"] == ["keyworker"]
    assert PASSWORD not in str(event.details)

    newcomer = Client()
    signed_in = newcomer.post(reverse("login"), {"username": "jo.bloggs", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert newcomer.get("/").headers["Location"].startswith(reverse("two-factor"))
    newcomer.get(reverse("two-factor"))
    device = TOTPDevice.objects.get(user=member)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert newcomer.post(reverse("two-factor"), {"token": code}).status_code == 200
    assert newcomer.get("/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": ""}, "username", "Enter a username"),
        ({"username": "DATA.ADMIN"}, "username", "An account with this username already exists"),
        ({"roles": []}, "roles", "Choose at least one of the roles"),
        ({"password": "short"}, "password", "This password is too short"),
        ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
    ],
)
def test_a_new_account_is_refused_with_a_message_on_its_field(client, data_admin, arm_team, changes, field, message):
    client.force_login(data_admin)
    response = client.post(reverse("staff-new"), new_account_form(arm_team, **changes))
    assert response.status_code == 200
    assert message in response.text
    assert f'href="#id_{field}' in response.text
    assert not User.objects.filter(username="jo.bloggs").exists()


def test_roles_and_teams_change_and_a_stale_edit_is_refused(client, data_admin, staff, arm_team):
    member = staff(Role.KEYWORKER, team=arm_team, username="kw.change")
    esap = TeamFactory(name="ESAP", kind=TeamKind.ESAP)
    client.force_login(data_admin)
    url = reverse("staff-detail", args=[member.pk])
    stale = staff_accounts.fingerprint(member)
    data = {"first_name": "K", "last_name": "W", "email": "", "roles": [Role.ASSESSOR], "teams": [esap.pk]}
    response = client.post(url, {**data, "fingerprint": stale}, follow=True)
    assert "Account kw.change saved" in response.text
    member = User.objects.get(pk=member.pk)
    assert member.roles == {Role.ASSESSOR}
    assert list(member.teams.all()) == [esap]
    changes = AuditEvent.objects.get(action=AuditAction.CHANGE, details__staff_account="changed").details["changes"]
    assert changes["roles"] == {"from": ["keyworker"], "to": ["assessor"]}
    # A second data admin who opened the page before the first saved is told, not merged.
    again = client.post(url, {**data, "roles": [Role.KEYWORKER], "fingerprint": stale})
    assert "Someone else saved this account" in again.text
    with pytest.raises(StaleEditError):
        staff_accounts.update_account(actor=data_admin, user=member, roles=[Role.KEYWORKER], teams=[], expected=stale)


def test_deactivating_ends_sign_in_and_sessions_and_a_password_reset_works(client, data_admin, staff):
    member = staff(Role.KEYWORKER, username="kw.leaver")
    their_session = Client()
    their_session.force_login(member)
    assert their_session.get("/").status_code == 200

    client.force_login(data_admin)
    reset = client.post(
        reverse("staff-password", args=[member.pk]), {"password": "another-long-password-1"}, follow=True
    )
    assert "New password set for kw.leaver" in reset.text
    assert their_session.get("/").status_code == 302
    assert signs_in("kw.leaver", "another-long-password-1")

    state = {"fingerprint": staff_accounts.fingerprint(member)}
    response = client.post(reverse("staff-active", args=[member.pk]), state, follow=True)
    assert "deactivated" in response.text
    assert not User.objects.get(pk=member.pk).is_active
    assert not signs_in("kw.leaver", "another-long-password-1")
    actions = list(
        AuditEvent.objects.filter(object_id=str(member.pk), details__has_key="staff_account").values_list(
            "details__staff_account", flat=True
        )
    )
    assert sorted(actions) == ["deactivated", "password reset"]


def test_a_data_admin_cannot_lock_themselves_out(client, data_admin):
    client.force_login(data_admin)
    response = client.post(reverse("staff-active", args=[data_admin.pk]), {"fingerprint": "x"})
    assert "Ask another data admin" in response.text
    assert User.objects.get(pk=data_admin.pk).is_active


@pytest.mark.parametrize("role", [r for r in Role if r != Role.DATA_ADMIN])
def test_only_data_admins_reach_staff_accounts(client, staff, role):
    member = staff(Role.KEYWORKER, username="kw.target")
    client.force_login(staff(role))
    for url in (reverse("staff-list"), reverse("staff-new"), reverse("staff-detail", args=[member.pk])):
        assert client.get(url).status_code == 403
    assert client.post(reverse("staff-password", args=[member.pk]), {"password": PASSWORD}).status_code == 403
    api = APIClient()
    api.force_authenticate(staff(role))
    assert api.get(reverse("staff-account-list")).status_code == 403


def test_the_staff_list_is_paginated_and_fixed_query(
    client, data_admin, staff, arm_team, django_assert_max_num_queries
):
    for _ in range(3):
        staff(Role.KEYWORKER, team=arm_team)
    client.force_login(data_admin)
    with django_assert_max_num_queries(16) as few:
        assert client.get(reverse("staff-list")).status_code == 200
    for _ in range(60):
        staff(Role.ASSESSOR, team=arm_team)
    with django_assert_max_num_queries(len(few)):
        page = client.get(reverse("staff-list"))
    assert len(re.findall(r'href="/staff/\d+/"', page.text)) == 50
    assert "Next" in page.text


def test_the_api_creates_changes_and_deactivates_with_the_same_rules(data_admin, arm_team):
    api = APIClient()
    api.force_authenticate(data_admin)
    body = {"username": "api.kw", "first_name": "A", "last_name": "K", "roles": ["keyworker"], "teams": [arm_team.pk]}
    assert api.post(reverse("staff-account-list"), {**body, "password": "short"}, format="json").status_code == 400
    created = api.post(reverse("staff-account-list"), {**body, "password": PASSWORD}, format="json")
    assert created.status_code == 201, created.content
    account = created.json()
    url = reverse("staff-account-detail", args=[account["id"]])
    changed = api.put(url, {**body, "roles": ["assessor"], "expected": account["fingerprint"]}, format="json")
    assert changed.json()["roles"] == ["assessor"]
    assert api.put(url, {**body, "expected": account["fingerprint"]}, format="json").status_code == 409
    fingerprint = changed.json()["fingerprint"]
    off = api.post(reverse("staff-account-active", args=[account["id"]]), {"is_active": False, "expected": fingerprint})
    assert off.json()["is_active"] is False
    assert api.get(reverse("staff-account-list")).status_code == 200
