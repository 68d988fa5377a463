"""A referral that will not reach triage closes as 'no contact made' or 'declined by the person' (domain.md 6,
XREFOUTCOME NC and DE): the way out of the first-contact queue for someone who never answers."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.choices import AuditAction, Role
from core.concurrency import StaleEditError
from core.errors import DomainError
from core.models import AuditEvent
from referrals.choices import ContactMethod, ReferralStatus
from referrals.factories import ReferralFactory
from referrals.models import Referral
from referrals.selectors_intake import referral_queue
from referrals.services.intake import contact_attempt_record, referral_close

pytestmark = pytest.mark.django_db

RECEIVED = date(2025, 4, 17)


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


@pytest.fixture
def referral(arm_team):
    return ReferralFactory(team=arm_team, received_on=RECEIVED)


def attempt(assessor, referral, made_on, method=ContactMethod.FAILED_ATTEMPT):
    contact_attempt_record(actor=assessor, referral=referral, made_on=made_on, method=method)
    referral.refresh_from_db()


def close(actor, referral, outcome=ReferralStatus.CLOSED_NO_CONTACT, closed_on=date(2025, 5, 2), notes="Three calls"):
    return referral_close(
        actor=actor,
        referral=referral,
        outcome=outcome,
        closed_on=closed_on,
        notes=notes,
        expected_version=referral.version,
    )


def test_no_contact_after_failed_attempts_closes_the_referral_and_is_audited(assessor, referral):
    attempt(assessor, referral, date(2025, 4, 22))
    attempt(assessor, referral, date(2025, 4, 25))
    close(assessor, referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED_NO_CONTACT
    assert (referral.closed_on, referral.closed_by, referral.closure_notes) == (
        date(2025, 5, 2),
        assessor,
        "Three calls",
    )
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(referral.pk)).latest("id")
    assert event.details == {"outcome": "closed_no_contact", "closed_on": "2025-05-02"}


def test_no_contact_needs_the_attempts_on_record(assessor, referral):
    with pytest.raises(DomainError, match="Record the attempts") as refused:
        close(assessor, referral)
    assert refused.value.field == "outcome"
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.AWAITING_CONTACT


def test_no_contact_is_refused_once_contact_was_made(assessor, referral):
    attempt(assessor, referral, date(2025, 4, 22), ContactMethod.PHONE)
    with pytest.raises(DomainError, match="Contact was made on 22 April 2025"):
        close(assessor, referral)
    close(assessor, referral, outcome=ReferralStatus.CLOSED_DECLINED)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.CLOSED_DECLINED


def test_declined_needs_no_attempt(assessor, referral):
    close(assessor, referral, outcome=ReferralStatus.CLOSED_DECLINED, closed_on=RECEIVED)
    assert Referral.objects.get(pk=referral.pk).closed_on == RECEIVED


@pytest.mark.parametrize(
    ("closed_on", "field", "message"),
    [
        (RECEIVED - timedelta(days=1), "closed_on", "before the referral was received"),
        (date(2025, 4, 24), "closed_on", r"before the last contact attempt \(25 April 2025\)"),
        (timezone.localdate() + timedelta(days=1), "closed_on", "must not be in the future"),
    ],
)
def test_closing_dates_in_order(assessor, referral, closed_on, field, message):
    attempt(assessor, referral, date(2025, 4, 25))
    with pytest.raises(DomainError, match=message) as refused:
        close(assessor, referral, closed_on=closed_on)
    assert refused.value.field == field


def test_the_last_attempt_day_itself_may_close(assessor, referral):
    attempt(assessor, referral, date(2025, 4, 25))
    close(assessor, referral, closed_on=date(2025, 4, 25))
    assert Referral.objects.get(pk=referral.pk).closed_on == date(2025, 4, 25)


def test_a_reason_is_needed(assessor, referral):
    with pytest.raises(DomainError, match="Say why") as refused:
        close(assessor, referral, outcome=ReferralStatus.CLOSED_DECLINED, notes="  ")
    assert refused.value.field == "notes"


def test_a_closed_referral_cannot_close_again_or_take_contacts(assessor, referral):
    close(assessor, referral, outcome=ReferralStatus.CLOSED_DECLINED)
    referral.refresh_from_db()
    with pytest.raises(DomainError, match="already been closed"):
        close(assessor, referral, outcome=ReferralStatus.CLOSED_DECLINED)
    with pytest.raises(DomainError, match="closed"):
        attempt(assessor, referral, date(2025, 5, 3))


def test_a_stale_version_is_refused(assessor, referral):
    stale = Referral.objects.get(pk=referral.pk)
    attempt(assessor, referral, date(2025, 4, 22), ContactMethod.PHONE)
    with pytest.raises(StaleEditError):
        close(assessor, stale, outcome=ReferralStatus.CLOSED_DECLINED)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.AWAITING_TRIAGE


@pytest.mark.parametrize("role", [Role.KEYWORKER, Role.REFERRER, Role.COMMISSIONER])
def test_only_assessors_managers_and_data_admins_close(staff, arm_team, referral, role):
    with pytest.raises(DomainError, match="Only assessors and team managers"):
        close(staff(role, team=arm_team), referral, outcome=ReferralStatus.CLOSED_DECLINED)


def test_a_closed_referral_leaves_the_queue(assessor, referral):
    assert referral in referral_queue(assessor)
    close(assessor, referral, outcome=ReferralStatus.CLOSED_DECLINED)
    assert referral not in referral_queue(assessor)


def test_the_page_closes_and_names_the_field_on_error(client, assessor, referral):
    client.force_login(assessor)
    url = reverse("referrals:referral-close", args=[referral.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "record the attempts" in page.content.decode()
    refused = client.post(
        url,
        {
            "outcome": "closed_no_contact",
            "closed_on_day": "2",
            "closed_on_month": "5",
            "closed_on_year": "2025",
            "notes": "No answer",
            "version": referral.version,
        },
    )
    assert refused.status_code == 200
    assert 'href="#id_outcome' in refused.content.decode()
    done = client.post(
        url,
        {
            "outcome": "closed_declined",
            "closed_on_day": "2",
            "closed_on_month": "5",
            "closed_on_year": "2025",
            "notes": "Does not want treatment",
            "version": referral.version,
        },
    )
    assert done.status_code == 302
    person_page = client.get(done.url).content.decode()
    assert "Closed: declined by the person" in person_page
    assert "Does not want treatment" in person_page
    assert url not in person_page


def test_the_api_closes_with_the_same_rule(assessor, referral, staff, arm_team):
    url = reverse("referral-close", args=[referral.pk])
    body = {"outcome": "closed_no_contact", "closed_on": "2025-05-02", "notes": "No answer", "version": 1}
    keyworker = APIClient()
    keyworker.force_authenticate(staff(Role.KEYWORKER, team=arm_team))
    assert keyworker.post(url, body, format="json").status_code in (403, 404)
    client = APIClient()
    client.force_authenticate(assessor)
    refused = client.post(url, body, format="json")
    assert refused.status_code == 400
    assert "outcome" in refused.json()
    body["outcome"] = "closed_declined"
    done = client.post(url, body, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "closed_declined"
    assert done.json()["closed_on"] == "2025-05-02"
