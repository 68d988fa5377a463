"""Break-glass (issue 15, item 9): a worker gives a reason and gets time-limited access to a record outside
their scope; the team manager gets a review task, the data admin a report, and the grant is audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import AuditAction, Role, TeamKind
from core.factories import TeamFactory
from core.models import AuditEvent
from referrals.choices import TaskKind
from referrals.factories import AllocationFactory
from referrals.models import BreakGlassAccess, Task

pytestmark = pytest.mark.django_db

REASON = "Found unconscious at the hostel; need allergies and current prescription"


@pytest.fixture
def elsewhere(arm_team):
    """A person in treatment with another team's keyworker."""
    delivery = TeamFactory(name="Delivery South", kind=TeamKind.DELIVERY)
    return AllocationFactory(team=delivery, episode__referral__team=arm_team).episode.person


@pytest.fixture
def worker(staff):
    team = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    manager = staff(Role.TEAM_MANAGER, team=team, username="manager.north")
    return staff(Role.KEYWORKER, team=team, username="kw.north"), manager


def test_before_during_and_after_the_access_the_record_answers_404_200_404(client, worker, elsewhere):
    keyworker, _ = worker
    client.force_login(keyworker)
    url = reverse("referrals:person-detail", args=[elsewhere.pk])
    assert client.get(url).status_code == 404
    response = client.post(reverse("referrals:break-glass"), {"client_id": elsewhere.client_id, "reason": REASON})
    assert response.status_code == 302
    assert response.url == url
    assert client.get(url).status_code == 200
    access = BreakGlassAccess.objects.get()
    assert access.expires_at - access.granted_at == timedelta(hours=4)
    BreakGlassAccess.objects.filter(pk=access.pk).update(expires_at=access.granted_at - timedelta(seconds=1))
    assert client.get(url).status_code == 404


def test_a_reason_is_required_and_the_person_must_be_named_exactly(client, worker, elsewhere):
    keyworker, _ = worker
    client.force_login(keyworker)
    no_reason = client.post(reverse("referrals:break-glass"), {"client_id": elsewhere.client_id, "reason": "x"})
    assert no_reason.status_code == 200
    assert "Enter the emergency that needs this record" in no_reason.content.decode()
    unknown = client.post(reverse("referrals:break-glass"), {"client_id": "NOPE999", "reason": REASON})
    assert "No person has this client ID or NHS number" in unknown.content.decode()
    assert not BreakGlassAccess.objects.exists()


def test_the_team_manager_gets_a_review_task_and_the_grant_is_audited(worker, elsewhere):
    keyworker, manager = worker
    client = APIClient()
    client.force_authenticate(keyworker)
    response = client.post(
        reverse("api-break-glass"),
        {"nhs_number": elsewhere.nhs_number or "", "client_id": elsewhere.client_id, "reason": REASON},
        format="json",
    )
    assert response.status_code == 201
    assert client.get(reverse("person-detail", args=[elsewhere.pk])).status_code == 200
    task = Task.objects.get(kind=TaskKind.BREAK_GLASS_REVIEW)
    assert (task.assigned_to, task.person) == (manager, elsewhere)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, details__break_glass=True)
    assert (event.actor, event.details["reason"]) == (keyworker, REASON)


def test_the_data_admin_lists_every_access_on_the_report(client, worker, elsewhere, data_admin):
    keyworker, _ = worker
    client.force_login(keyworker)
    client.post(reverse("referrals:break-glass"), {"client_id": elsewhere.client_id, "reason": REASON})
    assert client.get(reverse("referrals:break-glass-report")).status_code == 403
    client.force_login(data_admin)
    page = client.get(reverse("referrals:break-glass-report"))
    assert page.status_code == 200
    text = page.content.decode()
    assert elsewhere.client_id in text
    assert REASON in text
    assert "kw.north" in text or keyworker.get_full_name() in text


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.KEYWORKER, True),
        (Role.ASSESSOR, True),
        (Role.TEAM_MANAGER, True),
        (Role.PRESCRIBER, True),
        (Role.HARM_REDUCTION_WORKER, True),
        (Role.REFERRER, False),
        (Role.COMMISSIONER, False),
    ],
)
def test_who_may_break_the_glass(staff, elsewhere, role, allowed):
    client = APIClient()
    client.force_authenticate(staff(role))
    response = client.post(
        reverse("api-break-glass"), {"client_id": elsewhere.client_id, "reason": REASON}, format="json"
    )
    assert response.status_code == (201 if allowed else 403)
    assert BreakGlassAccess.objects.exists() == allowed
